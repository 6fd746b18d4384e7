"""The published event catalog is generated from the services' declarations: it is current."""
from scripts import event_catalog


def test_event_catalog_is_current():
    assert event_catalog.TARGET.read_text() == event_catalog.render(), \
        "docs/events.md is out of date: run python -m scripts.event_catalog"


def test_private_events_are_not_published_in_the_catalog():
    text = event_catalog.render()
    assert "invitation.sent" not in text and "password_reset.requested" not in text
