"""One sign-in, several clients: a client portal account that also holds guardian grants
(Jane's own chart, her son linked, her daughter through a grant), and charts' corrections
of a date of birth reaching identity's copies. Through worker_factory; charts is the only
mock and the clock is fixed."""
from datetime import datetime, timezone

import pytest

from services.common.actor import Actor
from services.common.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from services.identity.domain import tokens
from services.identity.models import ClientAccount
from tests.unit.identity.conftest import SECRET, SYSTEM, rivers_family, staff_actor

PASSWORD = "copper kettle meadow 77"
JANE = "jane.rivers@example.org"
RECORDS = rivers_family(JANE)
ALL = ["view_appointments", "manage_information", "manage_documentation",
       "message_clinician", "billing"]


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def records():
    return {k: dict(v) for k, v in RECORDS.items()}


@pytest.fixture
def staff(practice, service, records):
    service.charts.get_client.side_effect = lambda actor, cid: dict(records[cid])
    return staff_actor(practice)


@pytest.fixture
def jane(service, staff, clock):
    """Jane's own login, with her son linked to it."""
    clock.set(at(2026, 3, 1))
    account = service.create_client_access(staff, {
        "client_id": "jane", "login": JANE, "temporary_password": PASSWORD,
        "change_password_at_next_login": False, "client_name": "Jane Rivers",
        "date_of_birth": "1984-07-21"})
    service.link_client(staff, {"account_id": account["account_id"], "client_id": "son"})
    return account["account_id"]


def sign_in(service, login=JANE):
    result = service.authenticate({"practice_code": "oak-tree", "login": login,
                                   "password": PASSWORD, "audience": "portal"})
    return result, tokens.decode_access_token(result["access_token"], SECRET, leeway=10**9)


def test_one_sign_in_carries_her_chart_her_son_and_her_daughters_grant(service, staff, jane,
                                                                        db, practice):
    grant = service.grant_access(staff, {"account_id": jane, "client_id": "mia",
                                         "permissions": ["view_appointments"]})
    assert grant == dict(grant, holder_kind="client", account_id=jane, contact_id=None,
                         guardian=True, band="full",
                         effective_permissions=["view_appointments"])
    result, claims = sign_in(service)
    assert claims["kind"] == "client" and claims["sub"] == jane
    assert claims["clients"] == {"jane": ["*"], "son": ["*"], "mia": ["view_appointments"]}
    switcher = [(c["client_id"], c["name"], c["permissions"])
                for c in result["principal"]["clients"]]
    assert switcher == [("jane", "Jane Rivers", ["*"]), ("son", "Leo Rivers", ["*"]),
                        ("mia", "Mia Rivers", ["view_appointments"])]
    me = Actor(practice_id=practice["id"], kind="client", id=jane).to_wire()
    assert len(service.get_session(me)["clients"]) == 3
    changed = db.events("grant.changed")[-1]["data"]
    assert changed == {"holder_kind": "client", "account_id": jane, "contact_id": None,
                       "client_id": "mia", "permissions": ["view_appointments"],
                       "renewed_until": None, "change": "granted"}
    audit = service.list_audit(staff_actor(practice, permissions=("view_audit_log",)),
                               {"action": "grant_changed"})["entries"][0]
    assert (audit["subject_kind"], audit["subject_id"]) == ("client", jane)
    held = service.get_account_clients(staff, jane)
    assert [g["client_id"] for g in held["grants"]] == ["mia"]
    listed = service.list_contacts(staff, {"client_id": "mia"})
    assert listed["items"] == [] and [a["account_id"] for a in listed["accounts"]] == [jane]


def test_the_age_bands_hold_for_an_account_as_for_a_contact(service, staff, jane, clock):
    service.grant_access(staff, {"account_id": jane, "client_id": "mia", "permissions": ALL})
    # Mia turns 12 on 2026-06-15 in New York (04:00 UTC): the confidential parts go
    clock.set(datetime(2026, 6, 15, 3, 59, tzinfo=timezone.utc))
    assert sign_in(service)[1]["clients"]["mia"] == ALL
    clock.set(datetime(2026, 6, 15, 4, 0, tzinfo=timezone.utc))
    assert sign_in(service)[1]["clients"]["mia"] == [
        "view_appointments", "manage_information", "billing"]
    clock.set(datetime(2032, 6, 15, 4, 0, tzinfo=timezone.utc))   # 18: nothing, own stays
    assert sign_in(service)[1]["clients"] == {"jane": ["*"], "son": ["*"]}


def test_narrowing_or_revoking_ends_the_accounts_sessions(service, staff, jane, db):
    service.grant_access(staff, {"account_id": jane, "client_id": "mia",
                                 "permissions": ["view_appointments", "billing"]})
    first, _ = sign_in(service)
    service.grant_access(staff, {"account_id": jane, "client_id": "mia",
                                 "permissions": ["view_appointments"]})
    revoked = db.events("session.revoked")[-1]["data"]
    assert revoked["session_ids"] == [first["session_id"]]
    assert (revoked["account_id"], revoked["reason"]) == (jane, "grant_narrowed")
    with pytest.raises(Unauthenticated):
        service.refresh({"refresh_token": first["refresh_token"]})
    second, _ = sign_in(service)
    view = service.revoke_access(staff, {"account_id": jane, "client_id": "mia"})
    assert view["grants"] == [] and [c["client_id"] for c in view["clients"]] == ["jane", "son"]
    assert db.events("session.revoked")[-1]["data"]["session_ids"] == [second["session_id"]]
    assert sign_in(service)[1]["clients"] == {"jane": ["*"], "son": ["*"]}
    with pytest.raises(NotFound) as gone:
        service.revoke_access(staff, {"account_id": jane, "client_id": "mia"})
    assert gone.value.code == "no_grant"


