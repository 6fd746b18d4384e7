"""Sign-in defences the user never sees: device tokens that keep the owner's device out of
an attacker's back-off (OWASP ASVS 6.3.1), the owner told once per throttle episode, and
a password alone held to the single-factor minimum after two-step sign-in is gone."""
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select

from services.common.actor import Actor
from services.common.errors import InvalidInput, TooManyRequests, Unauthenticated
from services.identity.domain import devices, tokens
from services.identity.models import AuditEntry, ClientAccount
from tests.unit.identity.conftest import SECRET, staff_actor

T0 = datetime(2026, 3, 2, 15, 0, 7, tzinfo=timezone.utc)
LONG = "copper kettle meadow 77"
SHORT = "maple river 8"          # 13 characters: enough only with a second factor
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


@pytest.fixture
def access(service, practice, clock):
    clock.set(T0)
    return service.create_client_access(staff_actor(practice), {
        "client_id": "c-1", "login": "maria@example.org", "temporary_password": LONG,
        "change_password_at_next_login": False, "client_name": "Maria Lopez"})


def sign_in(service, password=LONG, login="maria@example.org", ip=OWNER, device=None):
    payload = {"practice_code": "oak-tree", "login": login, "password": password,
               "audience": "portal", "source_ip": ip}
    if device:
        payload["device_tokens"] = [device]
    return service.authenticate(payload)


def fail(service, times, **kwargs):
    """`times` wrong passwords, each after the back-off of the one before has passed."""
    clock = service.clock
    for _ in range(times):
        clock.advance(minutes=3)
        with pytest.raises(Unauthenticated) as exc:
            sign_in(service, password="not the password at all", **kwargs)
        assert exc.value.code == "invalid_credentials"


# -- device tokens ------------------------------------------------------------------------------
def test_device_tokens_are_signed_for_one_account_and_expire():
    key = "oak-tree|portal|maria@example.org"
    token = devices.issue(SECRET, key, T0)
    assert "maria" not in token
    device = devices.recognised([token], SECRET, key, T0 + timedelta(days=1))
    assert device and device == token.split(".")[2]
    assert devices.recognised([token], SECRET, "oak-tree|portal|ana@example.org", T0) is None
    assert devices.recognised([token], "another secret", key, T0) is None
    assert devices.recognised([token], SECRET, key, T0 + devices.LIFETIME + timedelta(1)) is None
    assert devices.recognised(["junk", token[:-2] + "xx", token], SECRET, key, T0) == device


def test_an_attackers_failures_never_slow_the_owners_known_device(service, access, clock):
    device = sign_in(service)["device_token"]
    fail(service, 12, ip=ATTACKER)                       # someone guesses elsewhere
    with pytest.raises(TooManyRequests):                 # an unknown device waits ...
        sign_in(service, ip=ATTACKER)
    with pytest.raises(TooManyRequests):                 # ... even the owner's new one
        sign_in(service, ip="192.0.2.44")
    # the owner's known device signs in at once, right password and all
    again = sign_in(service, device=device)
    assert again["access_token"] and again["device_token"] != device


def test_failures_from_a_known_device_back_off_for_that_device_only(service, access, clock):
    device = sign_in(service)["device_token"]
    fail(service, 6, device=device)
    with pytest.raises(TooManyRequests):
        sign_in(service, device=device)
    assert sign_in(service, ip="192.0.2.44")["access_token"]   # the account is not held up


def test_a_device_token_changes_nothing_for_another_name(service, access):
    """Same answer and same work for an unknown email and a wrong password, token or not."""
    device = sign_in(service)["device_token"]
    with pytest.raises(Unauthenticated) as unknown:
        sign_in(service, login="nobody@example.org", device=device)
    with pytest.raises(Unauthenticated) as wrong:
        sign_in(service, password="not the password at all", device="v1.1.x.y")
    assert unknown.value.to_dict() == wrong.value.to_dict()
    fail(service, 12, login="nobody@example.org", device=device, ip=ATTACKER)
    with pytest.raises(TooManyRequests):                 # not a device of that name
        sign_in(service, login="nobody@example.org", device=device, ip=ATTACKER)


