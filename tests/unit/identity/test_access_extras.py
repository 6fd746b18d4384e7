"""The rest of issue 4 through worker_factory: safe words, per-address throttles on reset
requests and invitation links, a client's own access from the practice's age, TOTP
secrets encrypted at rest, cancelled invitations and a contact's email for notify."""
from datetime import date, datetime, timedelta, timezone

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from services.common.actor import Actor
from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests, Unauthenticated)
from services.identity import crypto
from services.identity.domain import grants
from tests.unit.identity.conftest import SYSTEM, staff_actor
from tests.unit.identity.test_portal_access import CHART, PASSWORD, accept, token_of

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
TEMP = "temporary harbor lantern 42"


@pytest.fixture
def staff(practice):
    return staff_actor(practice)


@pytest.fixture
def chart(service):
    record = dict(CHART)
    service.charts.get_client.side_effect = lambda actor, client_id: dict(record, id=client_id)
    return record


def give_login(service, staff, client_id="client-1", login="ana@example.org", **extra):
    return service.create_client_access(staff, dict({
        "client_id": client_id, "login": login, "temporary_password": TEMP,
        "change_password_at_next_login": False, "client_name": "Ana Reyes"}, **extra))


def sign_in(service, practice, login="ana@example.org", password=TEMP, ip=None):
    return service.authenticate({"practice_code": practice["code"], "login": login,
                                 "password": password, "audience": "portal", "source_ip": ip})


def audit(service, practice, action):
    admin = staff_actor(practice, ("view_audit_log",), staff_id="admin")
    return service.list_audit(admin, {"action": action})["entries"]


# -- the safe word -------------------------------------------------------------------------------
def test_staff_set_read_and_clear_a_safe_word_each_audited_and_stored_encrypted(
        service, staff, practice, db):
    give_login(service, staff, safe_word="  blue   heron ")
    assert service.get_safe_word(staff, "client-1")["safe_word"] == "blue heron"
    out = service.set_safe_word(staff, {"client_id": "client-1", "safe_word": "red fox",
                                        "source_ip": "203.0.113.9"})
    assert out["safe_word_set"] is True
    with db.read() as session:
        stored = session.execute(text("SELECT safe_word FROM client_accounts")).scalar()
    assert stored.startswith("fernet:") and "red fox" not in stored
    assert service.get_safe_word(staff, "client-1")["safe_word"] == "red fox"
    service.set_safe_word(staff, {"client_id": "client-1", "safe_word": None})
    assert service.get_safe_word(staff, "client-1")["safe_word"] is None
    changes = audit(service, practice, "safe_word_changed")
    assert [e["detail"]["change"] for e in changes] == ["cleared", "set"]
    assert len(audit(service, practice, "safe_word_viewed")) == 3
    assert "red fox" not in str(db.events()) and "heron" not in str(db.events())


def test_safe_word_needs_manage_portal_access_and_a_login(service, staff, practice):
    give_login(service, staff)
    viewer = staff_actor(practice, ("view_clients",), staff_id="s-2")
    with pytest.raises(Forbidden):
        service.get_safe_word(viewer, "client-1")
    with pytest.raises(Forbidden):
        service.set_safe_word(viewer, {"client_id": "client-1", "safe_word": "x"})
    with pytest.raises(NotFound) as missing:
        service.set_safe_word(staff, {"client_id": "nobody", "safe_word": "fox"})
    assert missing.value.code == "no_portal_access"
    with pytest.raises(InvalidInput) as long_word:
        service.set_safe_word(staff, {"client_id": "client-1", "safe_word": "x" * 61})
    assert "safe_word" in long_word.value.fields
    other = service.create_practice(SYSTEM, {"code": "elm", "name": "Elm"})
    with pytest.raises(NotFound):   # another practice's staff never reach it
        service.get_safe_word(staff_actor(other), "client-1")


# -- per-address throttles -----------------------------------------------------------------------
def test_reset_requests_back_off_per_address_with_one_answer_for_every_email(
        service, staff, practice, clock):
    give_login(service, staff)
    clock.set(T0)
    ask = lambda email, ip: service.request_password_reset(  # noqa: E731
        {"practice_code": practice["code"], "email": email, "source_ip": ip})
    answers = {str(ask(email, "198.51.100.1"))
               for email in ["ana@example.org", "nobody@example.org"] * 5}
    assert len(answers) == 1
    for email in ("ana@example.org", "nobody@example.org"):   # the same refusal for both
        with pytest.raises(TooManyRequests) as exc:
            ask(email, "198.51.100.1")
        assert exc.value.fields["retry_after"] >= 1
    assert ask("ana@example.org", "198.51.100.2")["accepted"] is True   # another address
    clock.advance(seconds=3)
    ask("nobody@example.org", "198.51.100.1")       # the back-off ends; it doubles next
    with pytest.raises(TooManyRequests) as doubled:
        ask("nobody@example.org", "198.51.100.1")
    assert doubled.value.fields["retry_after"] == 4
    # the real user is never locked out of signing in by someone else's requests
    assert "access_token" in sign_in(service, practice, ip="198.51.100.1")


