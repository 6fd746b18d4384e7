"""The delivery log and sending a failed email again, through worker_factory: what was
sent to whom and how it went — never what it said — for staff with view_operations."""
import pytest

from services.common.errors import Conflict, Forbidden, NotFound
from services.notify.models import Email
from tests.unit.notify.test_service import FlakyBackend, account_created, mailer_over

OPS = {"practice_id": "p1", "kind": "staff", "id": "ops-1", "permissions": ["view_operations"]}


def failed_email(service, db):
    service.on_account_created(account_created())
    mailer = mailer_over(db, FlakyBackend(failures=1, permanent=True))
    mailer.send_due()
    [email] = db.all(Email)
    assert email.status == "failed"
    return email


def test_the_log_says_to_whom_when_and_how_never_what(service, db):
    email = failed_email(service, db)
    [row] = service.list_email_deliveries(OPS, {})
    assert row["id"] == email.id and row["to"] == "ana@example.com"
    assert row["kind"] == "welcome" and row["status"] == "failed" and row["attempts"] == 1
    assert row["last_error"] == "ConnectionRefusedError" and row["sent_at"] is None
    assert not {"subject", "body_text", "body_html", "text", "html"} & set(row)
    assert "Sunrise" not in str(row)          # the practice's words stay in the email
    assert service.list_email_deliveries(OPS, {"status": "sent"}) == []


def test_a_failed_email_is_sent_again_once_asked(service, db):
    email = failed_email(service, db)
    again = service.retry_email(OPS, email.id)
    assert again["status"] == "pending" and again["attempts"] == 0
    service.mailer.wake.assert_called()
    backend = FlakyBackend(failures=0)
    mailer_over(db, backend).send_due()
    [sent] = db.all(Email)
    assert sent.status == "sent" and [m.to for m in backend.sent] == ["ana@example.com"]
    with pytest.raises(Conflict) as exc:       # sent: a second send would be a second email
        service.retry_email(OPS, email.id)
    assert exc.value.code == "not_failed"


def test_only_operations_staff_of_the_practice_see_and_retry(service, db):
    email = failed_email(service, db)
    clinician = dict(OPS, permissions=["view_clients"])
    with pytest.raises(Forbidden):
        service.list_email_deliveries(clinician, {})
    with pytest.raises(Forbidden):
        service.retry_email(clinician, email.id)
    other = dict(OPS, practice_id="p2")
    assert service.list_email_deliveries(other, {}) == []
    with pytest.raises(NotFound):
        service.retry_email(other, email.id)


def test_the_mailer_counts_what_it_sent_and_what_failed(service, db):
    from services.common.metrics import EMAILS
    before = {o: EMAILS.labels(o)._value.get() for o in ("sent", "failed")}
    failed_email(service, db)
    service.on_account_created(account_created(event_id="ev-3", login="bo@example.com"))
    mailer_over(db, FlakyBackend(failures=0)).send_due()
    assert EMAILS.labels("failed")._value.get() == before["failed"] + 1
    assert EMAILS.labels("sent")._value.get() == before["sent"] + 1
