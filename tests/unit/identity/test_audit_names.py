"""list_audit names the actor and subject of each row identity knows — in one pass per
kind for the whole page, never a query per row — and answers null for an id it does not
know (a deleted record)."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from services.identity import store
from services.identity.models import (AccountClient, AuditEntry, ClientAccount, Contact,
                                      ContactGrant, StaffUser)
from tests.unit.identity.conftest import staff_actor

T0 = datetime(2030, 3, 1, 12, tzinfo=timezone.utc)   # after the practice was created


@pytest.fixture
def people(db, practice):
    """Dana (staff), Jane Doe (contact, grant over Mia's chart), Leo Doe's portal account
    (with his sister Ava's chart linked), each with audit rows; one row about a contact
    since deleted, one about a chart identity has no name for."""
    pid = practice["id"]
    with db.transaction() as tx:
        s = tx.session
        s.add(StaffUser(id="dana", practice_id=pid, email="dana@example.org",
                        name="Dana Whitfield", role="practice_admin", password_hash="x"))
        s.add(Contact(id="jane", practice_id=pid, email="jane@example.org", name="Jane Doe"))
        s.add(ClientAccount(id="leo-login", practice_id=pid, client_id="leo",
                            login="leo@example.org", client_name="Leo Doe", password_hash="x"))
        s.flush()
        s.add(AccountClient(account_id="leo-login", client_id="ava", practice_id=pid,
                            client_name="Ava Doe", linked_at=T0))
        s.add(ContactGrant(contact_id="jane", client_id="mia", practice_id=pid,
                           client_name="Mia Doe", client_date_of_birth=date(2015, 1, 1),
                           permissions=["view_appointments"], granted_at=T0, updated_at=T0))
        rows = [("contact_created", ("staff", "dana"), ("contact", "jane")),
                ("grant_changed", ("staff", "dana"), ("contact", "jane")),
                ("sign_in", ("client", "leo-login"), ("client", "leo-login")),
                ("invitation_sent", ("staff", "dana"), ("client", "mia")),
                ("client_details_synced", ("system", "system"), ("chart", "ava")),
                ("invitation_sent", ("staff", "dana"), ("client", "nobody-knows")),
                ("contact_status_changed", ("staff", "gone-staff"), ("contact", "gone")),
                ("practice_settings_changed", ("staff", "dana"), None)]
        for i, (action, who, about) in enumerate(rows):
            store.audit.record(s, action, T0 + timedelta(minutes=i), pid, actor=who, subject=about)
    return pid


def selects(db):
    seen = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_names_are_resolved_for_the_page_in_one_query_per_kind(service, db, practice, people):
    admin = staff_actor(practice, permissions=("view_audit_log",), staff_id="admin")
    seen = selects(db)
    entries = service.list_audit(admin, {})["entries"]
    # the page, then staff, contacts, and clients with charts: never one query per row
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 4
    named = {(e["action"], e["subject_id"]): (e["actor_name"], e["subject_name"])
             for e in entries}
    assert named[("contact_created", "jane")] == ("Dana Whitfield", "Jane Doe")
    assert named[("sign_in", "leo-login")] == ("Leo Doe", "Leo Doe")
    assert named[("invitation_sent", "mia")] == ("Dana Whitfield", "Mia Doe")   # a grant's copy
    assert named[("client_details_synced", "ava")] == (None, "Ava Doe")          # a link's copy
    assert named[("invitation_sent", "nobody-knows")] == ("Dana Whitfield", None)
    assert named[("contact_status_changed", "gone")] == (None, None)             # deleted
    assert named[("practice_settings_changed", None)] == ("Dana Whitfield", None)


def test_a_page_keeps_its_limit_and_filters(service, practice, people):
    admin = staff_actor(practice, permissions=("view_audit_log",), staff_id="admin")
    page = service.list_audit(admin, {"limit": 2})["entries"]
    assert [e["action"] for e in page] == ["practice_settings_changed", "contact_status_changed"]
    only = service.list_audit(admin, {"subject_id": "jane"})["entries"]
    assert {e["subject_name"] for e in only} == {"Jane Doe"} and len(only) == 2


def test_another_practices_names_are_never_used(db, people):
    with db.read() as session:
        rows = session.scalars(select(AuditEntry)).all()
        assert rows and store.audit.names(session, "another-practice", rows) == {}