def test_invitation_guesses_and_wrong_birth_dates_back_off_per_address(
        service, staff, chart, db, clock):
    clock.set(T0)
    service.invite_client(staff, {"client_id": "client-9"})
    token = token_of(db)
    for i in range(10):
        with pytest.raises(NotFound):
            service.accept_invitation({"token": f"guess-{i}", "date_of_birth": "1988-04-09",
                                       "password": PASSWORD, "source_ip": "192.0.2.66"})
    with pytest.raises(TooManyRequests):   # even the right link waits, from that address
        service.accept_invitation({"token": token, "date_of_birth": "1988-04-09",
                                   "password": PASSWORD, "source_ip": "192.0.2.66"})
    with pytest.raises(InvalidInput) as wrong:   # elsewhere, the invitation's own count
        service.accept_invitation({"token": token, "date_of_birth": "1988-04-10",
                                   "password": PASSWORD, "source_ip": "192.0.2.77"})
    assert wrong.value.fields["attempts_left"] == 4
    assert accept(service, token)["principal"]["clients"][0]["client_id"] == "client-9"


# -- a client's own access from the practice's age ----------------------------------------------
def local_midnight(day, zone="America/New_York"):
    from zoneinfo import ZoneInfo
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def test_a_minor_signs_in_from_local_midnight_of_the_birthday(service, staff, practice, clock):
    give_login(service, staff, date_of_birth="2014-06-15")   # 12 on 2026-06-15
    clock.set(local_midnight(date(2026, 6, 15)) - timedelta(seconds=1))   # the day before
    with pytest.raises(Unauthenticated) as early:
        sign_in(service, practice)
    assert early.value.code == "account_not_yet_available"
    assert early.value.fields == {"available_from": "2026-06-15"}
    assert "guardian" in early.value.message
    clock.set(local_midnight(date(2026, 6, 15)))                          # the day of
    assert "access_token" in sign_in(service, practice)
    refusal = audit(service, practice, "sign_in_refused")[0]
    assert refusal["detail"]["reason"] == "account_not_yet_available"


def test_a_wrong_password_of_a_minor_answers_as_any_wrong_password(service, staff, practice,
                                                                    clock):
    give_login(service, staff, date_of_birth="2016-01-01")
    clock.set(T0)
    with pytest.raises(Unauthenticated) as exc:
        sign_in(service, practice, password="not the password at all")
    assert exc.value.code == "invalid_credentials"


def test_raising_the_age_ends_open_sessions_at_the_next_refresh(service, staff, practice,
                                                               clock):
    give_login(service, staff, date_of_birth="2012-01-10")   # 14 at T0
    clock.set(T0)
    pair = sign_in(service, practice)
    admin = staff_actor(practice, ("manage_practice_settings",), staff_id="admin")
    service.update_practice_settings(admin, {"client_own_access_from_age": 16})
    with pytest.raises(Unauthenticated) as exc:
        service.refresh({"refresh_token": pair["refresh_token"]})
    assert exc.value.code == "account_not_yet_available"


def test_invitations_of_younger_clients_are_refused_and_accepting_costs_no_attempt(
        service, staff, practice, chart, db, clock):
    clock.set(local_midnight(date(2026, 4, 9)) - timedelta(seconds=1))
    chart["date_of_birth"] = "2014-04-09"
    with pytest.raises(Conflict) as young:
        service.invite_client(staff, {"client_id": "client-9"})
    assert young.value.code == "client_too_young"
    assert young.value.fields["available_from"] == "2026-04-09"
    clock.set(local_midnight(date(2026, 4, 9)))
    service.invite_client(staff, {"client_id": "client-9"})
    token = token_of(db)
    admin = staff_actor(practice, ("manage_practice_settings",), staff_id="admin")
    service.update_practice_settings(admin, {"client_own_access_from_age": 13})
    with pytest.raises(Forbidden) as later:
        accept(service, token, dob="2014-04-09")
    assert later.value.code == "account_not_yet_available"
    assert service.get_invitation({"token": token})["attempts_left"] == 5


@pytest.mark.parametrize("born,today,opens", [
    (date(2014, 6, 15), date(2026, 6, 14), False), (date(2014, 6, 15), date(2026, 6, 15), True),
    (date(2012, 2, 29), date(2024, 2, 28), False), (date(2012, 2, 29), date(2024, 2, 29), True),
    (date(2013, 2, 28), date(2025, 2, 28), True), (None, date(2026, 1, 1), True)])
