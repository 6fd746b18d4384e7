"""TOTP two-factor sign-in at fixed times, single-use recovery codes, staff invitations,
roles and per-role permission overrides — through worker_factory."""
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from services.common.actor import Actor
from services.common.errors import (Conflict, Forbidden, InvalidInput, TooManyRequests,
                                    Unauthenticated)
from services.identity.domain import mfa, roles, tokens
from tests.unit.identity.conftest import SECRET, SYSTEM, staff_actor

T0 = datetime(2026, 3, 2, 15, 0, 7, tzinfo=timezone.utc)
SHORT = "maple river 8"        # 13 characters: fine with a second factor, too short without
LONG = "copper kettle meadow 77"


@pytest.fixture
def admin(service, practice):
    system = Actor.system(practice_id=practice["id"]).to_wire()
    row = service.create_staff(system, {"email": "ada@oak.example", "name": "Ada Admin",
                                        "role": "practice_admin", "password": SHORT})
    return Actor(practice_id=practice["id"], kind="staff", id=row["id"],
                 roles=("practice_admin",),
                 permissions=roles.permissions_for(("practice_admin",))).to_wire()


def code_at(secret, when):
    return pyotp.TOTP(secret).at(when)


def staff_sign_in(service, login="ada@oak.example", password=SHORT):
    return service.authenticate({"practice_code": "oak-tree", "login": login,
                                 "password": password, "audience": "staff"})


# -- the rules alone -------------------------------------------------------------------------------
def test_totp_accepts_one_step_of_drift_and_never_the_same_step_twice():
    secret = pyotp.random_base32()
    step = int(T0.timestamp()) // 30
    assert mfa.matching_step(secret, code_at(secret, T0), T0) == step
    assert mfa.matching_step(secret, code_at(secret, T0 - timedelta(seconds=30)), T0) == step - 1
    assert mfa.matching_step(secret, code_at(secret, T0 + timedelta(seconds=30)), T0) == step + 1
    assert mfa.matching_step(secret, code_at(secret, T0 - timedelta(seconds=60)), T0) is None
    assert mfa.matching_step(secret, code_at(secret, T0), T0, last_step=step) is None
    assert mfa.matching_step(secret, "12 34 5x", T0) is None
    assert mfa.provisioning_uri(secret, "ada@oak.example", "Oak").startswith("otpauth://totp/")


def test_a_code_of_a_step_already_accepted_is_known_as_used():
    secret = pyotp.random_base32()
    step = int(T0.timestamp()) // 30
    assert mfa.already_used(secret, code_at(secret, T0), T0, last_step=step)
    assert mfa.already_used(secret, code_at(secret, T0 - timedelta(seconds=30)), T0, step)
    assert not mfa.already_used(secret, code_at(secret, T0 + timedelta(seconds=30)), T0, step)
    assert not mfa.already_used(secret, code_at(secret, T0), T0, last_step=None)
    assert not mfa.already_used(secret, "000000" if code_at(secret, T0) != "000000"
                                else "111111", T0, step)


def test_recovery_codes_are_random_and_stored_hashed():
    codes, hashes = mfa.new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes)
    assert hashes[0] == mfa.hash_recovery_code(codes[0].upper().replace("-", " "))
    assert codes[0] not in hashes[0]