# -- the owner is told once per episode -------------------------------------------------------------
def test_the_owner_is_told_once_per_throttle_episode(service, access, clock, db):
    fail(service, 4, ip=ATTACKER)
    assert db.events("sign_in.throttled") == []          # the free failures say nothing
    fail(service, 1, ip=ATTACKER)                        # the first that makes one wait
    told = db.events("sign_in.throttled")
    assert len(told) == 1 and told[0]["data"] == {
        "account_id": access["account_id"], "kind": "client",
        "occurred_at": (T0 + timedelta(minutes=15)).isoformat(),
        "login": "maria@example.org", "practice_name": "Oak Tree Counseling",
        "portal_path": "/p/oak-tree", "portal_subdomain": None}
    for _ in range(3):                                   # the back-off goes on: no new mail
        clock.advance(minutes=10)
        fail(service, 1, ip=ATTACKER)
    assert len(db.events("sign_in.throttled")) == 1
    clock.advance(hours=2)                               # a quiet spell ends the episode
    fail(service, 5, ip="192.0.2.99")
    assert len(db.events("sign_in.throttled")) == 2
    with db.read() as s:
        notes = s.scalars(select(AuditEntry)
                          .where(AuditEntry.action == "sign_in_throttle_notice")).all()
    assert len(notes) == 2 and notes[0].subject_id == access["account_id"]


def test_no_notice_for_a_name_without_an_account(service, access, db):
    fail(service, 8, login="nobody@example.org", ip=ATTACKER)
    assert db.events("sign_in.throttled") == []


# -- a password alone must be long enough ------------------------------------------------------------
def me(practice, access):
    return Actor(practice_id=practice["id"], kind="client", id=access["account_id"],
                 clients={"c-1": ("*",)}).to_wire()


def test_turning_two_step_sign_in_off_makes_a_short_password_change_at_next_sign_in(
        service, practice, access, clock, db):
    actor = me(practice, access)
    secret = service.begin_mfa_enrolment(actor)["secret"]
    service.confirm_mfa_enrolment(actor, {"code": pyotp.TOTP(secret).at(T0)})
    service.change_password(actor, {"current_password": LONG, "new_password": SHORT})
    clock.advance(seconds=30)
    service.disable_mfa(actor, {"code": pyotp.TOTP(secret).at(clock())})
    first = sign_in(service, password=SHORT)
    assert first["must_change_password"] is True
    claims = tokens.decode_access_token(first["access_token"], SECRET,
                                        leeway=(datetime.now(timezone.utc) - T0).days * 86400 + 86400)
    assert claims["mcp"] is True
    with db.read() as s:
        assert s.get(ClientAccount, access["account_id"]).must_change_password is True
    with pytest.raises(InvalidInput) as exc:             # the new one needs 15 now
        service.change_password(actor, {"current_password": SHORT,
                                        "new_password": "maple river 99"})
    assert exc.value.code == "password_too_short"
    service.change_password(actor, {"current_password": SHORT, "new_password": LONG + "!"})
    assert sign_in(service, password=LONG + "!")["must_change_password"] is False


def test_a_practice_dropping_required_two_step_sign_in_does_the_same(service, practice, access,
                                                                     clock):
    settings = staff_actor(practice, permissions=("manage_practice_settings",))
    service.update_practice_settings(settings, {"mfa_required_for_clients": True})
    service.change_password(me(practice, access), {"current_password": LONG,
                                                   "new_password": SHORT})
    assert sign_in(service, password=SHORT)["mfa_required"] is True
    service.update_practice_settings(settings, {"mfa_required_for_clients": False})
    assert sign_in(service, password=SHORT)["must_change_password"] is True


def test_a_long_password_alone_is_left_alone(service, access):
    assert sign_in(service)["must_change_password"] is False


def test_a_staff_member_is_pointed_to_the_console(service, practice, access, db):
    system = Actor.system(practice_id=practice["id"]).to_wire()
    service.create_staff(system, {"email": "ada@oak.example", "name": "Ada Admin",
                                  "role": "practice_admin", "password": SHORT})
    for _ in range(5):
        service.clock.advance(minutes=3)
        with pytest.raises(Unauthenticated):
            service.authenticate({"practice_code": "oak-tree", "login": "ada@oak.example",
                                  "password": "not the password", "audience": "staff"})
    [told] = db.events("sign_in.throttled")
    assert told["data"]["kind"] == "staff" and told["data"]["portal_path"] == "/staff/oak-tree"
