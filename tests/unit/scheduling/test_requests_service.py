"""Setup, availability and requests through nameko's worker_factory, on an in-memory
database, with identity's `list_staff` answered by a stand-in and the clock settable."""
from datetime import datetime, timedelta, timezone
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.testing import MemoryDatabase
from services.scheduling.models import Appointment, Base
from services.scheduling.service import SchedulingService

PRACTICE, CLIENT = "practice-1", "client-1"
MAYA, NOOR = "staff-maya", "staff-noor"
# Monday 2 March 2030, 08:00 in New York (EST)
NOW = datetime(2030, 3, 4, 13, 0, tzinfo=timezone.utc)
STAFF_LIST = [{"id": MAYA, "name": "Maya Rivera", "status": "active"},
              {"id": NOOR, "name": "Noor Khan", "status": "active"}]
ADMIN = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-admin",
         "permissions": ["view_clients", "manage_appointments", "manage_practice_settings"]}
DESK = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-desk",
        "permissions": ["view_clients", "manage_appointments"]}


def holder(client_id=CLIENT, perms=("*",), kind="client"):
    return {"practice_id": PRACTICE, "kind": kind, "id": "acct-1",
            "clients": {client_id: list(perms)}}


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def db():
    database = MemoryDatabase(Base)
    yield database
    database.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(db, clock):
    identity = MagicMock()
    identity.list_staff.return_value = STAFF_LIST
    return worker_factory(SchedulingService, db=db, identity=identity, clock=clock)


@pytest.fixture
def practice(service):
    """An office in New York, telehealth, a 50-minute session by Maya and Noor, both
    working Monday–Friday 09:00–12:00 and 13:00–16:00; requests open to everyone."""
    office = service.create_location(ADMIN, {"kind": "office", "name": "Main office",
                                             "address": "1 Oak St", "time_zone": "America/New_York"})
    tele = service.create_location(ADMIN, {"kind": "telehealth", "name": "Video",
                                           "time_zone": "America/New_York"})
    session = service.create_service(ADMIN, {
        "name": "Therapy session", "duration_minutes": 50, "cpt_code": "90834",
        "fee_cents": 15000, "clinician_ids": [MAYA, NOOR]})
    for who in (MAYA, NOOR):
        service.set_work_schedule(DESK, who, {"periods": [
            {"weekday": day, "starts": starts, "ends": ends, "location_id": office["id"],
             "effective_from": "2030-01-01"}
            for day in range(5) for starts, ends in (("09:00", "12:00"), ("13:00", "16:00"))]})
    service.update_scheduling_settings(ADMIN, {
        "version": 0, "online_booking": True, "who_may_request": "everyone",
        "min_notice_minutes": 24 * 60, "horizon_days": 30, "buffer_minutes": 10,
        "late_cancel_hours": 24, "no_cancel_hours": 4, "clients_may_cancel": True})
    return {"office": office, "tele": tele, "session": session}


def request(service, practice, starts_at="2030-03-06T09:00:00-05:00", clinician=MAYA,
            actor=None, **more):
    return service.request_appointment(actor or holder(), CLIENT, {
        "service_id": practice["session"]["id"], "clinician_id": clinician,
        "location_id": practice["office"]["id"], "starts_at": starts_at, **more})


def test_setup_refuses_bad_input_with_sentences(service):
    with pytest.raises(InvalidInput) as exc:
        service.create_service(ADMIN, {"name": "Intake", "duration_minutes": 5,
                                       "cpt_code": "abc", "fee_cents": 12.5})
    assert set(exc.value.fields) == {"duration_minutes", "cpt_code", "fee_cents"}
    with pytest.raises(InvalidInput) as exc:
        service.create_location(ADMIN, {"kind": "office", "name": "Office",
                                        "time_zone": "Mars/Olympus"})
    assert set(exc.value.fields) == {"address", "time_zone"}
    with pytest.raises(Forbidden):                     # the front desk does not set up
        service.create_service(DESK, {"name": "Intake", "duration_minutes": 60})
    with pytest.raises(Forbidden):
        service.create_service(holder(), {"name": "Intake", "duration_minutes": 60})