def test_own_access_rule(born, today, opens):
    assert grants.own_access_open(born, today, 12) is opens


def test_own_access_opens_on_the_first_of_march_for_a_leap_day_birthday():
    assert grants.own_access_opens_on(date(2012, 2, 29), 13) == date(2025, 3, 1)
    assert not grants.own_access_open(date(2012, 2, 29), date(2025, 2, 28), 13)
    assert grants.own_access_open(date(2012, 2, 29), date(2025, 3, 1), 13)


# -- TOTP secrets at rest -------------------------------------------------------------------------
def test_totp_secrets_are_stored_encrypted_and_still_check_codes(service, practice, db, clock):
    secret = pyotp.random_base32()
    manager = Actor(practice_id=practice["id"], kind="system", id="seed").to_wire()
    service.create_staff(manager, {"email": "lee@example.org", "name": "Lee", "role": "intake",
                                   "password": "staff pass 1234", "mfa_secret": secret})
    with db.read() as session:
        stored = session.execute(text("SELECT secret FROM mfa_factors")).scalar()
    assert stored.startswith("fernet:") and secret not in stored
    clock.set(T0)
    step = service.authenticate({"practice_code": practice["code"], "login": "lee@example.org",
                                 "password": "staff pass 1234", "audience": "staff"})
    done = service.complete_mfa({"mfa_token": step["mfa_token"],
                                 "code": pyotp.TOTP(secret).at(T0)})
    assert "access_token" in done


def test_seal_and_open_rotate_keys_and_refuse_a_wrong_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = crypto.seal("JBSWY3DPEHPK3PXP", old)
    assert crypto.open_(sealed, f"{new},{old}") == "JBSWY3DPEHPK3PXP"   # rotation
    assert crypto.open_("PLAINTEXT", new) == "PLAINTEXT"     # written before migration 0006
    with pytest.raises(InvalidToken):
        crypto.open_(sealed, new)


def test_data_key_comes_from_the_environment_or_a_file_under_var(monkeypatch, tmp_path):
    from services.common import config
    monkeypatch.setenv("HAVEN_DATA_KEY", "explicit-key")
    assert config.data_key() == "explicit-key"
    monkeypatch.delenv("HAVEN_DATA_KEY")
    monkeypatch.setenv("HAVEN_VAR_DIR", str(tmp_path))
    made = config.data_key()
    Fernet(made.encode())                      # a valid Fernet key
    assert config.data_key() == made and (tmp_path / "data-key").stat().st_mode & 0o077 == 0


# -- cancelling an invitation ---------------------------------------------------------------------
def test_staff_cancel_a_pending_invitation_and_may_send_a_new_one_at_once(
        service, staff, practice, chart, db, clock):
    clock.set(T0)
    service.invite_client(staff, {"client_id": "client-9"})
    token = token_of(db)
    status = service.cancel_invitation(staff, {"client_id": "client-9"})
    assert status["status"] == "cancelled" and status["resend_at"] is None
    assert db.events("invitation.cancelled")[0]["data"]["client_id"] == "client-9"
    with pytest.raises(Conflict) as dead:
        accept(service, token)
    assert dead.value.code == "invitation_cancelled"
    with pytest.raises(NotFound) as none:
        service.cancel_invitation(staff, {"client_id": "client-9"})
    assert none.value.code == "no_pending_invitation"
    assert service.invite_client(staff, {"client_id": "client-9"})["status"] == "sent"
    listed = service.list_portal_access(staff, {"status": "sent"})["items"]
    assert [i["client_id"] for i in listed] == ["client-9"]
    viewer = staff_actor(practice, ("view_clients",), "s-3")
    with pytest.raises(Forbidden):
        service.cancel_invitation(viewer, {"client_id": "client-9"})


# -- a contact's email, for notify ----------------------------------------------------------------
def test_only_haven_itself_reads_a_contacts_email(service, staff, practice):
    contact = service.create_contact(staff, {"email": "Pat@Example.org", "name": "Pat"})
    system = Actor.system(practice_id=practice["id"]).to_wire()
    found = service.get_contact_email(system, contact["contact_id"])
    assert found == {"contact_id": contact["contact_id"], "email": "pat@example.org",
                     "may_email": False}                   # invited: not signed up yet
    with pytest.raises(Forbidden):
        service.get_contact_email(staff, contact["contact_id"])
    elsewhere = Actor.system(practice_id="another-practice").to_wire()
    with pytest.raises(NotFound):
        service.get_contact_email(elsewhere, contact["contact_id"])
