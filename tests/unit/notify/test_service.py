"""NotifyService through nameko's worker_factory, and the Mailer's sending pass, on an
in-memory database with the same transaction()/read() API as the real provider."""
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.common.errors import Forbidden, NotFound
from services.common.testing import MemoryDatabase
from services.notify.dependencies import Mailer, MemoryBackend, SendFailed
from services.notify.models import Alert, Base, Email
from services.notify.service import NotifyService

STAFF = {"practice_id": "p1", "kind": "staff", "id": "s1",
         "permissions": ["view_clients", "receives_demographic_changes"]}


class MemoryDb(MemoryDatabase):
    """What `self.db` offers a worker, over one in-memory SQLite database."""

    def __init__(self):
        super().__init__(Base)

@pytest.fixture
def db():
    return MemoryDb()


@pytest.fixture
def service(db):
    return worker_factory(NotifyService, db=db, mailer=MagicMock(),
                          config={"PUBLIC_URL": "https://portal.example.org"})


def client_updated(event_id="ev-1", source="portal", practice="p1"):
    return {"id": event_id, "type": "client.updated", "version": 1, "practice_id": practice,
            "occurred_at": "2026-01-01T00:00:00+00:00", "actor": {"kind": "client", "id": "a"},
            "data": {"client_id": "c1", "client_name": "Ana Lima", "tab": "basic",
                     "fields": ["email"], "batch_id": "b1", "source": source}}


def account_created(event_id="ev-2", login="ana@example.com"):
    return {"id": event_id, "type": "account.created", "version": 1, "practice_id": "p1",
            "occurred_at": "2026-01-01T00:00:00+00:00", "actor": {"kind": "staff", "id": "s"},
            "data": {"account_id": "acct-1", "client_id": "c1", "login": login,
                     "practice_name": "Sunrise Counseling", "portal_path": "/p/sunrise"}}


def test_duplicated_client_updated_makes_one_alert(service, db):
    service.on_client_updated(client_updated())
    service.on_client_updated(client_updated())
    assert len(db.all(Alert)) == 1


def test_staff_saves_raise_no_alert(service, db):
    service.on_client_updated(client_updated(source="staff"))
    assert db.all(Alert) == []


def test_unknown_event_version_is_refused_so_it_is_retried_and_parked(service):
    with pytest.raises(Exception) as exc:
        service.on_client_updated(dict(client_updated(), version=3))
    assert type(exc.value).__name__ == "UnsupportedEventVersion"


def test_alerts_are_per_audience_practice_and_reader(service, db):
    service.on_client_updated(client_updated("ev-a"))
    service.on_client_updated(client_updated("ev-b", practice="p2"))
    [alert] = service.list_alerts(STAFF, {})
    assert alert["kind"] == "demographics_changed" and alert["fields"] == ["email"]
    assert alert["read"] is False and alert["client_name"] == "Ana Lima"
    assert service.list_alerts(dict(STAFF, permissions=["view_clients"]), {}) == []

    assert service.mark_alert_read(STAFF, alert["id"]) == {"id": alert["id"], "read": True}
    service.mark_alert_read(STAFF, alert["id"])  # idempotent
    assert service.list_alerts(STAFF, {})[0]["read"] is True
    assert service.list_alerts(STAFF, {"unread_only": True}) == []
    colleague = dict(STAFF, id="s2")
    assert service.list_alerts(colleague, {})[0]["read"] is False


def test_alerts_are_for_staff_and_their_practice_only(service, db):
    service.on_client_updated(client_updated())
    [alert] = service.list_alerts(STAFF, {})
    with pytest.raises(Forbidden):
        service.list_alerts({"practice_id": "p1", "kind": "client", "id": "a",
                             "clients": {"c1": ["*"]}}, {})
    with pytest.raises(NotFound):
        service.mark_alert_read(dict(STAFF, practice_id="p2"), alert["id"])
    with pytest.raises(NotFound):
        service.mark_alert_read(dict(STAFF, permissions=[]), alert["id"])


def test_account_created_queues_one_welcome_email_and_wakes_the_mailer(service, db):
    service.on_account_created(account_created())
    service.on_account_created(account_created())  # redelivered
    [email] = db.all(Email)
    assert email.to_address == "ana@example.com" and email.status == "pending"
    assert "https://portal.example.org/p/sunrise" in email.body_text
    assert "Ana" not in email.body_text + email.body_html + email.subject
    service.mailer.wake.assert_called_once()


def test_no_email_when_the_login_is_not_an_address(service, db):
    service.on_account_created(account_created(login="ana.lima"))
    assert db.all(Email) == []


class FlakyBackend(MemoryBackend):
    def __init__(self, failures, permanent=False):
        super().__init__()
        self.failures, self.permanent = failures, permanent

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise SendFailed("ConnectionRefusedError", permanent=self.permanent)
        super().send(message)


def mailer_over(db, backend, max_attempts=3):
    mailer = Mailer(backend)
    mailer.container = MagicMock(config={"EMAIL_RETRY_BASE_SECONDS": 0,
                                         "EMAIL_MAX_ATTEMPTS": max_attempts})
    mailer.setup()
    mailer._database = lambda: db
    return mailer


def test_a_failed_email_is_kept_and_sent_on_a_later_pass(service, db):
    service.on_account_created(account_created())
    backend = FlakyBackend(failures=1)
    mailer = mailer_over(db, backend)
    assert mailer.send_due() == 1
    [email] = db.all(Email)
    assert email.status == "pending" and email.last_error == "ConnectionRefusedError"
    assert mailer.send_due() == 1
    [email] = db.all(Email)
    assert email.status == "sent" and email.sent_at and email.attempts == 2
    assert [m.to for m in backend.sent] == ["ana@example.com"]
    assert mailer.send_due() == 0


def test_an_email_that_cannot_be_delivered_is_marked_failed_and_staff_alerted(service, db):
    service.on_account_created(account_created())
    mailer = mailer_over(db, FlakyBackend(failures=5, permanent=True))
    mailer.send_due()
    [email] = db.all(Email)
    assert email.status == "failed"
    [alert] = db.all(Alert)
    assert (alert.kind, alert.audience, alert.client_id) == (
        "email_undeliverable", "manage_portal_access", "c1")