def test_schedules_refuse_overlaps_unknown_places_and_reversed_times(service, practice):
    office = practice["office"]["id"]
    base = {"weekday": 0, "location_id": office, "effective_from": "2030-01-01"}
    with pytest.raises(InvalidInput) as exc:
        service.set_work_schedule(DESK, MAYA, {"periods": [
            dict(base, starts="09:00", ends="12:00"), dict(base, starts="11:00", ends="13:00")]})
    assert "overlap on Mondays" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        service.set_work_schedule(DESK, MAYA, {"periods": [dict(base, starts="12:00",
                                                                ends="09:00")]})
    assert "periods.0.ends" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        service.set_work_schedule(DESK, MAYA, {"periods": [dict(base, starts="09:00",
                                                                ends="10:00", location_id="x")]})
    assert "periods.0.location_id" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:                 # not active staff
        service.set_work_schedule(DESK, "staff-nobody", {"periods": []})
    assert "clinician_id" in exc.value.fields


def test_settings_are_versioned_and_say_when_the_late_window_cannot_apply(service):
    assert service.get_scheduling_settings(holder())["version"] == 0
    saved = service.update_scheduling_settings(ADMIN, {"version": 0, "late_cancel_hours": 24,
                                                       "no_cancel_hours": 48})
    assert saved["version"] == 1 and saved["late_window_applies"] is False
    with pytest.raises(Conflict) as exc:
        service.update_scheduling_settings(ADMIN, {"version": 0, "buffer_minutes": 5})
    assert exc.value.code == "stale_version"
    with pytest.raises(InvalidInput) as exc:
        service.update_scheduling_settings(ADMIN, {"version": 1, "slot_step_minutes": 7})
    assert "slot_step_minutes" in exc.value.fields


def test_availability_offers_steps_in_the_office_zone_around_appointments(service, practice):
    found = service.find_availability(holder(), {
        "service_id": practice["session"]["id"], "clinician_id": MAYA,
        "from": "2030-03-05", "to": "2030-03-05"})
    starts = [s["local_starts_at"] for s in found["items"]]
    # notice 24 h from 08:00 Monday: Tuesday from 09:00 on (08:00 is before hours)
    assert starts[0] == "2030-03-05T09:00:00-05:00" and found["clinicians"] == {MAYA: "Maya Rivera"}
    assert "2030-03-05T11:00:00-05:00" in starts and "2030-03-05T11:15:00-05:00" not in starts
    service.book_appointment(DESK, "client-9", {"clinician_id": MAYA,
                                                "starts_at": "2030-03-05T10:00:00-05:00"})
    after = [s["local_starts_at"] for s in service.find_availability(holder(), {
        "service_id": practice["session"]["id"], "clinician_id": MAYA,
        "from": "2030-03-05", "to": "2030-03-05"})["items"]]
    assert "2030-03-05T09:00:00-05:00" in after                  # ends 09:50, buffer to 10:00
    assert "2030-03-05T09:15:00-05:00" not in after
    assert "2030-03-05T11:00:00-05:00" in after                  # 10:50 + 10 min buffer
    assert "2030-03-05T10:45:00-05:00" not in after
    assert service.find_availability(holder(), {
        "service_id": practice["session"]["id"], "telehealth": True,
        "from": "2030-03-05", "to": "2030-03-06"})["items"] == []


def test_a_vacation_hides_its_whole_period(service, practice):
    service.create_block(DESK, {"clinician_id": MAYA, "kind": "time_off",
                                "starts_at": "2030-03-05T00:00", "ends_at": "2030-03-08T00:00",
                                "time_zone": "America/New_York", "label": "Vacation"})
    items = service.find_availability(holder(), {
        "service_id": practice["session"]["id"], "from": "2030-03-05", "to": "2030-03-08"})["items"]
    maya_days = {s["local_starts_at"][:10] for s in items if s["clinician_id"] == MAYA}
    assert maya_days == {"2030-03-08"}
    assert {s["local_starts_at"][:10] for s in items if s["clinician_id"] == NOOR} == {
        "2030-03-05", "2030-03-06", "2030-03-07", "2030-03-08"}
    with pytest.raises(Conflict) as exc:
        request(service, practice, "2030-03-06T09:00:00-05:00")
    assert exc.value.code == "slot_unavailable"


