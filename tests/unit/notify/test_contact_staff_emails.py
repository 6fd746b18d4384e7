"""notify's drafts for identity's contact and staff invitations (identity-private)."""
from services.notify import events
from services.notify.domain import account_emails
from services.notify.domain import rendering

DATA = {"contact_id": "c-1", "email": "jane@example.org", "practice_name": "Oak Tree",
        "portal_path": "/p/oak", "link_path": "/p/oak/reset/TOKEN",
        "expires_at": "2026-03-09T15:00:00+00:00", "resend": False}


def test_contact_invitation_carries_the_link_and_no_client():
    draft = account_emails.contact_invitation_email(DATA, "https://portal.test")
    rendered = rendering.render(draft.template, draft.context)
    subject, body = rendered.subject, rendered.text
    assert draft.to == "jane@example.org" and "Oak Tree" in subject
    assert "https://portal.test/p/oak/reset/TOKEN" in body and "March 9, 2026" in body


def test_link_events_are_consumed_from_the_private_exchange_only():
    assert events.STAFF_INVITED.service == "identity-private"
    assert events.CONTACT_INVITED.service == "identity-private"