# -- staff must enrol at the first sign-in -----------------------------------------------------------
def test_staff_enrol_at_first_sign_in_then_sign_in_in_two_steps(service, admin, clock, db):
    clock.set(T0)
    step = staff_sign_in(service)
    assert step["mfa_required"] is True and step["mfa_enrol"] is True
    assert "access_token" not in step
    with pytest.raises(Conflict):
        service.complete_mfa({"mfa_token": step["mfa_token"], "code": "123456"})
    enrol = service.start_mfa_enrolment({"mfa_token": step["mfa_token"]})
    assert enrol["otpauth_uri"].startswith("otpauth://totp/") and enrol["digits"] == 6
    done = service.complete_mfa({"mfa_token": step["mfa_token"],
                                 "code": code_at(enrol["secret"], T0)})
    claims = tokens.decode_access_token(done["access_token"], SECRET, leeway=10**9)
    assert claims["kind"] == "staff" and len(done["recovery_codes"]) == 10
    with pytest.raises(Unauthenticated):           # the mfa_token works once
        service.complete_mfa({"mfa_token": step["mfa_token"],
                              "code": code_at(enrol["secret"], T0)})
    # next time: a code is asked, the same step is refused (replay), the next accepted
    clock.set(T0 + timedelta(minutes=2))
    again = staff_sign_in(service)
    assert again["mfa_enrol"] is False
    with pytest.raises(InvalidInput) as wrong:
        service.complete_mfa({"mfa_token": again["mfa_token"], "code": "000000"})
    assert wrong.value.code == "invalid_code" and wrong.value.fields["attempts_left"] == 4
    ok = service.complete_mfa({"mfa_token": again["mfa_token"],
                               "code": code_at(enrol["secret"], clock())})
    assert ok["mfa_required"] is False and "recovery_codes" not in ok
    # recovery codes work once each
    clock.advance(minutes=1)
    third = staff_sign_in(service)
    code = done["recovery_codes"][0]
    assert service.complete_mfa({"mfa_token": third["mfa_token"], "code": code})["access_token"]
    fourth = staff_sign_in(service)
    with pytest.raises(InvalidInput):
        service.complete_mfa({"mfa_token": fourth["mfa_token"], "code": code})
    status = service.get_mfa_status(admin)
    assert status == {"enrolled": True, "required": True, "enrolled_at": T0.isoformat(),
                      "recovery_codes_left": 9}
    with pytest.raises(Forbidden):                     # never optional for staff
        service.disable_mfa(admin, {"code": code_at(enrol["secret"], clock())})


def test_a_code_used_once_is_refused_as_already_used_not_as_a_clock_problem(service, admin,
                                                                             clock):
    """Issue 18: a reused authenticator code said "Check the time on your phone"; it says
    the code was already used and to wait for the next one. A wrong code keeps its words."""
    clock.set(T0)
    step = staff_sign_in(service)
    secret = service.start_mfa_enrolment({"mfa_token": step["mfa_token"]})["secret"]
    used = code_at(secret, T0)
    service.complete_mfa({"mfa_token": step["mfa_token"], "code": used})
    clock.advance(seconds=10)                   # the same 30-second step
    again = staff_sign_in(service)
    with pytest.raises(InvalidInput) as reused:
        service.complete_mfa({"mfa_token": again["mfa_token"], "code": used})
    assert reused.value.code == "code_already_used"
    assert "already used" in reused.value.message and "next" in reused.value.message
    assert "time on your phone" not in reused.value.message
    assert reused.value.fields["attempts_left"] == 4 and reused.value.fields["code"]
    with pytest.raises(InvalidInput) as signed_in:      # signed in: the same words
        service.regenerate_recovery_codes(admin, {"code": used})
    assert signed_in.value.code == "code_already_used"
    with pytest.raises(InvalidInput) as wrong:
        service.complete_mfa({"mfa_token": again["mfa_token"], "code": "000000"})
    assert wrong.value.code == "invalid_code" and "time on your phone" in wrong.value.message