@pytest.mark.parametrize("starts_at, field_words", [
    ("2030-03-06T09:05:00-05:00", "every 15 minutes"),
    ("2030-03-01T09:00:00-05:00", "in the past"),
    ("2030-03-04T15:00:00-05:00", "notice"),
    ("2030-05-06T09:00:00-04:00", "30 days ahead"),
    ("2030-03-06T12:00:00-05:00", "does not see clients then"),
    ("2030-03-06T11:30:00-05:00", "does not see clients then"),   # would end 12:20
])
def test_a_request_off_the_offers_is_refused_with_a_sentence(service, practice, db,
                                                              starts_at, field_words):
    with pytest.raises(InvalidInput) as exc:
        request(service, practice, starts_at)
    assert field_words in exc.value.message and "starts_at" in exc.value.fields
    assert db.all(Appointment) == [] and db.events("appointment.requested") == []


def test_requests_follow_the_practice_switches_and_the_service_rules(service, practice):
    with pytest.raises(InvalidInput) as exc:           # not offered by that clinician
        service.update_service(ADMIN, practice["session"]["id"], dict(
            {k: practice["session"][k] for k in ("name", "duration_minutes", "cpt_code",
                                                 "fee_cents", "requestable_by")},
            clinician_ids=[NOOR], version=1))
        request(service, practice)
    assert "does not offer" in exc.value.message
    service.update_service(ADMIN, practice["session"]["id"], dict(
        name="Therapy session", duration_minutes=50, clinician_ids=[MAYA, NOOR],
        requestable_by="existing", version=2))
    with pytest.raises(InvalidInput) as exc:
        request(service, practice)
    assert "for existing clients" in exc.value.message
    service.update_scheduling_settings(ADMIN, {"version": 1, "who_may_request": "existing"})
    with pytest.raises(Forbidden) as exc:
        request(service, practice)
    assert exc.value.code == "existing_clients_only"
    service.update_scheduling_settings(ADMIN, {"version": 2, "online_booking": False})
    with pytest.raises(Forbidden) as exc:
        request(service, practice)
    assert exc.value.code == "requests_closed"
    with pytest.raises(Forbidden):
        service.find_availability(holder(), {"service_id": practice["session"]["id"],
                                             "from": "2030-03-05", "to": "2030-03-05"})


def test_a_request_needs_view_appointments_and_is_not_for_staff(service, practice):
    with pytest.raises(Forbidden):
        request(service, practice, actor=holder(perms=("view_documents",), kind="contact"))
    with pytest.raises(Forbidden):
        request(service, practice, actor=DESK)
    guardian = request(service, practice, actor=holder(perms=("view_appointments",),
                                                       kind="contact"))
    assert guardian["status"] == "requested"


def test_too_many_future_appointments(service, practice):
    service.update_scheduling_settings(ADMIN, {"version": 1, "max_future_appointments": 1})
    request(service, practice)
    with pytest.raises(Conflict) as exc:
        request(service, practice, "2030-03-07T09:00:00-05:00")
    assert exc.value.code == "too_many_appointments"


def test_request_approve_first_wins_and_the_events_carry_ids_only(service, practice, db):
    first = request(service, practice, note="feeling anxious")
    second = service.request_appointment(holder("client-2"), "client-2", {
        "service_id": practice["session"]["id"], "clinician_id": MAYA,
        "location_id": practice["office"]["id"], "starts_at": "2030-03-06T09:00:00-05:00"})
    assert first["status"] == "requested" and first["duration_minutes"] == 50
    pending = service.list_requests(DESK, {})["items"]
    assert {r["id"] for r in pending} == {first["id"], second["id"]}
    assert {r["request_note"] for r in pending} == {"feeling anxious", None}
    approved = service.approve_request(DESK, first["id"], {"version": 1})
    assert approved["status"] == "scheduled" and approved["version"] == 2
    with pytest.raises(Conflict) as exc:
        service.approve_request(DESK, second["id"], {"version": 1})
    assert exc.value.code == "clinician_busy"
    with pytest.raises(Conflict) as exc:
        service.approve_request(DESK, first["id"], {"version": 2})
    assert exc.value.code == "not_pending"
    # the second goes to Noor at another time: what changed is said
    moved = service.approve_request(DESK, second["id"], {
        "version": 1, "clinician_id": NOOR, "starts_at": "2030-03-06T10:00:00-05:00"})
    assert moved["clinician_name"] == "Noor Khan"
    [requested, _] = db.events("appointment.requested")
    assert "anxious" not in str(requested) and "Maya" not in str(requested)
    approvals = db.events("appointment.approved")
    assert [e["data"]["changed"] for e in approvals] == [[], ["clinician_id", "starts_at"]]
    assert service.list_client_appointments(holder(), CLIENT, {})["items"][0]["id"] == first["id"]