def test_grant_holder_rules(service, staff, jane, practice):
    for client_id in ("jane", "son"):           # full rights already
        with pytest.raises(Conflict) as linked:
            service.grant_access(staff, {"account_id": jane, "client_id": client_id,
                                         "permissions": ["billing"]})
        assert linked.value.code == "already_linked"
    for holder in ({}, {"account_id": jane, "contact_id": "c-1"}):
        with pytest.raises(InvalidInput):
            service.grant_access(staff, dict(holder, client_id="mia", permissions=["billing"]))
    other = staff_actor(service.create_practice(SYSTEM, {"code": "elm", "name": "Elm"}))
    with pytest.raises(NotFound):
        service.grant_access(other, {"account_id": jane, "client_id": "mia",
                                     "permissions": ["billing"]})
    # one person, one sign-in: her email cannot become a contact login besides
    with pytest.raises(Conflict) as taken:
        service.create_contact(staff, {"email": JANE.upper(), "name": "Jane"})
    assert taken.value.code == "login_taken" and "portal account" in taken.value.message


def test_a_document_shared_with_the_account_reaches_its_login(service, staff, jane, practice):
    system = Actor.system(practice_id=practice["id"]).to_wire()
    found = service.get_contact_email(system, jane)
    assert found == {"contact_id": jane, "email": JANE, "may_email": True}


# -- a date of birth corrected on the chart ----------------------------------------------------
def updated(practice, client_id, fields, event_id="e-1"):
    return {"id": event_id, "type": "client.updated", "version": 1,
            "occurred_at": "2026-03-01T12:00:00+00:00", "practice_id": practice["id"],
            "actor": {"kind": "staff", "id": "s-1"},
            "data": {"client_id": client_id, "client_name": "x", "tab": "basic",
                     "fields": fields, "batch_id": "b-1", "source": "staff"}}


def test_a_corrected_date_of_birth_reaches_the_login_and_the_grants(service, staff, jane,
                                                                    records, clock, practice):
    service.grant_access(staff, {"account_id": jane, "client_id": "mia",
                                 "permissions": ALL})
    # Mia was really born a year earlier: 12 already, so the partial band applies
    records["mia"]["date_of_birth"] = "2013-06-15"
    service.charts.get_client.reset_mock()
    service.on_client_updated(updated(practice, "mia", ["date_of_birth"]))
    assert service.charts.get_client.call_count == 1
    assert service.charts.get_client.call_args[0][0]["kind"] == "system"
    assert sign_in(service)[1]["clients"]["mia"] == [
        "view_appointments", "manage_information", "billing"]
    # a redelivery asks again (before the transaction) but changes nothing twice
    service.on_client_updated(updated(practice, "mia", ["date_of_birth"]))
    admin = staff_actor(practice, permissions=("view_audit_log",))
    synced = service.list_audit(admin, {"action": "client_details_synced"})["entries"]
    assert len(synced) == 1 and synced[0]["detail"]["fields"] == ["date_of_birth"]
    # Jane's own date of birth was wrong too: her login keeps the chart's
    records["jane"]["date_of_birth"] = "1985-07-21"
    service.on_client_updated(updated(practice, "jane", ["date_of_birth", "city"], "e-2"))
    with service.db.read() as session:
        assert str(session.get(ClientAccount, jane).date_of_birth) == "1985-07-21"


def test_other_changes_and_unknown_clients_cost_no_hop(service, staff, jane, practice):
    service.charts.get_client.reset_mock()
    service.on_client_updated(updated(practice, "mia", ["city", "phone"]))
    service.on_client_updated(updated(practice, "stranger", ["date_of_birth"]))
    assert service.charts.get_client.call_count == 0


def test_a_child_too_young_after_the_correction_cannot_sign_in(service, staff, records,
                                                               clock, practice):
    clock.set(at(2026, 3, 1))
    service.create_client_access(staff, {
        "client_id": "son", "login": "leo@example.org", "temporary_password": PASSWORD,
        "change_password_at_next_login": False, "client_name": "Leo Rivers",
        "date_of_birth": "2012-03-02"})
    sign_in(service, "leo@example.org")                 # 14: his own access is open
    records["son"]["date_of_birth"] = "2016-03-02"      # 10 in truth
    service.on_client_updated(updated(practice, "son", ["date_of_birth"]))
    with pytest.raises(Unauthenticated) as refused:
        sign_in(service, "leo@example.org")
    assert refused.value.code == "account_not_yet_available"


def test_a_record_charts_no_longer_has_changes_nothing(service, staff, jane, practice):
    def gone(actor, client_id):
        raise NotFound("not_found", "That record does not exist.")
    service.charts.get_client.side_effect = gone
    service.on_client_updated(updated(practice, "jane", ["date_of_birth"]))
    with service.db.read() as session:
        assert str(session.get(ClientAccount, jane).date_of_birth) == "1984-07-21"
