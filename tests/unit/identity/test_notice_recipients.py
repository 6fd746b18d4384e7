"""Who notify tells that something changed for a client (`list_notice_recipients`): the
sign-in addresses of everyone who holds the permission for that client today, after the
age bands on the practice's calendar, and may sign in. Through worker_factory; charts is
the only mock and the clock is fixed."""
from datetime import datetime, timezone

import pytest

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput, NotFound
from tests.unit.identity.conftest import SYSTEM, rivers_family, staff_actor

PASSWORD = "copper kettle meadow 77"
JANE = "Jane.Rivers@example.org"
RECORDS = rivers_family(JANE)
VIEW = "view_appointments"


def at(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture
def staff(practice, service, clock):
    service.charts.get_client.side_effect = lambda actor, cid: dict(RECORDS[cid])
    clock.set(at(2026, 3, 1))
    return staff_actor(practice)


@pytest.fixture
def system(practice):
    return Actor.system(practice_id=practice["id"]).to_wire()


def contact(service, db, staff, email, sign_up=True):
    made = service.create_contact(staff, {"email": email, "name": "A Guardian"})
    if sign_up:
        link = db.events("contact.invited")[-1]["data"]["link_path"]
        service.complete_password_reset({"token": link.rsplit("/", 1)[1],
                                         "new_password": PASSWORD})
    return made["contact_id"]


def grant(service, staff, holder, client_id, permissions):
    key = "account_id" if holder.startswith("acct:") else "contact_id"
    service.grant_access(staff, {key: holder.removeprefix("acct:"), "client_id": client_id,
                                 "permissions": permissions})


def emails(service, system, client_id, permission=VIEW):
    got = service.list_notice_recipients(system, {"client_id": client_id,
                                                  "permission": permission})
    assert (got["client_id"], got["permission"]) == (client_id, permission)
    return got["emails"]


@pytest.fixture
def family(service, db, staff):
    """Jane's login (her son linked) also holds a grant over Mia; Tom holds one with the
    permission, Ann one without it, Sue one but never chose a password."""
    jane = service.create_client_access(staff, {
        "client_id": "jane", "login": JANE, "temporary_password": PASSWORD,
        "change_password_at_next_login": False, "client_name": "Jane Rivers",
        "date_of_birth": "1984-07-21"})["account_id"]
    service.link_client(staff, {"account_id": jane, "client_id": "son"})
    grant(service, staff, "acct:" + jane, "mia", [VIEW])
    tom = contact(service, db, staff, "Tom@Example.org")
    grant(service, staff, tom, "mia", [VIEW, "message_clinician"])
    grant(service, staff, contact(service, db, staff, "ann@example.org"), "mia", ["billing"])
    grant(service, staff, contact(service, db, staff, "sue@example.org", sign_up=False),
          "mia", [VIEW])
    return {"jane": jane, "tom": tom}


def test_holders_of_the_permission_who_may_sign_in_each_once(service, system, family):
    assert emails(service, system, "mia") == ["jane.rivers@example.org", "tom@example.org"]
    assert emails(service, system, "mia", "billing") == ["ann@example.org"]
    assert emails(service, system, "son") == ["jane.rivers@example.org"]   # linked: "*"
    assert emails(service, system, "son", "message_clinician") == ["jane.rivers@example.org"]
    assert emails(service, system, "jane") == []         # her own login: charts' address
    assert emails(service, system, "nobody") == []


def test_a_suspended_or_ended_holder_hears_nothing(service, staff, system, family):
    service.set_contact_status(staff, {"contact_id": family["tom"], "status": "suspended"})
    assert emails(service, system, "mia") == ["jane.rivers@example.org"]
    service.set_client_access_status(staff, {"client_id": "jane", "status": "inactive"})
    assert emails(service, system, "mia") == []
    assert emails(service, system, "son") == []


def test_a_closed_portal_tells_nobody(service, practice, system, family):
    admin = staff_actor(practice, permissions=("manage_practice_settings",))
    service.update_practice_settings(admin, {"portal_enabled": False})
    assert emails(service, system, "mia") == []


@pytest.mark.parametrize("when,confidential,view", [
    # Mia turns 12 on 2026-06-15, 18 on 2032-06-15: midnight in New York is 04:00 UTC
    (at(2026, 6, 15, 3, 59), ["tom@example.org"], True),
    (at(2026, 6, 15, 4, 0), [], True),            # 12: message_clinician is confidential
    (at(2032, 6, 15, 3, 59), [], True),
    (at(2032, 6, 15, 4, 0), [], False),           # 18: the guardian grants allow nothing
])
def test_the_age_bands_on_the_practice_s_calendar_decide(service, system, family, clock,
                                                         when, confidential, view):
    clock.set(when)
    assert emails(service, system, "mia", "message_clinician") == confidential
    assert emails(service, system, "mia") == (
        ["jane.rivers@example.org", "tom@example.org"] if view else [])
    assert emails(service, system, "son") == ["jane.rivers@example.org"]   # "*" has no band


def test_system_only_and_scoped_to_the_actor_s_practice(service, practice, system, family):
    with pytest.raises(Forbidden):
        service.list_notice_recipients(staff_actor(practice), {"client_id": "mia",
                                                               "permission": VIEW})
    with pytest.raises(NotFound):
        service.list_notice_recipients(Actor.system(practice_id="another-practice").to_wire(),
                                       {"client_id": "mia", "permission": VIEW})
    other = service.create_practice(SYSTEM, {"code": "elm", "name": "Elm Street Therapy"})
    assert emails(service, Actor.system(practice_id=other["id"]).to_wire(), "mia") == []
    with pytest.raises(InvalidInput):
        service.list_notice_recipients(system, {"client_id": "mia", "permission": "*"})