def test_deny_tells_the_requester_and_withdraw_is_once(service, practice, db):
    denied = request(service, practice)
    with pytest.raises(InvalidInput):
        service.deny_request(DESK, denied["id"], {"version": 1})
    done = service.deny_request(DESK, denied["id"], {"version": 1, "reason": "Full that week"})
    assert done["status"] == "denied"
    seen = service.list_requests(holder(), {"client_id": CLIENT, "status": "any"})["items"]
    assert seen[0]["deny_reason"] == "Full that week"
    assert "Full" not in str(db.events("appointment.denied"))
    mine = request(service, practice, "2030-03-07T09:00:00-05:00")
    with pytest.raises(Forbidden):
        service.withdraw_request(DESK, mine["id"], {"version": 1})
    assert service.withdraw_request(holder(), mine["id"], {"version": 1})["status"] == "withdrawn"
    with pytest.raises(Conflict) as exc:
        service.withdraw_request(holder(), mine["id"], {"version": 2})
    assert exc.value.code == "not_pending"
    assert len(db.events("appointment.withdrawn")) == 1


def test_client_cancel_on_time_late_and_refused(service, practice, db, clock):
    booked = service.approve_request(DESK, request(service, practice)["id"], {"version": 1})
    starts = datetime.fromisoformat(booked["starts_at"])
    clock.now = starts - timedelta(hours=3)                     # inside the no-cancel window
    with pytest.raises(Conflict) as exc:
        service.cancel_own_appointment(holder(), booked["id"], {"version": 2})
    assert exc.value.code == "inside_no_cancel_window" and "contact the practice" in exc.value.message
    clock.now = starts - timedelta(hours=10)                    # late
    late = service.cancel_own_appointment(holder(), booked["id"], {"version": 2})
    assert late["status"] == "late_cancelled" and late["late"] is True
    [event] = db.events("appointment.cancelled")
    assert event["data"]["late"] is True and event["data"]["cancelled_by"]["kind"] == "client"
    assert event["data"]["charge"] == {"service_id": practice["session"]["id"],
                                       "fee_cents": 15000, "late_cancel_hours": 24}
    # still on the client's calendar, marked late
    assert service.list_client_appointments(holder(), CLIENT, {})["items"][0]["status"] \
        == "late_cancelled"
    clock.now = NOW
    other = service.approve_request(DESK, request(service, practice, "2030-03-07T09:00:00-05:00")["id"],
                                    {"version": 1})
    on_time = service.cancel_own_appointment(holder(), other["id"], {"version": 2})
    assert on_time["status"] == "cancelled" and on_time["late"] is False
    assert db.events("appointment.cancelled")[1]["data"]["charge"] is None


def test_attended_and_no_show_once_started(service, practice, db, clock):
    booked = service.approve_request(DESK, request(service, practice)["id"], {"version": 1})
    with pytest.raises(Conflict) as exc:
        service.mark_attended(DESK, booked["id"], {"version": 2})
    assert exc.value.code == "not_started"
    clock.now = datetime.fromisoformat(booked["starts_at"]) + timedelta(minutes=5)
    with pytest.raises(Forbidden):
        service.mark_no_show(holder(), booked["id"], {"version": 2})
    assert service.mark_no_show(DESK, booked["id"], {"version": 2})["status"] == "no_show"
    with pytest.raises(Conflict) as exc:
        service.mark_attended(DESK, booked["id"], {"version": 3})
    assert exc.value.code == "not_scheduled"
    assert len(db.events("appointment.no_show")) == 1


def test_a_period_s_last_local_day_holds_its_evening_even_when_utc_is_the_next_day(service, practice):
    """20:00 in New York on a period's last day is 01:00 UTC the day after."""
    service.set_work_schedule(DESK, NOOR, {"periods": [
        {"weekday": 2, "starts": "19:00", "ends": "22:00", "location_id": practice["office"]["id"],
         "effective_from": "2030-01-01", "effective_until": "2030-03-06"}]})
    asked = request(service, practice, "2030-03-06T20:00:00-05:00", clinician=NOOR)
    assert asked["status"] == "requested" and asked["starts_at"] == "2030-03-07T01:00:00+00:00"
    with pytest.raises(InvalidInput) as exc:                  # a week later it has ended
        request(service, practice, "2030-03-13T20:00:00-04:00", clinician=NOOR)
    assert "does not see clients then" in exc.value.message
