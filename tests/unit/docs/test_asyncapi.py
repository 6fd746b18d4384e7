"""docs/asyncapi.json is current, valid AsyncAPI 2.6, and describes every public event."""
import json
from pathlib import Path

import jsonschema

from scripts import asyncapi, event_catalog

SPEC = Path(__file__).resolve().parents[2] / "support" / "schemas" / "asyncapi-2.6.0.json"


def test_the_description_is_current():
    assert asyncapi.TARGET.read_text() == asyncapi.render(), \
        "docs/asyncapi.json is out of date: run python -m scripts.asyncapi"


def test_it_is_valid_asyncapi_2_6():
    document = json.loads(asyncapi.TARGET.read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in
              jsonschema.Draft7Validator(json.loads(SPEC.read_text())).iter_errors(document)]
    assert not errors, errors[:5]
    for name, message in document["components"]["messages"].items():
        jsonschema.Draft7Validator.check_schema(message["payload"])


def test_every_public_event_and_only_those_is_a_channel():
    document = asyncapi.build()
    declared = {t: v for service in event_catalog.PUBLISHERS
                for t, (v, _) in event_catalog.declared_events(service).items()}
    assert set(document["channels"]) == set(declared)
    for type_, version in declared.items():
        payload = document["components"]["messages"][type_]["payload"]
        assert payload["properties"]["version"]["const"] == version
    assert "invitation.sent" not in document["channels"]  # private: Haven's own only


def test_a_wrong_envelope_is_refused_by_its_message_schema():
    payload = asyncapi.build()["components"]["messages"]["appointment.scheduled"]["payload"]
    good = {"id": "5b0c6a4e-6d5e-4a5a-9e8e-2b1f0c1d2e3f", "type": "appointment.scheduled",
            "version": 1, "occurred_at": "2026-12-04T10:00:00+00:00", "practice_id": "p1",
            "actor": {"kind": "staff", "id": "s1"},
            "data": {"appointment_id": "a1", "client_id": "c1", "clinician_id": "k1",
                     "starts_at": "2026-12-10T15:00:00+00:00", "ends_at": "2026-12-10T15:50:00+00:00",
                     "location": "office", "status": "scheduled"}}
    jsonschema.validate(good, payload)
    for broken in ({**good, "version": 2}, {**good, "data": {"appointment_id": "a1"}}):
        assert list(jsonschema.Draft7Validator(payload).iter_errors(broken))
