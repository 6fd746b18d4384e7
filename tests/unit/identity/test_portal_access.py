"""Issue 4 through worker_factory: invitations, password resets, portal settings, audit.
charts is the only mock (one hop, asked before any transaction)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.common.actor import Actor
from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests, Unauthenticated)
from services.identity.domain import invitations, tokens
from services.identity.models import Invitation, PasswordReset, Session
from tests.unit.identity.conftest import SECRET, staff_actor

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
PASSWORD = "copper kettle meadow 77"
CHART = {"id": "client-9", "first_name": "Jane", "last_name": "Rivers",
         "email": "Jane.Rivers@Example.org", "date_of_birth": "1988-04-09"}


@pytest.fixture
def staff(practice):
    return staff_actor(practice)


@pytest.fixture
def chart(service):
    record = dict(CHART)
    service.charts.get_client.side_effect = lambda actor, client_id: dict(record, id=client_id)
    return record


def token_of(db, type_="invitation.sent"):
    return db.events(type_)[-1]["data"]["link_path"].rsplit("/", 1)[1]


def invite(service, staff, client_id="client-9"):
    return service.invite_client(staff, {"client_id": client_id})


def accept(service, token, dob="1988-04-09", password=PASSWORD):
    return service.accept_invitation({"token": token, "date_of_birth": dob,
                                      "password": password, "source_ip": "198.51.100.7"})


# -- invitations ---------------------------------------------------------------------------------
def test_invitation_emails_a_single_use_link_and_stores_only_its_hash(service, staff, chart,
                                                                        db, clock, practice):
    clock.set(T0)
    status = invite(service, staff)
    assert status["status"] == "sent" and status["invited_at"] == T0.isoformat()
    assert status["expires_at"] == (T0 + timedelta(days=7)).isoformat()
    assert status["resend_at"] == (T0 + timedelta(minutes=5)).isoformat()
    sent = db.events("invitation.sent")[0]
    data = sent["data"]
    assert data["email"] == "jane.rivers@example.org" and data["resend"] is False
    assert data["link_path"].startswith("/p/oak-tree/invite/")
    assert data["practice_name"] == "Oak Tree Counseling" and data["portal_path"] == "/p/oak-tree"
    assert "date_of_birth" not in data and "Jane" not in str(data)  # no chart values
    token = token_of(db)
    with db.read() as s:
        row = s.scalar(select(Invitation))
        assert row.token_hash == invitations.hash_token(token) and token not in row.token_hash
    # charts was asked as the staff member, once, before the write
    (actor, client_id), _ = service.charts.get_client.call_args
    assert actor["kind"] == "staff" and client_id == "client-9"


@pytest.mark.parametrize("missing,fields", [
    ({"email": None}, {"email"}), ({"date_of_birth": None}, {"date_of_birth"}),
    ({"email": "", "date_of_birth": None}, {"email", "date_of_birth"})])
def test_invitation_needs_email_and_date_of_birth_on_file(service, staff, chart, missing, fields,
                                                          db):
    chart.update(missing)
    with pytest.raises(InvalidInput) as exc:
        invite(service, staff)
    assert exc.value.code == "client_details_missing" and set(exc.value.fields) == fields
    assert db.events() == [] or all(e["type"] != "invitation.sent" for e in db.events())


def test_resend_only_five_minutes_after_the_last_send_and_it_supersedes(service, staff, chart,
                                                                        db, clock):
    clock.set(T0)
    invite(service, staff)
    first = token_of(db)
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(TooManyRequests) as exc:
        invite(service, staff)
    assert exc.value.code == "resend_too_soon"
    assert exc.value.fields["retry_at"] == (T0 + timedelta(minutes=5)).isoformat()
    assert exc.value.fields["retry_after"] == 1
    clock.set(T0 + timedelta(minutes=5))
    again = invite(service, staff)
    assert again["status"] == "sent" and db.events("invitation.sent")[-1]["data"]["resend"]
    with pytest.raises(Conflict) as old:
        service.get_invitation({"token": first})
    assert old.value.code == "invitation_replaced"
    assert service.get_invitation({"token": token_of(db)})["login"] == "jane.rivers@example.org"


def test_only_portal_access_managers_invite(service, practice, chart):
    with pytest.raises(Forbidden):
        invite(service, staff_actor(practice, permissions=("view_clients",)))
    client = Actor(practice_id=practice["id"], kind="client", id="a", clients={"c": ("*",)})
    with pytest.raises(Forbidden):
        invite(service, client.to_wire())


def test_accepting_with_the_right_birth_date_creates_the_account_and_signs_in(
        service, staff, chart, db, clock):
    clock.set(T0)
    invite(service, staff)
    clock.advance(days=2)
    result = accept(service, token_of(db))
    claims = tokens.decode_access_token(result["access_token"], SECRET, leeway=10**9)
    assert claims["kind"] == "client" and claims["clients"] == {"client-9": ["*"]}
    assert result["principal"]["name"] == "Jane Rivers" and result["must_change_password"] is False
    created = db.events("account.created")[-1]["data"]
    assert created["via"] == "invitation" and created["login"] == "jane.rivers@example.org"
    assert db.events("invitation.accepted")[0]["data"]["account_id"] == claims["sub"]
    status = service.get_portal_access_status(staff, "client-9")
    assert status["status"] == "signed_up" and status["signed_up_at"] == (T0 + timedelta(days=2)).isoformat()
    assert status["login"] == "jane.rivers@example.org" and status["last_sign_in_at"]
    # single use, and the new password signs in
    with pytest.raises(Conflict) as used:
        accept(service, token_of(db))
    assert used.value.code == "invitation_used"
    assert service.authenticate({"practice_code": "oak-tree", "login": "jane.rivers@example.org",
                                 "password": PASSWORD, "audience": "portal"})["access_token"]


def test_five_wrong_birth_dates_lock_the_invitation(service, staff, chart, db):
    invite(service, staff)
    token = token_of(db)
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput) as exc:
            accept(service, token, dob="1988-09-04")
        assert exc.value.code == "date_of_birth_mismatch"
        assert exc.value.fields["attempts_left"] == left
    with pytest.raises(Conflict) as locked:
        accept(service, token, dob="1988-09-04")
    assert locked.value.code == "invitation_locked"
    with pytest.raises(Conflict):
        accept(service, token)           # even the right date is refused now
    assert db.events("invitation.locked")
    assert service.get_portal_access_status(staff, "client-9")["status"] == "locked"
    assert service.list_portal_access(staff, {"status": "locked"})["total"] == 1


def test_a_refused_password_costs_no_attempt(service, staff, chart, db):
    invite(service, staff)
    with pytest.raises(InvalidInput) as exc:
        accept(service, token_of(db), password="short")
    assert "password" in exc.value.fields
    with db.read() as s:
        assert s.scalar(select(Invitation)).dob_failures == 0


def test_expiry_follows_the_practice_setting(service, staff, chart, db, clock, practice):
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    service.update_practice_settings(admin, {"invitation_days": 3})
    clock.set(T0)
    invite(service, staff)
    clock.set(T0 + timedelta(days=3))
    with pytest.raises(Conflict) as exc:
        accept(service, token_of(db))
    assert exc.value.code == "invitation_expired"
    assert service.get_portal_access_status(staff, "client-9")["status"] == "expired"
    assert service.list_portal_access(staff, {"status": "expired"})["items"][0]["client_id"] == "client-9"


def test_status_of_a_never_invited_client_and_of_removed_access(service, staff, chart, db):
    assert service.get_portal_access_status(staff, "nobody")["status"] == "never_invited"
    invite(service, staff)
    accept(service, token_of(db))
    with pytest.raises(Conflict) as exc:
        invite(service, staff)
    assert exc.value.code == "access_exists"
    service.set_client_access_status(staff, {"client_id": "client-9", "status": "inactive"})
    assert service.get_portal_access_status(staff, "client-9")["status"] == "access_removed"
    removed = db.events("account.suspended")[-1]["data"]
    assert removed["login"] == "jane.rivers@example.org" and removed["status"] == "inactive"


def test_unknown_invitation_token(service):
    with pytest.raises(NotFound) as exc:
        service.get_invitation({"token": "not-a-token"})
    assert exc.value.code == "invitation_not_found"


# -- password reset ---------------------------------------------------------------------------------
@pytest.fixture
def jane(service, staff, chart, db):
    invite(service, staff)
    return accept(service, token_of(db))


def test_reset_request_answers_the_same_for_unknown_and_known_emails(service, jane, db):
    known = service.request_password_reset({"practice_code": "oak-tree",
                                            "email": "JANE.rivers@example.org"})
    unknown = service.request_password_reset({"practice_code": "oak-tree",
                                              "email": "nobody@example.org"})
    assert known == unknown and known["accepted"] is True
    sent = db.events("password_reset.requested")
    assert len(sent) == 1 and sent[0]["data"]["email"] == "jane.rivers@example.org"
    assert sent[0]["data"]["link_path"].startswith("/p/oak-tree/reset/")
    assert sent[0]["data"]["requested_by"] == "self"
    # a second request within a minute sends nothing more, and still answers the same
    assert service.request_password_reset({"practice_code": "oak-tree",
                                           "email": "jane.rivers@example.org"}) == known
    assert len(db.events("password_reset.requested")) == 1


def test_completing_a_reset_sets_the_password_and_ends_every_session(service, jane, db, clock):
    service.request_password_reset({"practice_code": "oak-tree", "email": "jane.rivers@example.org"})
    token = token_of(db, "password_reset.requested")
    page = service.get_password_reset({"token": token})
    assert page["kind"] == "client" and page["practice"]["code"] == "oak-tree"
    with pytest.raises(InvalidInput) as weak:
        service.complete_password_reset({"token": token, "new_password": "password"})
    assert "new_password" in weak.value.fields
    done = service.complete_password_reset({"token": token,
                                            "new_password": "orange harbor lights 19"})
    assert done == {"kind": "client", "practice_code": "oak-tree",
                    "login": "jane.rivers@example.org"}
    changed = db.events("password.changed")[-1]["data"]
    assert changed["via"] == "reset" and changed["login"] == "jane.rivers@example.org"
    assert db.events("session.revoked")[-1]["data"]["session_ids"] == [jane["session_id"]]
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": jane["refresh_token"]})
    with pytest.raises(NotFound) as used:
        service.complete_password_reset({"token": token, "new_password": "another fine lamp 55"})
    assert used.value.code == "reset_link_invalid"
    assert service.authenticate({"practice_code": "oak-tree", "login": "jane.rivers@example.org",
                                 "password": "orange harbor lights 19", "audience": "portal"})


def test_reset_links_expire_after_a_day(service, jane, db, clock):
    clock.set(T0)
    service.request_password_reset({"practice_code": "oak-tree", "email": "jane.rivers@example.org"})
    clock.set(T0 + timedelta(hours=24))
    with pytest.raises(NotFound):
        service.get_password_reset({"token": token_of(db, "password_reset.requested")})


def test_staff_send_a_reset_and_the_newest_link_wins(service, jane, staff, db, practice):
    service.request_password_reset({"practice_code": "oak-tree", "email": "jane.rivers@example.org"})
    first = token_of(db, "password_reset.requested")
    out = service.send_password_reset(staff, {"client_id": "client-9"})
    assert out["sent_to"] == "jane.rivers@example.org"
    assert db.events("password_reset.requested")[-1]["data"]["requested_by"] == "staff"
    with pytest.raises(NotFound):
        service.get_password_reset({"token": first})
    with pytest.raises(Forbidden):
        service.send_password_reset(staff, {"staff_id": "someone"})   # needs manage_staff
    with pytest.raises(NotFound):
        service.send_password_reset(staff, {"client_id": "no-login"})


def test_suspended_accounts_get_no_reset(service, jane, staff, db):
    service.set_client_access_status(staff, {"client_id": "client-9", "status": "suspended"})
    service.request_password_reset({"practice_code": "oak-tree", "email": "jane.rivers@example.org"})
    assert db.events("password_reset.requested") == []
    with pytest.raises(Conflict):
        service.send_password_reset(staff, {"client_id": "client-9"})


def test_change_password_event_carries_where_to_write(service, jane, practice, db):
    me = Actor(practice_id=practice["id"], kind="client", id=jane["principal"]["id"],
               clients={"client-9": ("*",)}).to_wire()
    service.change_password(me, {"current_password": PASSWORD,
                                 "new_password": "violet canyon drums 31"})
    data = db.events("password.changed")[-1]["data"]
    assert data == {"account_id": jane["principal"]["id"], "kind": "client", "via": "change",
                    "login": "jane.rivers@example.org", "practice_name": "Oak Tree Counseling",
                    "portal_path": "/p/oak-tree", "portal_subdomain": None}


def test_email_events_carry_the_practice_s_own_subdomain_for_the_portal_only(
        service, staff, chart, db, practice, clock):
    """notify builds links at https://<subdomain>.<base>/ from `portal_subdomain`; the staff
    console's events name none (it is not on the practice's own address)."""
    admin = staff_actor(practice, permissions=("manage_practice_settings", "manage_staff"),
                        staff_id="admin")
    service.update_practice_settings(admin, {"subdomain": "oak"})
    invite(service, staff)
    accept(service, token_of(db))
    service.request_password_reset({"practice_code": "oak-tree",
                                    "email": "jane.rivers@example.org"})
    for type_ in ("invitation.sent", "password_reset.requested"):
        data = db.events(type_)[-1]["data"]
        assert (data["portal_path"], data["portal_subdomain"]) == ("/p/oak-tree", "oak")
        assert data["link_path"].startswith("/p/oak-tree/")
    service.invite_staff(admin, {"email": "new.clinician@example.org", "name": "New One",
                                 "role": "clinician"})
    staff_invite = db.events("staff.invited")[-1]["data"]
    assert staff_invite["portal_path"] == "/staff/oak-tree"
    assert staff_invite["portal_subdomain"] is None
    service.update_practice_settings(admin, {"subdomain": None})
    clock.advance(minutes=2)            # a repeat within a minute sends nothing
    service.request_password_reset({"practice_code": "oak-tree",
                                    "email": "jane.rivers@example.org"})
    assert db.events("password_reset.requested")[-1]["data"]["portal_subdomain"] is None


# -- practice settings and audit ---------------------------------------------------------------------
def test_practice_settings_are_partial_audited_and_announced(service, practice, db):
    admin = staff_actor(practice, permissions=("manage_practice_settings", "view_audit_log"),
                        staff_id="admin")
    out = service.update_practice_settings(admin, {
        "title": "Oak Tree portal", "password_help": "Call 555-0100.", "theme_color": "#2a6f97",
        "accent_color": "#ffcc00", "subdomain": "oak",
        "idle_timeout_minutes": 20, "portal_enabled": False})
    assert out["password_help"] == "Call 555-0100." and out["idle_timeout_minutes"] == 20
    assert service.get_practice("oak-tree")["subdomain"] == "oak"
    assert service.get_practice_by_subdomain("OAK")["code"] == "oak-tree"
    updated = db.events("practice.updated")[-1]["data"]
    assert updated["title"] == "Oak Tree portal" and updated["previous_code"] == "oak-tree"
    service.update_practice_settings(admin, {"code": "oak-grove"})
    assert db.events("practice.updated")[-1]["data"]["code"] == "oak-grove"
    n = len(db.events("practice.updated"))
    service.update_practice_settings(admin, {"idle_timeout_minutes": 20})   # nothing changed
    assert len(db.events("practice.updated")) == n
    entries = service.list_audit(admin, {"action": "practice_settings_changed"})["entries"]
    assert len(entries) == 2 and entries[0]["detail"]["fields"] == ["code"]
    with pytest.raises(InvalidInput) as exc:
        service.update_practice_settings(admin, {"theme_color": "blue", "idle_timeout_minutes": 1})
    assert set(exc.value.fields) == {"theme_color", "idle_timeout_minutes"}
    with pytest.raises(Forbidden):
        service.update_practice_settings(staff_actor(practice), {"title": "x"})


def test_codes_and_subdomains_stay_unique(service, practice, db):
    from tests.unit.identity.conftest import SYSTEM
    service.create_practice(SYSTEM, {"code": "elm", "name": "Elm"})
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    with pytest.raises(Conflict) as exc:
        service.update_practice_settings(admin, {"code": "elm"})
    assert exc.value.code == "code_taken"


def test_audit_is_for_administrators_and_filters(service, jane, practice, staff):
    with pytest.raises(Forbidden):
        service.list_audit(staff, {})
    admin = staff_actor(practice, permissions=("view_audit_log",), staff_id="admin")
    entries = service.list_audit(admin, {})["entries"]
    actions = [e["action"] for e in entries]
    assert {"invitation_sent", "invitation_accepted", "sign_in"} <= set(actions)
    sign_ins = service.list_audit(admin, {"action": "sign_in", "limit": 1})["entries"]
    assert len(sign_ins) == 1 and sign_ins[0]["source_ip"] == "198.51.100.7"
    other = Actor(practice_id="other", kind="staff", id="x", permissions=("view_audit_log",))
    assert service.list_audit(other.to_wire(), {})["entries"] == []


# -- linked clients ------------------------------------------------------------------------------------
def charts_with(service, records):
    service.charts.get_client.side_effect = lambda actor, client_id: records[client_id]


def test_one_account_reaches_every_linked_client_until_unlinked(service, jane, staff, db):
    account_id = jane["principal"]["id"]
    charts_with(service, {
        "son": {"id": "son", "first_name": "Leo", "last_name": "Rivers",
                "email": "jane.rivers@EXAMPLE.org"},
        "stranger": {"id": "stranger", "first_name": "Al", "last_name": "Other",
                     "email": "al@example.org"}})
    view = service.link_client(staff, {"account_id": account_id, "client_id": "son"})
    assert [c["client_id"] for c in view["clients"]] == ["client-9", "son"]
    with pytest.raises(Conflict) as mismatch:
        service.link_client(staff, {"account_id": account_id, "client_id": "stranger"})
    assert mismatch.value.code == "email_mismatch"
    with pytest.raises(Conflict) as twice:
        service.link_client(staff, {"account_id": account_id, "client_id": "son"})
    assert twice.value.code == "access_exists"
    # the next token carries both clients, each with its own name
    refreshed = service.refresh({"refresh_token": jane["refresh_token"]})
    claims = tokens.decode_access_token(refreshed["access_token"], SECRET, leeway=10**9)
    assert claims["clients"] == {"client-9": ["*"], "son": ["*"]}
    names = {c["client_id"]: c["name"] for c in refreshed["principal"]["clients"]}
    assert names == {"client-9": "Jane Rivers", "son": "Leo Rivers"}
    # a linked client cannot be invited or given a login of its own
    with pytest.raises(Conflict):
        service.invite_client(staff, {"client_id": "son"})
    # unlinking ends every session: no token naming the son stays usable
    with pytest.raises(Conflict) as own:
        service.unlink_client(staff, {"account_id": account_id, "client_id": "client-9"})
    assert own.value.code == "own_client"
    view = service.unlink_client(staff, {"account_id": account_id, "client_id": "son"})
    assert [c["client_id"] for c in view["clients"]] == ["client-9"]
    assert db.events("account.client_unlinked")[0]["data"] == {"account_id": account_id,
                                                               "client_id": "son"}
    assert refreshed["session_id"] in db.events("session.revoked")[-1]["data"]["session_ids"]
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": refreshed["refresh_token"]})
    with pytest.raises(NotFound):
        service.unlink_client(staff, {"account_id": account_id, "client_id": "son"})
    assert service.get_account_clients(staff, account_id)["clients"][0]["own"] is True


def test_linking_is_for_portal_access_managers_of_the_same_practice(service, jane, practice):
    other = Actor(practice_id="elsewhere", kind="staff", id="x",
                  permissions=("manage_portal_access", "view_clients")).to_wire()
    with pytest.raises(NotFound):
        service.link_client(other, {"account_id": jane["principal"]["id"], "client_id": "c"})
    with pytest.raises(Forbidden):
        service.link_client(staff_actor(practice, permissions=("view_clients",)),
                            {"account_id": jane["principal"]["id"], "client_id": "c"})
