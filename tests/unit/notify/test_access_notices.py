"""notify's security notices for identity's events: "someone tried to sign in" once per
throttle episode, and "access removed" to contacts and to accounts that lost one client —
never naming the client."""
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.common.errors import NotFound
from services.notify.domain import account_emails
from services.notify.domain import rendering
from services.notify.models import Email
from services.notify.service import NotifyService
from tests.unit.notify.test_service import MemoryDb

PUBLIC = "https://portal.example.org"
ADDRESS = {"kind": "contact", "id": "k-1", "email": "jane@example.org",
           "practice_name": "Oak Tree Counseling", "portal_path": "/p/oak-tree"}


@pytest.fixture
def db():
    return MemoryDb()


@pytest.fixture
def service(db):
    worker = worker_factory(NotifyService, db=db, mailer=MagicMock(),
                            config={"PUBLIC_URL": PUBLIC})
    worker.identity.get_notice_address.side_effect = \
        lambda actor, p: dict(ADDRESS, kind=p["kind"], id=p["id"])
    return worker


def event(type_, data, event_id="ev-1"):
    return {"id": event_id, "type": type_, "version": 1, "practice_id": "p1",
            "occurred_at": "2026-03-02T15:00:00+00:00", "actor": {"kind": "staff", "id": "s"},
            "data": data}


def body(email):
    return email.subject + "\n" + email.body_text


def test_someone_tried_to_sign_in_says_what_to_do_and_nothing_else():
    draft = account_emails.sign_in_throttled_email(
        {"account_id": "a-1", "kind": "client", "login": "maria@example.org",
         "occurred_at": "2026-03-02T15:00:00+00:00", "practice_name": "Oak Tree Counseling",
         "portal_path": "/p/oak-tree"}, PUBLIC)
    out = rendering.render(draft.template, draft.context)
    assert draft.to == "maria@example.org"
    assert out.subject == "Someone tried to sign in to your Oak Tree Counseling portal account"
    assert "https://portal.example.org/p/oak-tree" in out.text
    assert "Forgot password" in out.text and "call the practice" in out.text
    assert "a-1" not in out.text


def test_the_throttle_notice_is_queued_once_per_event(service, db):
    throttled = event("sign_in.throttled", {
        "account_id": "a-1", "kind": "client", "login": "maria@example.org",
        "occurred_at": "2026-03-02T15:00:00+00:00", "practice_name": "Oak Tree Counseling",
        "portal_path": "/p/oak-tree"})
    service.on_sign_in_throttled(throttled)
    service.on_sign_in_throttled(throttled)                 # redelivered
    [email] = db.all(Email)
    assert email.to_address == "maria@example.org" and email.kind == "sign_in_throttled"


@pytest.mark.parametrize("status, phrase", [("inactive", "ended your access to its client"),
                                            ("suspended", "paused your access")])
def test_a_contact_whose_login_ends_is_told(service, db, status, phrase):
    service.on_contact_status_changed(event("contact.status_changed",
                                            {"contact_id": "k-1", "status": status}))
    [email] = db.all(Email)
    assert email.to_address == "jane@example.org" and phrase in body(email)
    service.identity.get_notice_address.assert_called_once()
    assert service.identity.get_notice_address.call_args[0][1] == {"kind": "contact",
                                                                   "id": "k-1"}


def test_a_contact_restored_hears_nothing(service, db):
    service.on_contact_status_changed(event("contact.status_changed",
                                            {"contact_id": "k-1", "status": "active"}))
    assert db.all(Email) == [] and not service.identity.get_notice_address.called


def test_a_revoked_grant_tells_its_holder_without_naming_the_client(service, db):
    service.on_grant_changed(event("grant.changed", {
        "holder_kind": "contact", "contact_id": "k-1", "account_id": None,
        "client_id": "client-7", "permissions": [], "renewed_until": None,
        "change": "revoked"}))
    service.on_grant_changed(event("grant.changed", {
        "holder_kind": "client", "contact_id": None, "account_id": "a-9",
        "client_id": "client-8", "permissions": [], "renewed_until": None,
        "change": "revoked"}, event_id="ev-2"))
    emails = db.all(Email)
    assert len(emails) == 2
    text = body(emails[0])
    assert "one of\nthe people you could see" in text and "client-7" not in text
    assert "someone's information" in emails[0].subject
    calls = [c[0][1] for c in service.identity.get_notice_address.call_args_list]
    assert calls == [{"kind": "contact", "id": "k-1"}, {"kind": "client", "id": "a-9"}]


def test_a_grant_given_or_widened_sends_nothing(service, db):
    service.on_grant_changed(event("grant.changed", {
        "holder_kind": "contact", "contact_id": "k-1", "account_id": None,
        "client_id": "client-7", "permissions": ["billing"], "renewed_until": None,
        "change": "granted"}))
    assert db.all(Email) == []


def test_an_unlinked_client_tells_the_account_once(service, db):
    unlinked = event("account.client_unlinked", {"account_id": "a-1", "client_id": "c-2"})
    service.on_client_unlinked(unlinked)
    service.on_client_unlinked(unlinked)
    [email] = db.all(Email)
    assert email.kind == "access_removed" and "c-2" not in body(email)


def test_a_person_identity_no_longer_knows_gets_no_email(service, db):
    service.identity.get_notice_address.side_effect = NotFound("no_login", "gone")
    service.on_client_unlinked(event("account.client_unlinked",
                                     {"account_id": "a-1", "client_id": "c-2"}))
    assert db.all(Email) == []
