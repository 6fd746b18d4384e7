"""identity's entrypoints through nameko's worker_factory, on an in-memory database."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from services.common.actor import Actor
from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests, Unauthenticated)
from services.identity.domain import tokens
from services.identity.models import AuditEntry, RolePermission, Session, SignInThrottle
from tests.unit.identity.conftest import SECRET, SYSTEM, staff_actor

TEMP = "amber lantern orchard 42"
NEW = "seven quiet violins hum"


@pytest.fixture
def access(service, practice):
    staff = staff_actor(practice)
    return service.create_client_access(staff, {
        "client_id": "client-1", "login": "Maria.Lopez@Example.org",
        "temporary_password": TEMP, "change_password_at_next_login": False,
        "status": "active", "client_name": "Maria Lopez"})


def sign_in(service, password=TEMP, login="maria.lopez@example.org", code="oak-tree", ip=None):
    return service.authenticate({"practice_code": code, "login": login, "password": password,
                                 "audience": "portal", "source_ip": ip})


def client_actor(result):
    p = result["principal"]
    return Actor(practice_id=p["practice"]["id"], kind="client", id=p["id"],
                 clients={"client-1": ("*",)}).to_wire()

STAFF_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_get_practice_returns_branding_with_defaults(service, practice):
    got = service.get_practice("Oak-Tree")
    assert got == practice
    assert got["time_zone"] == "America/New_York" and got["portal_enabled"] is True
    assert set(got) == {"id", "code", "name", "title", "instructions", "time_zone",
                        "portal_enabled", "password_help", "theme_color", "accent_color",
                        "logo_ref", "logo_sha256", "logo_content_type", "subdomain",
                        "theme_text_color", "accent_text_color", "idle_timeout_minutes",
                        "invitation_days",
                        "guardian_full_until_age", "guardian_access_ends_at_age",
                        "client_own_access_from_age", "confidential_permissions",
                        "mfa_required_for_clients"}
    assert got["idle_timeout_minutes"] == 15 and got["invitation_days"] == 7
    with pytest.raises(NotFound):
        service.get_practice("nope")


def test_create_practice_is_system_only_and_codes_are_unique(service, practice):
    with pytest.raises(Forbidden):
        service.create_practice(staff_actor(practice), {"code": "x", "name": "X"})
    with pytest.raises(Conflict):
        service.create_practice(SYSTEM, {"code": "oak-tree", "name": "Other"})
    with pytest.raises(InvalidInput) as exc:
        service.create_practice(SYSTEM, {"code": "Bad Code", "name": "X", "time_zone": "Mars/Base"})
    assert set(exc.value.fields) == {"code", "time_zone"}


def test_sign_in_issues_a_token_pair_with_the_contract_claims(service, access, db):
    result = sign_in(service, ip="203.0.113.9")
    claims = tokens.decode_access_token(result["access_token"], SECRET)
    assert claims["kind"] == "client" and claims["sub"] == access["account_id"]
    assert claims["clients"] == {"client-1": ["*"]} and claims["mcp"] is False
    assert claims["pcode"] == "oak-tree" and claims["sid"] == result["session_id"]
    assert result["expires_in"] == 300 and result["must_change_password"] is False
    assert result["principal"]["clients"] == [
        {"client_id": "client-1", "name": "Maria Lopez", "permissions": ["*"]}]
    with db.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in"))
        assert entry.source_ip == "203.0.113.9" and entry.subject_id == access["account_id"]


def test_login_is_case_insensitive(service, access):
    assert sign_in(service, login="  MARIA.LOPEZ@example.ORG ")["access_token"]


def test_unknown_login_and_wrong_password_are_the_same_error(service, access, db):
    with pytest.raises(Unauthenticated) as wrong:
        sign_in(service, password="not the password at all")
    with pytest.raises(Unauthenticated) as unknown:
        sign_in(service, login="nobody@example.org")
    with pytest.raises(Unauthenticated) as other_practice:
        sign_in(service, code="elsewhere")
    assert wrong.value.to_dict() == unknown.value.to_dict() == other_practice.value.to_dict() == {
        "error": "invalid_credentials", "message": "The sign-in name or password is not right."}
    with db.read() as s:
        failed = s.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).all()
        assert len(failed) == 3
        assert all("nobody" not in str(e.detail) for e in failed)  # typed names not kept


def test_repeated_failures_back_off_with_retry_after(service, access, db):
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sign_in(service, password="wrong wrong wrong")
    with pytest.raises(TooManyRequests) as exc:
        sign_in(service)  # even the right password waits, from a device never signed in
    assert exc.value.fields["retry_after"] >= 1
    # the wait passes: the right password works and the count is forgotten
    with db.transaction() as tx:
        for row in tx.session.scalars(select(SignInThrottle)):
            row.blocked_until = row.blocked_until - timedelta(hours=1) if row.blocked_until else None
    assert sign_in(service)["access_token"]
    with db.read() as s:
        assert s.scalar(select(func.max(SignInThrottle.failures))) == 0


def test_failures_from_one_address_across_accounts_back_off(service, access):
    for n in range(10):
        with pytest.raises(Unauthenticated):
            sign_in(service, login=f"guess{n}@example.org", ip="198.51.100.7")
    with pytest.raises(TooManyRequests):
        sign_in(service, ip="198.51.100.7")
    assert sign_in(service, ip="198.51.100.8")["access_token"]


def test_suspended_and_inactive_accounts_cannot_sign_in(service, access, practice, db):
    session = sign_in(service)
    staff = staff_actor(practice)
    out = service.set_client_access_status(staff, {"client_id": "client-1", "status": "suspended"})
    assert out["status"] == "suspended"
    with pytest.raises(Unauthenticated) as exc:
        sign_in(service)
    assert exc.value.code == "account_inactive"
    suspended = db.events("account.suspended")
    revoked = db.events("session.revoked")
    assert suspended[0]["data"] == {"account_id": access["account_id"], "client_id": "client-1",
                                    "status": "suspended", "login": "maria.lopez@example.org",
                                    "practice_name": "Oak Tree Counseling",
                                    "portal_path": "/p/oak-tree", "portal_subdomain": None}
    assert revoked[0]["data"]["session_ids"] == [session["session_id"]]
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": session["refresh_token"]})
    service.set_client_access_status(staff, {"client_id": "client-1", "status": "inactive"})
    with pytest.raises(Unauthenticated) as exc:
        sign_in(service)
    assert exc.value.code == "account_inactive"
    service.set_client_access_status(staff, {"client_id": "client-1", "status": "active"})
    assert sign_in(service)["access_token"]


def test_wrong_password_on_a_suspended_account_says_invalid_credentials(service, access, practice):
    service.set_client_access_status(staff_actor(practice),
                                     {"client_id": "client-1", "status": "suspended"})
    with pytest.raises(Unauthenticated) as exc:
        sign_in(service, password="not the password at all")
    assert exc.value.code == "invalid_credentials"  # status is told only to the password holder


def test_must_change_password_flow(service, practice, db):
    staff = staff_actor(practice)
    service.create_client_access(staff, {
        "client_id": "client-1", "login": "maria.lopez@example.org", "temporary_password": TEMP,
        "change_password_at_next_login": True, "client_name": "Maria Lopez"})
    first = sign_in(service)
    assert first["must_change_password"] is True
    assert tokens.decode_access_token(first["access_token"], SECRET)["mcp"] is True
    actor = client_actor(first)
    with pytest.raises(InvalidInput) as exc:
        service.change_password(actor, {"current_password": TEMP, "new_password": "short"})
    assert list(exc.value.fields) == ["new_password"]
    with pytest.raises(InvalidInput) as exc:
        service.change_password(actor, {"current_password": TEMP,
                                        "new_password": "maria lopez is great"})
    assert exc.value.fields["new_password"]
    with pytest.raises(InvalidInput) as exc:
        service.change_password(actor, {"current_password": "wrong wrong wrong",
                                        "new_password": NEW})
    assert list(exc.value.fields) == ["current_password"]
    fresh = service.change_password(actor, {"current_password": TEMP, "new_password": NEW})
    assert fresh["must_change_password"] is False
    assert tokens.decode_access_token(fresh["access_token"], SECRET)["mcp"] is False
    assert db.events("password.changed")[0]["data"]["kind"] == "client"
    assert db.events("session.revoked")[0]["data"]["session_ids"] == [first["session_id"]]
    with pytest.raises(Unauthenticated):
        sign_in(service)
    assert sign_in(service, password=NEW)["must_change_password"] is False


def test_refresh_rotates_and_reuse_revokes_the_family(service, access, db):
    first = sign_in(service)
    second = service.refresh({"refresh_token": first["refresh_token"]})
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"]
    third = service.refresh({"refresh_token": second["refresh_token"]})
    with pytest.raises(Unauthenticated) as exc:
        service.refresh({"refresh_token": first["refresh_token"]})  # a stolen old one
    assert exc.value.code == "refresh_token_reused"
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": third["refresh_token"]})  # the family is gone
    revoked = db.events("session.revoked")
    assert revoked[0]["data"]["session_ids"] == [first["session_id"]]
    assert service.list_revocations({})["sessions"][0]["session_id"] == first["session_id"]
    with pytest.raises(Unauthenticated) as exc:
        service.refresh({"refresh_token": "never-issued"})
    assert exc.value.code == "session_ended"


def test_sign_out_revokes_own_session_only(service, access, practice, db):
    session = sign_in(service)
    other = staff_actor(practice, staff_id="someone-else")
    with pytest.raises(NotFound):
        service.sign_out(other, {"session_id": session["session_id"]})
    out = service.sign_out(client_actor(session), {"session_id": session["session_id"]})
    assert out["session_id"] == session["session_id"]
    service.sign_out(client_actor(session), {"session_id": session["session_id"]})  # again: fine
    assert len(db.events("session.revoked")) == 1
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": session["refresh_token"]})


def test_create_client_access_rules(service, practice, access, db):
    staff = staff_actor(practice)
    assert access["login"] == "maria.lopez@example.org" and access["status"] == "active"
    created = db.events("account.created")[0]["data"]
    assert created["portal_path"] == "/p/oak-tree" and created["practice_name"] == "Oak Tree Counseling"
    base = {"client_id": "client-2", "login": "maria.lopez@example.org",
            "temporary_password": TEMP, "change_password_at_next_login": True,
            "status": "active", "client_name": "Other Person"}
    with pytest.raises(Conflict) as exc:
        service.create_client_access(staff, base)
    assert exc.value.code == "login_taken"
    with pytest.raises(Conflict) as exc:
        service.create_client_access(staff, dict(base, client_id="client-1", login="x@example.org"))
    assert exc.value.code == "access_exists"
    with pytest.raises(InvalidInput) as exc:
        service.create_client_access(staff, dict(base, login="y@example.org",
                                                 temporary_password="password12345678"))
    assert list(exc.value.fields) == ["temporary_password"]
    with pytest.raises(InvalidInput):
        service.create_client_access(staff, dict(base, login="not-an-email"))
    with pytest.raises(Forbidden):
        service.create_client_access(staff_actor(practice, permissions=("view_clients",)), base)


def test_get_client_access(service, practice, access):
    got = service.get_client_access(staff_actor(practice), "client-1")
    assert got == access
    assert set(got) == {"account_id", "client_id", "login", "status", "must_change_password",
                        "created_at", "last_sign_in_at"}
    with pytest.raises(NotFound):
        service.get_client_access(staff_actor(practice), "client-404")
    with pytest.raises(Forbidden):
        service.get_client_access(Actor(practice_id=practice["id"], kind="client", id="a",
                                        clients={"client-1": ("*",)}).to_wire(), "client-1")


def test_staff_of_another_practice_see_nothing(service, practice, access):
    other = service.create_practice(SYSTEM, {"code": "birch", "name": "Birch Therapy"})
    intruder = staff_actor(other)
    with pytest.raises(NotFound):
        service.get_client_access(intruder, "client-1")
    with pytest.raises(NotFound):
        service.set_client_access_status(intruder, {"client_id": "client-1", "status": "suspended"})
    assert service.list_staff(intruder) == []


def test_staff_sign_in_permissions_and_overrides(service, practice, db):
    system = Actor.system(practice_id=practice["id"]).to_wire()
    admin = service.create_staff(system, {"email": "Ada@Oak.example", "name": "Ada Admin",
                                          "role": "practice_admin", "password": NEW})
    assert admin["email"] == "ada@oak.example" and admin["role"] == "practice_admin"
    clin = service.create_staff(system, {"email": "cy@oak.example", "name": "Cy Clinician",
                                         "role": "clinician", "password": NEW,
                                         "mfa_secret": STAFF_SECRET})
    with db.transaction() as tx:
        tx.session.add(RolePermission(practice_id=practice["id"], role="clinician",
                                      permission="edit_clients", granted=True))
    step = service.authenticate({"practice_code": "oak-tree", "login": "cy@oak.example",
                                 "password": NEW, "audience": "staff"})
    assert step["mfa_required"] is True and "access_token" not in step
    result = service.complete_mfa({"mfa_token": step["mfa_token"],
                                   "code": pyotp.TOTP(STAFF_SECRET).now()})
    claims = tokens.decode_access_token(result["access_token"], SECRET)
    assert claims["kind"] == "staff" and claims["roles"] == ["clinician"]
    assert claims["perms"] == ["edit_clients", "manage_appointments", "manage_portal_access",
                              "sees_clients", "upload_client_documents", "view_clients"]
    assert claims["clients"] == {}
    assert claims["sub"] == clin["id"]
    # portal audience does not find staff
    with pytest.raises(Unauthenticated):
        service.authenticate({"practice_code": "oak-tree", "login": "cy@oak.example",
                              "password": NEW, "audience": "portal"})
    staff_wire = Actor(practice_id=practice["id"], kind="staff", id=clin["id"],
                       permissions=("view_clients",)).to_wire()
    with pytest.raises(Forbidden):
        service.create_staff(staff_wire, {"email": "z@oak.example", "name": "Z",
                                          "role": "intern", "password": NEW})
    with pytest.raises(Conflict):
        service.create_staff(system, {"email": "cy@oak.example", "name": "Cy",
                                      "role": "intern", "password": NEW})
    assert [s["name"] for s in service.list_staff(staff_wire)] == ["Ada Admin", "Cy Clinician"]
    session = service.get_session(staff_wire)
    assert session["kind"] == "staff" and session["practice"]["code"] == "oak-tree"
    assert session["permissions"] == ["edit_clients", "manage_appointments",
                                      "manage_portal_access", "sees_clients",
                                      "upload_client_documents", "view_clients"]


def test_sign_in_without_practice_code_works_when_the_login_is_unique(service, access):
    assert service.authenticate({"login": "maria.lopez@example.org", "password": TEMP,
                                 "audience": "portal"})["access_token"]


def test_portal_closed_practice_refuses_client_sign_in(service, db, access):
    from services.identity.models import Practice
    with db.transaction() as tx:
        tx.session.scalar(select(Practice)).portal_enabled = False
    with pytest.raises(Unauthenticated) as exc:
        sign_in(service)
    assert exc.value.code == "portal_disabled"


def test_get_session_for_a_client(service, access):
    result = sign_in(service)
    principal = service.get_session(client_actor(result))
    assert principal.pop("grants_paused") == 0     # get_session only: no grant of hers paused
    assert principal == result["principal"]
    assert principal["must_change_password"] is False


def test_list_revocations_only_looks_back_one_token_lifetime(service, access, db):
    first = sign_in(service)
    service.sign_out(client_actor(first), {"session_id": first["session_id"]})
    with db.transaction() as tx:
        row = tx.session.get(Session, first["session_id"])
        row.revoked_at = row.revoked_at - timedelta(hours=1)
    assert service.list_revocations({"since": "2000-01-01T00:00:00Z"})["sessions"] == []


def test_payloads_refuse_unknown_fields(service, access):
    with pytest.raises(InvalidInput):
        service.authenticate({"login": "a@b.c", "password": "x", "audience": "portal",
                              "remember_me": True})


def test_unknown_login_costs_one_verification_like_a_wrong_password(service, access):
    calls = []
    real = service.passwords.verify
    service.passwords.verify = lambda stored, password: calls.append(stored) or real(stored, password)
    for login in ("maria.lopez@example.org", "nobody@example.org"):
        with pytest.raises(Unauthenticated):
            sign_in(service, login=login, password="not the password at all")
    assert len(calls) == 2 and calls[0] is not None and calls[1] is None


def test_refresh_refuses_and_revokes_a_session_idle_past_the_practice_limit(
        service, access, practice, clock, db):
    start = clock()
    clock.set(start)
    kept = sign_in(service)
    # the last request may come one access-token lifetime (300 s) after the last refresh:
    # idle 15 minutes after that is still allowed ...
    clock.set(start + timedelta(minutes=15, seconds=299))
    kept = service.refresh({"refresh_token": kept["refresh_token"]})
    # ... and the limit counts from that refresh
    clock.set(start + timedelta(minutes=30, seconds=598))
    assert service.refresh({"refresh_token": kept["refresh_token"]})["access_token"]
    idle = sign_in(service)
    clock.set(clock() + timedelta(minutes=15, seconds=301))
    with pytest.raises(Unauthenticated) as exc:
        service.refresh({"refresh_token": idle["refresh_token"], "source_ip": "203.0.113.4"})
    assert exc.value.code == "session_timed_out"
    revoked = db.events("session.revoked")[-1]["data"]
    assert revoked["session_ids"] == [idle["session_id"]] and revoked["reason"] == "idle_timeout"
    with db.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "session_timed_out"))
        assert entry.session_id == idle["session_id"] and entry.source_ip == "203.0.113.4"
    with pytest.raises(Unauthenticated) as exc:   # the session stays ended
        service.refresh({"refresh_token": idle["refresh_token"]})
    assert exc.value.code == "refresh_token_reused"


def test_idle_limit_is_the_practices_setting(service, access, practice, clock):
    service.update_practice_settings(SYSTEM_FOR(practice), {"idle_timeout_minutes": 40})
    clock.set(clock())
    first = sign_in(service)
    clock.advance(minutes=44)
    assert service.refresh({"refresh_token": first["refresh_token"]})["access_token"]
    service.update_practice_settings(SYSTEM_FOR(practice), {"idle_timeout_minutes": 5})
    second = sign_in(service)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(Unauthenticated) as exc:
        service.refresh({"refresh_token": second["refresh_token"]})
    assert exc.value.code == "session_timed_out"


def SYSTEM_FOR(practice):
    return Actor.system(practice_id=practice["id"]).to_wire()


def test_list_staff_says_who_sees_clients_a_role_setting_the_practice_may_change(
        service, practice, db):
    """Issue 18: booking listed intake staff as clinicians. `list_staff` says who sees
    clients (`sees_clients`: clinicians, supervisors and interns by default), and a
    practice changes it per role like any permission."""
    system = Actor.system(practice_id=practice["id"]).to_wire()
    for email, name, role in (("ada@oak.example", "Ada Admin", "practice_admin"),
                              ("cy@oak.example", "Cy Clinician", "clinician"),
                              ("sam@oak.example", "Sam Intake", "intake")):
        service.create_staff(system, {"email": email, "name": name, "role": role,
                                      "password": NEW})
    listed = {s["name"]: s["sees_clients"] for s in service.list_staff(system)}
    assert listed == {"Ada Admin": False, "Cy Clinician": True, "Sam Intake": False}
    with db.transaction() as tx:
        tx.session.add(RolePermission(practice_id=practice["id"], role="intake",
                                      permission="sees_clients", granted=True))
    assert {s["name"]: s["sees_clients"] for s in service.list_staff(system)}["Sam Intake"]