def test_wrong_codes_kill_the_challenge_and_back_off(service, admin, clock):
    clock.set(T0)
    service.create_staff(Actor.system(practice_id=admin["practice_id"]).to_wire(), {
        "email": "bo@oak.example", "name": "Bo", "role": "clinician", "password": SHORT,
        "mfa_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    step = staff_sign_in(service, "bo@oak.example")
    for _ in range(4):
        with pytest.raises(InvalidInput):
            service.complete_mfa({"mfa_token": step["mfa_token"], "code": "000000"})
    with pytest.raises(Unauthenticated) as dead:
        service.complete_mfa({"mfa_token": step["mfa_token"], "code": "000000"})
    assert dead.value.code == "mfa_token_invalid"
    step = staff_sign_in(service, "bo@oak.example")   # a new challenge does not reset it:
    with pytest.raises(TooManyRequests):              # the person must wait, even with a
        service.complete_mfa({"mfa_token": step["mfa_token"],     # right code
                              "code": code_at("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", T0)})
    clock.advance(seconds=2)
    assert service.complete_mfa({"mfa_token": step["mfa_token"], "code": code_at(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock())})["access_token"]


def test_clients_opt_in_and_a_practice_can_require_it(service, practice, clock, db):
    clock.set(T0)
    staff = staff_actor(practice)
    access = service.create_client_access(staff, {
        "client_id": "c-1", "login": "maria@example.org", "temporary_password": LONG,
        "change_password_at_next_login": False, "client_name": "Maria Lopez"})
    me = Actor(practice_id=practice["id"], kind="client", id=access["account_id"],
               clients={"c-1": ("*",)}).to_wire()

    def portal():
        return service.authenticate({"practice_code": "oak-tree", "login": "maria@example.org",
                                     "password": LONG, "audience": "portal"})
    assert portal()["mfa_required"] is False            # optional, and off
    secret = service.begin_mfa_enrolment(me)["secret"]
    with pytest.raises(InvalidInput):
        service.confirm_mfa_enrolment(me, {"code": "000000"})
    codes = service.confirm_mfa_enrolment(me, {"code": code_at(secret, T0)})["recovery_codes"]
    assert len(codes) == 10 and portal()["mfa_required"] is True
    # with a second factor 8 characters are enough
    page = service.send_password_reset(staff, {"client_id": "c-1"})
    assert page["sent_to"] == "maria@example.org"
    token = db.events("password_reset.requested")[-1]["data"]["link_path"].rsplit("/", 1)[1]
    assert service.get_password_reset({"token": token})["min_password_length"] == 8
    clock.advance(seconds=30)
    service.disable_mfa(me, {"code": code_at(secret, clock())})
    assert portal()["mfa_required"] is False
    admin = staff_actor(practice, permissions=("manage_practice_settings",))
    service.update_practice_settings(admin, {"mfa_required_for_clients": True})
    required = portal()
    assert required["mfa_required"] is True and required["mfa_enrol"] is True
    with pytest.raises(Forbidden):
        service.disable_mfa(me, {"code": "000000"})


# -- staff administration -------------------------------------------------------------------------------
def test_staff_invitation_sets_a_password_through_a_private_link(service, admin, db, clock):
    clock.set(T0)
    invited = service.invite_staff(admin, {"email": "Cy@Oak.example", "name": "Cy Clinician",
                                           "role": "clinician"})
    assert invited["status"] == "invited"
    event = db.events("staff.invited")[0]
    assert event["data"]["link_path"].startswith("/staff/oak-tree/reset/")
    with pytest.raises(Unauthenticated):               # no password yet, however typed
        staff_sign_in(service, "cy@oak.example", "")
    token = event["data"]["link_path"].rsplit("/", 1)[1]
    page = service.get_password_reset({"token": token})
    assert page["purpose"] == "invite" and page["min_password_length"] == 8
    service.complete_password_reset({"token": token, "new_password": SHORT})
    assert db.events("password.changed") == []          # no "was changed" mail for a first one
    assert staff_sign_in(service, "cy@oak.example")["mfa_enrol"] is True
    with pytest.raises(Conflict):
        service.invite_staff(admin, {"email": "cy@oak.example", "name": "Cy", "role": "intern"})


def test_role_change_and_suspension_end_sessions(service, admin, db, clock):
    clock.set(T0)
    system = Actor.system(practice_id=admin["practice_id"]).to_wire()
    cy = service.create_staff(system, {"email": "cy@oak.example", "name": "Cy",
                                       "role": "clinician", "password": SHORT,
                                       "mfa_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    step = staff_sign_in(service, "cy@oak.example")
    signed = service.complete_mfa({"mfa_token": step["mfa_token"],
                                   "code": code_at("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", T0)})
    out = service.set_staff_role(admin, {"staff_id": cy["id"], "role": "scheduler"})
    assert out["role"] == "scheduler"
    revoked = db.events("session.revoked")[-1]["data"]
    assert revoked["session_ids"] == [signed["session_id"]] and revoked["reason"] == "role_changed"
    assert db.events("staff.updated")[-1]["data"]["previous_role"] == "clinician"
    service.set_staff_status(admin, {"staff_id": cy["id"], "status": "suspended"})
    with pytest.raises(Unauthenticated) as inactive:
        staff_sign_in(service, "cy@oak.example")
    assert inactive.value.code == "account_inactive"
    with pytest.raises(Conflict) as own:
        service.set_staff_status(admin, {"staff_id": admin["id"], "status": "suspended"})
    assert own.value.code == "own_account"
    with pytest.raises(Forbidden):
        service.set_staff_role(staff_actor({"id": admin["practice_id"]}),
                               {"staff_id": cy["id"], "role": "intern"})


def test_role_overrides_change_what_tokens_carry(service, admin, db, clock):
    clock.set(T0)
    system = Actor.system(practice_id=admin["practice_id"]).to_wire()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    service.create_staff(system, {"email": "cy@oak.example", "name": "Cy",
                                  "role": "clinician", "password": SHORT,
                                  "mfa_secret": secret})

    def claims():
        step = staff_sign_in(service, "cy@oak.example")
        clock.advance(seconds=30)
        done = service.complete_mfa({"mfa_token": step["mfa_token"],
                                     "code": code_at(secret, clock())})
        return tokens.decode_access_token(done["access_token"], SECRET, leeway=10**9)["perms"]

    defaults = ["manage_appointments", "manage_portal_access", "sees_clients",
                "upload_client_documents", "view_clients"]
    assert claims() == defaults
    view = service.set_role_permissions(admin, {
        "role": "clinician", "permissions": defaults + ["edit_clients"]})
    clinician = next(r for r in view["roles"] if r["role"] == "clinician")
    widened = sorted(defaults + ["edit_clients"])
    assert clinician["permissions"] == widened
    assert clinician["defaults"] == defaults
    assert db.events("session.revoked") == []           # widening ends nothing
    assert claims() == widened
    service.set_role_permissions(admin, {"role": "clinician", "permissions": []})
    assert db.events("session.revoked")[-1]["data"]["reason"] == "permissions_changed"
    assert db.events("role_permissions.changed")[-1]["data"]["removed"] == widened
    assert claims() == []
    with pytest.raises(Conflict) as lockout:
        service.set_role_permissions(admin, {"role": "practice_admin",
                                             "permissions": ["view_clients"]})
    assert lockout.value.code == "admin_lockout"
    assert service.get_role_permissions(admin)["roles"][0]["role"] == "practice_admin"


def test_only_system_sets_a_secret_and_staff_reset_a_lost_factor(service, admin, db, clock):
    with pytest.raises(Forbidden):
        service.create_staff(admin, {"email": "x@oak.example", "name": "X", "role": "intern",
                                     "password": SHORT,
                                     "mfa_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    clock.set(T0)
    bo = service.create_staff(Actor.system(practice_id=admin["practice_id"]).to_wire(), {
        "email": "bo@oak.example", "name": "Bo", "role": "clinician", "password": SHORT,
        "mfa_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    assert staff_sign_in(service, "bo@oak.example")["mfa_enrol"] is False
    assert service.reset_mfa(admin, {"staff_id": bo["id"]}) == {"reset": True}
    assert staff_sign_in(service, "bo@oak.example")["mfa_enrol"] is True
    with pytest.raises(InvalidInput):
        service.reset_mfa(admin, {})
    assert SYSTEM["kind"] == "system"
