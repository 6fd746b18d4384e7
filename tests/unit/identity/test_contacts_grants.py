"""Contacts, per-client grants and guardian age bands, through worker_factory (charts is
the only mock). The clock is fixed: bands change at the practice's local midnight."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.identity.domain import grants, tokens
from tests.unit.identity.conftest import SECRET, staff_actor

PASSWORD = "copper kettle meadow 77"
ALL = ["view_appointments", "manage_information", "manage_documentation",
       "message_clinician", "billing"]
CHARTS = {
    "kid": {"id": "kid", "first_name": "Mia", "last_name": "Rivers",
            "date_of_birth": "2014-06-15"},
    "teen": {"id": "teen", "first_name": "Leo", "last_name": "Rivers",
             "date_of_birth": "2010-06-15"},
    "adult": {"id": "adult", "first_name": "Ann", "last_name": "Rivers",
              "date_of_birth": "1960-01-01"},
}


@pytest.fixture
def staff(practice, service):
    service.charts.get_client.side_effect = lambda actor, cid: dict(CHARTS[cid])
    return staff_actor(practice)


def new_contact(service, db, staff, email="jane@example.org", name="Jane Rivers"):
    contact = service.create_contact(staff, {"email": email, "name": name})
    link = db.events("contact.invited")[-1]["data"]["link_path"]
    service.complete_password_reset({"token": link.rsplit("/", 1)[1],
                                     "new_password": PASSWORD})
    return contact


def sign_in(service, login="jane@example.org"):
    result = service.authenticate({"practice_code": "oak-tree", "login": login,
                                   "password": PASSWORD, "audience": "portal"})
    return result, tokens.decode_access_token(result["access_token"], SECRET, leeway=10**9)


def at(year, month, day, hour=12, tz=timezone.utc):
    return datetime(year, month, day, hour, tzinfo=tz)


# -- the rules alone ---------------------------------------------------------------------------
@pytest.mark.parametrize("today,expected", [
    (date(2026, 6, 14), ALL),                                            # the day before 12
    (date(2026, 6, 15), ["view_appointments", "manage_information", "billing"]),  # 12th
    (date(2032, 6, 14), ["view_appointments", "manage_information", "billing"]),  # before 18
    (date(2032, 6, 15), []),                                             # the 18th birthday
])
def test_age_bands_change_on_the_birthday(today, expected):
    assert grants.effective(ALL, date(2014, 6, 15), today) == expected


def test_renewal_keeps_access_past_the_end_until_its_date():
    dob = date(2014, 6, 15)
    assert grants.effective(ALL, dob, date(2032, 6, 15), renewed_until=date(2033, 1, 1)) == ALL
    assert grants.effective(ALL, dob, date(2033, 1, 2), renewed_until=date(2033, 1, 1)) == []
    assert grants.effective(ALL, dob, date(2040, 1, 1), guardian=False) == ALL


def test_leap_day_birthday_is_the_first_of_march_in_common_years():
    assert grants.age_on(date(2012, 2, 29), date(2024, 2, 28)) == 11
    assert grants.age_on(date(2012, 2, 29), date(2024, 2, 29)) == 12
    assert grants.age_on(date(2013, 2, 28), date(2025, 2, 28)) == 12
    assert grants.age_on(date(2012, 2, 29), date(2025, 2, 28)) == 12
    assert grants.age_on(date(2011, 2, 28) + timedelta(days=1), date(2023, 2, 28)) == 11


# -- grants → token claims ----------------------------------------------------------------------
def test_contact_signs_in_with_exactly_its_grants(service, staff, db, clock, practice):
    clock.set(at(2026, 3, 1))
    contact = new_contact(service, db, staff)
    assert contact["status"] == "invited"
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "kid",
                                 "permissions": ["view_appointments"]})
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "adult",
                                 "permissions": ["billing", "view_appointments"]})
    result, claims = sign_in(service)
    assert claims["kind"] == "contact" and claims["sub"] == contact["contact_id"]
    assert claims["clients"] == {"kid": ["view_appointments"],
                                 "adult": ["view_appointments", "billing"]}
    assert claims["roles"] == [] and claims["perms"] == []
    switcher = {c["client_id"]: c for c in result["principal"]["clients"]}
    assert switcher["kid"]["name"] == "Mia Rivers"
    assert switcher["adult"]["permissions"] == ["view_appointments", "billing"]
    me = Actor(practice_id=practice["id"], kind="contact", id=contact["contact_id"]).to_wire()
    session = service.get_session(me)
    assert session["kind"] == "contact" and len(session["clients"]) == 2
    changed = db.events("grant.changed")[0]["data"]
    assert changed == {"holder_kind": "contact", "account_id": None,
                       "contact_id": contact["contact_id"], "client_id": "kid",
                       "permissions": ["view_appointments"], "renewed_until": None,
                       "change": "granted"}
    audit = service.list_audit(staff_actor(practice, permissions=("view_audit_log",)),
                               {"action": "grant_changed"})["entries"]
    assert len(audit) == 2 and audit[0]["detail"]["client_id"] in ("kid", "adult")
    assert session["grants_paused"] == 0
    # documents only for a 15-year-old: confidential in the partial band, so nothing today
    # — left out of the switcher, and counted so the portal can say why
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "teen",
                                 "permissions": ["manage_documentation"]})
    session = service.get_session(me)
    assert len(session["clients"]) == 2 and session["grants_paused"] == 1


def test_narrowing_or_revoking_ends_sessions_widening_does_not(service, staff, db, clock):
    clock.set(at(2026, 3, 1))
    contact = new_contact(service, db, staff)
    cid = contact["contact_id"]
    service.grant_access(staff, {"contact_id": cid, "client_id": "kid",
                                 "permissions": ["view_appointments"]})
    first, _ = sign_in(service)
    service.grant_access(staff, {"contact_id": cid, "client_id": "kid",
                                 "permissions": ["view_appointments", "billing"]})
    assert db.events("session.revoked") == []
    service.grant_access(staff, {"contact_id": cid, "client_id": "kid",
                                 "permissions": ["billing"]})
    revoked = db.events("session.revoked")[-1]["data"]
    assert revoked["session_ids"] == [first["session_id"]]
    assert revoked["reason"] == "grant_narrowed" and revoked["account_id"] == cid
    second, claims = sign_in(service)
    assert claims["clients"] == {"kid": ["billing"]}
    service.revoke_access(staff, {"contact_id": cid, "client_id": "kid"})
    assert db.events("session.revoked")[-1]["data"]["session_ids"] == [second["session_id"]]
    assert db.events("grant.changed")[-1]["data"]["change"] == "revoked"
    assert sign_in(service)[1]["clients"] == {}
    with pytest.raises(NotFound):
        service.revoke_access(staff, {"contact_id": cid, "client_id": "kid"})


def test_contact_rules(service, staff, db, practice):
    contact = new_contact(service, db, staff)
    with pytest.raises(Conflict) as taken:
        service.create_contact(staff, {"email": "JANE@example.org", "name": "Other"})
    assert taken.value.code == "login_taken"
    with pytest.raises(InvalidInput) as empty:
        service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "kid",
                                     "permissions": []})
    assert empty.value.code == "permissions_required"
    with pytest.raises(InvalidInput):
        service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "kid",
                                     "permissions": ["everything"]})
    with pytest.raises(Forbidden):
        service.grant_access(staff_actor(practice, permissions=("view_clients",)),
                             {"contact_id": contact["contact_id"], "client_id": "kid",
                              "permissions": ["billing"]})
    other = staff_actor(service.create_practice(Actor.system().to_wire(),
                                                {"code": "elm", "name": "Elm"}))
    with pytest.raises(NotFound):
        service.get_contact(other, contact["contact_id"])
    service.set_contact_status(staff, {"contact_id": contact["contact_id"],
                                       "status": "suspended"})
    from services.common.errors import Unauthenticated
    with pytest.raises(Unauthenticated) as inactive:
        sign_in(service)
    assert inactive.value.code == "account_inactive"


def test_an_invited_contact_cannot_sign_in_before_choosing_a_password(service, staff, db):
    service.create_contact(staff, {"email": "new@example.org", "name": "New Person"})
    from services.common.errors import Unauthenticated
    with pytest.raises(Unauthenticated) as refused:
        sign_in(service, "new@example.org")
    assert refused.value.code == "invalid_credentials"
    event = db.events("contact.invited")[-1]
    assert event["data"]["link_path"].startswith("/p/oak-tree/reset/")
    page = service.get_password_reset({"token": event["data"]["link_path"].rsplit("/", 1)[1]})
    assert page["purpose"] == "invite" and page["kind"] == "contact"


# -- the bands at token issue, with a fixed clock -------------------------------------------------
def _teen_claims(service, staff, db, clock, practice, when):
    clock.set(at(2026, 1, 10))
    contact = new_contact(service, db, staff)
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "kid",
                                 "permissions": ALL})
    clock.set(when)
    return sign_in(service)[1]["clients"]


@pytest.mark.parametrize("when,expected", [
    # New York: UTC-4 in June. 2026-06-15 00:00 local = 04:00 UTC.
    (datetime(2026, 6, 15, 3, 59, tzinfo=timezone.utc), ALL),
    (datetime(2026, 6, 15, 4, 0, tzinfo=timezone.utc),
     ["view_appointments", "manage_information", "billing"]),
    (datetime(2032, 6, 15, 3, 59, tzinfo=timezone.utc),
     ["view_appointments", "manage_information", "billing"]),
    (datetime(2032, 6, 15, 4, 0, tzinfo=timezone.utc), None),
])
def test_bands_follow_the_practice_calendar_in_new_york(service, staff, db, clock, practice,
                                                       when, expected):
    clients = _teen_claims(service, staff, db, clock, practice, when)
    assert clients.get("kid") == expected


@pytest.mark.parametrize("when,expected", [
    # Auckland: UTC+12 in June, so the birthday starts on 14 June at 12:00 UTC.
    (datetime(2026, 6, 14, 11, 59, tzinfo=timezone.utc), ALL),
    (datetime(2026, 6, 14, 12, 0, tzinfo=timezone.utc),
     ["view_appointments", "manage_information", "billing"]),
    (datetime(2032, 6, 14, 11, 59, tzinfo=timezone.utc),
     ["view_appointments", "manage_information", "billing"]),
    (datetime(2032, 6, 14, 12, 0, tzinfo=timezone.utc), None),
])
def test_bands_start_before_utc_in_auckland(service, staff, db, clock, practice, when,
                                            expected):
    admin = staff_actor(practice, permissions=("manage_practice_settings",))
    service.update_practice_settings(admin, {"time_zone": "Pacific/Auckland"})
    clients = _teen_claims(service, staff, db, clock, practice, when)
    assert clients.get("kid") == expected


def test_refresh_applies_the_new_band_without_anyone_acting(service, staff, db, clock):
    clock.set(at(2026, 1, 10))
    contact = new_contact(service, db, staff)
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "teen",
                                 "permissions": ["view_appointments", "message_clinician"]})
    # teen was born 2010-06-15: partial band until 18, on 2028-06-15 (New York)
    clock.set(datetime(2028, 6, 15, 3, 40, tzinfo=timezone.utc))
    result, claims = sign_in(service)
    assert claims["clients"] == {"teen": ["view_appointments"]}
    clock.set(datetime(2028, 6, 15, 4, 0, tzinfo=timezone.utc))
    again = service.refresh({"refresh_token": result["refresh_token"]})
    assert tokens.decode_access_token(again["access_token"], SECRET,
                                      leeway=10**9)["clients"] == {}
    # staff renew past 18: a narrowing of nothing, so no session ends
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "teen",
                                 "permissions": ["view_appointments", "message_clinician"],
                                 "renewed_until": "2029-06-14"})
    renewed = service.refresh({"refresh_token": again["refresh_token"]})
    assert tokens.decode_access_token(renewed["access_token"], SECRET, leeway=10**9)[
        "clients"] == {"teen": ["view_appointments", "message_clinician"]}


def test_a_practice_chooses_its_bands_and_confidential_permissions(service, staff, db, clock,
                                                                   practice):
    admin = staff_actor(practice, permissions=("manage_practice_settings",))
    out = service.update_practice_settings(admin, {
        "guardian_full_until_age": 13, "confidential_permissions": ["billing"]})
    assert out["confidential_permissions"] == ["billing"]
    with pytest.raises(InvalidInput) as bad:
        service.update_practice_settings(admin, {"guardian_full_until_age": 19})
    assert bad.value.code == "invalid_age_bands"
    clock.set(at(2026, 1, 10))
    contact = new_contact(service, db, staff)
    service.grant_access(staff, {"contact_id": contact["contact_id"], "client_id": "teen",
                                 "permissions": ALL})
    clock.set(at(2026, 7, 1))      # teen is 16: partial band hides only billing now
    assert sign_in(service)[1]["clients"]["teen"] == ALL[:4]
    # the grant says why, for staff: the age and the practice's band ages
    view = service.grant_access(staff, {"contact_id": contact["contact_id"],
                                        "client_id": "teen", "permissions": ["billing"]})
    assert view["effective_permissions"] == [] and view["band"] == "partial"
    assert (view["client_age"], view["guardian_full_until_age"],
            view["guardian_access_ends_at_age"]) == (16, 13, 18)


def test_grants_for_adults_are_not_banded(service, staff, db, clock):
    clock.set(at(2026, 1, 10))
    contact = new_contact(service, db, staff)
    view = service.grant_access(staff, {"contact_id": contact["contact_id"],
                                        "client_id": "adult", "permissions": ALL})
    assert view["guardian"] is False and view["band"] == "not_guardian"
    assert sign_in(service)[1]["clients"]["adult"] == ALL
