"""SchedulingService through nameko's worker_factory, on an in-memory database, with
identity's `list_staff` answered by a stand-in and the clock fixed."""
from datetime import datetime, timedelta, timezone
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from services.common.testing import MemoryDatabase
from services.scheduling.models import Appointment, Base
from services.scheduling.service import SchedulingService

PRACTICE, OTHER_PRACTICE = "practice-1", "practice-2"
CLIENT, SIBLING = "client-1", "client-2"
MAYA, OLD = "staff-maya", "staff-old"
NOW = datetime(2030, 3, 4, 12, 0, tzinfo=timezone.utc)
STAFF_LIST = [{"id": MAYA, "email": "m@x", "name": "Maya Rivera", "role": "clinician",
               "status": "active"},
              {"id": OLD, "email": "o@x", "name": "Old Hand", "role": "clinician",
               "status": "suspended"}]


def staff(*permissions, practice=PRACTICE):
    return {"practice_id": practice, "kind": "staff", "id": "staff-desk",
            "permissions": list(permissions or ("view_clients", "manage_appointments"))}


STAFF = staff()


def holder(kind="client", perms=("*",), client_id=CLIENT, practice=PRACTICE):
    return {"practice_id": practice, "kind": kind, "id": "acct-1",
            "clients": {client_id: list(perms)}}


def at(hours, day=1):
    return (NOW + timedelta(days=day, hours=hours)).isoformat()


@pytest.fixture
def db():
    database = MemoryDatabase(Base)
    yield database
    database.dispose()


@pytest.fixture
def identity():
    proxy = MagicMock()
    proxy.list_staff.return_value = STAFF_LIST
    return proxy


@pytest.fixture
def service(db, identity):
    return worker_factory(SchedulingService, db=db, identity=identity, clock=lambda: NOW)


@pytest.fixture
def booked(service):
    return service.book_appointment(STAFF, CLIENT, {
        "clinician_id": MAYA, "starts_at": "2030-03-05T10:00:00-05:00",
        "title": "  Individual therapy "})


def test_booking_stores_the_clinician_name_and_emits_scheduled(service, db, identity, booked):
    assert booked["starts_at"] == "2030-03-05T15:00:00+00:00"
    assert booked["ends_at"] == "2030-03-05T15:50:00+00:00"
    assert booked == dict(booked, client_id=CLIENT, clinician_id=MAYA, duration_minutes=50,
                          clinician_name="Maya Rivera", location="office", version=1,
                          title="Individual therapy", status="scheduled", cancelled_at=None,
                          created_by="staff-desk", cancel_reason=None)
    identity.list_staff.assert_called_once()
    assert identity.list_staff.call_args.args[0]["practice_id"] == PRACTICE
    [event] = db.events()
    assert event["type"] == "appointment.scheduled" and event["version"] == 1
    assert event["data"] == {"appointment_id": booked["id"], "client_id": CLIENT,
                             "clinician_id": MAYA, "starts_at": booked["starts_at"],
                             "ends_at": booked["ends_at"], "location": "office",
                             "status": "scheduled"}
    assert "Maya" not in str(event) and "therapy" not in str(event)


@pytest.mark.parametrize("payload, field", [
    ({"starts_at": "2030-03-05T10:00:00"}, "starts_at"),
    ({"starts_at": at(-30, day=0)}, "starts_at"),             # in the past
    ({"duration_minutes": 5}, "duration_minutes"),
    ({"duration_minutes": 481}, "duration_minutes"),
    ({"location": "moon"}, "location"),
    ({"title": "x" * 121}, "title"),
    ({"clinician_id": OLD}, "clinician_id"),                  # not active
    ({"clinician_id": "nobody"}, "clinician_id"),
    ({"colour": "red"}, "colour"),
])
def test_bad_bookings_are_refused_naming_the_field(service, db, payload, field):
    with pytest.raises(InvalidInput) as exc:
        service.book_appointment(STAFF, CLIENT, {"clinician_id": MAYA, "starts_at": at(3),
                                                 **payload})
    assert field in exc.value.fields
    assert db.all(Appointment) == [] and db.events() == []


def test_an_overlapping_booking_of_the_clinician_is_a_conflict(service, db, booked):
    with pytest.raises(Conflict) as exc:
        service.book_appointment(STAFF, SIBLING, {"clinician_id": MAYA,
                                                  "starts_at": "2030-03-05T15:30:00Z"})
    assert exc.value.code == "clinician_busy"
    # back to back is fine
    service.book_appointment(STAFF, SIBLING, {"clinician_id": MAYA,
                                              "starts_at": "2030-03-05T15:50:00Z"})
    assert len(db.all(Appointment)) == 2


def test_the_same_id_twice_is_one_appointment(service, db, identity):
    payload = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "clinician_id": MAYA,
               "starts_at": at(2)}
    first = service.book_appointment(STAFF, CLIENT, payload)
    again = service.book_appointment(STAFF, CLIENT, payload)
    assert first == again and first["id"] == payload["id"]
    assert len(db.all(Appointment)) == 1 and len(db.events()) == 1
    assert identity.list_staff.call_count == 1          # a retry does not ask again
    with pytest.raises(Conflict) as exc:                 # the key names one booking only
        service.book_appointment(STAFF, SIBLING, payload)
    assert exc.value.code == "id_taken"


def test_identity_silent_stores_nothing(service, db, identity):
    identity.list_staff.side_effect = Unavailable("unavailable", "silent")
    with pytest.raises(Unavailable) as exc:
        service.book_appointment(STAFF, CLIENT, {"clinician_id": MAYA, "starts_at": at(2)})
    assert exc.value.code == "identity_unavailable" and exc.value.status == 503
    assert db.all(Appointment) == [] and db.events() == []


@pytest.mark.parametrize("actor, error", [
    (staff("view_clients"), Forbidden),                          # no manage_appointments
    (holder(), Forbidden),                                       # clients never book
    ({"kind": "nobody"}, Forbidden),
])
def test_only_staff_with_manage_appointments_book(service, db, actor, error):
    with pytest.raises(error):
        service.book_appointment(actor, CLIENT, {"clinician_id": MAYA, "starts_at": at(2)})
    assert db.all(Appointment) == []


def test_lists_upcoming_soonest_first_and_past_latest_first(service, db):
    for hours in (5, 1, 3):
        service.book_appointment(STAFF, CLIENT, {"clinician_id": MAYA, "starts_at": at(hours)})
    service.book_appointment(STAFF, SIBLING, {"clinician_id": MAYA, "starts_at": at(7)})
    upcoming = service.list_client_appointments(STAFF, CLIENT, {})["items"]
    assert [a["starts_at"] for a in upcoming] == [at(1), at(3), at(5)]
    later = worker_factory(SchedulingService, db=db, identity=MagicMock(),
                           clock=lambda: NOW + timedelta(days=1, hours=4))
    assert [a["starts_at"] for a in later.list_client_appointments(
        STAFF, CLIENT, {"when": "past"})["items"]] == [at(3), at(1)]
    assert [a["starts_at"] for a in later.list_client_appointments(
        STAFF, CLIENT, {"limit": 1})["items"]] == [at(5)]


def test_a_client_sees_no_staff_fields_and_no_cancelled_by_default(service, booked):
    other = service.book_appointment(STAFF, CLIENT, {"clinician_id": MAYA, "starts_at": at(8)})
    service.cancel_appointment(STAFF, other["id"], {"version": 1, "reason": "clinician ill"})
    [seen] = service.list_client_appointments(holder(), CLIENT, None)["items"]
    assert seen["id"] == booked["id"]
    assert not {"cancel_reason", "created_by", "created_at"} & set(seen)
    both = service.list_client_appointments(holder(), CLIENT, {"include_cancelled": True})
    assert {a["status"] for a in both["items"]} == {"scheduled", "cancelled"}
    assert "clinician ill" not in str(both)
    staff_view = service.list_client_appointments(STAFF, CLIENT, {})["items"]
    assert {a["cancel_reason"] for a in staff_view} == {None, "clinician ill"}


@pytest.mark.parametrize("actor, error", [
    (holder("contact", perms=("view_documents",)), Forbidden),   # held without the grant
    (holder("contact", client_id=SIBLING), NotFound),            # not held at all
    (staff("manage_appointments"), Forbidden),                   # staff without view_clients
])
def test_listing_needs_view_appointments_or_view_clients(service, booked, actor, error):
    with pytest.raises(error):
        service.list_client_appointments(actor, CLIENT, {})


def test_a_contact_with_view_appointments_lists_and_gets(service, booked):
    contact = holder("contact", perms=("view_appointments",))
    assert [a["id"] for a in service.list_client_appointments(contact, CLIENT, {})["items"]] \
        == [booked["id"]]
    assert service.get_appointment(contact, booked["id"])["clinician_name"] == "Maya Rivera"


def test_another_practice_never_sees_a_byte(service, booked):
    stranger = staff(practice=OTHER_PRACTICE)
    assert service.list_client_appointments(stranger, CLIENT, {}) == {"items": []}
    assert service.list_client_appointments(holder(practice=OTHER_PRACTICE), CLIENT,
                                            {}) == {"items": []}
    for actor in (stranger, holder(practice=OTHER_PRACTICE)):
        with pytest.raises(NotFound):
            service.get_appointment(actor, booked["id"])
    with pytest.raises(NotFound):
        service.cancel_appointment(stranger, booked["id"], {"version": 1})


def test_get_follows_the_client_rule(service, booked):
    assert service.get_appointment(holder(), booked["id"])["id"] == booked["id"]
    with pytest.raises(NotFound):
        service.get_appointment(holder(client_id=SIBLING), booked["id"])
    with pytest.raises(Forbidden):
        service.get_appointment(holder("contact", perms=("manage_information",)), booked["id"])
    with pytest.raises(NotFound):
        service.get_appointment(STAFF, "no-such-id")


def test_cancel_bumps_version_emits_cancelled_and_refuses_twice(service, db, booked):
    with pytest.raises(InvalidInput) as exc:
        service.cancel_appointment(STAFF, booked["id"], {})
    assert "version" in exc.value.fields
    with pytest.raises(Conflict) as exc:
        service.cancel_appointment(STAFF, booked["id"], {"version": 7})
    assert exc.value.code == "stale_version"
    done = service.cancel_appointment(STAFF, booked["id"], {"version": 1, "reason": "ill"})
    assert done["status"] == "cancelled" and done["version"] == 2
    assert done["cancel_reason"] == "ill" and done["cancelled_at"] == NOW.isoformat()
    event = db.events("appointment.cancelled")[0]
    assert event["data"]["status"] == "cancelled" and "ill" not in str(event)
    with pytest.raises(Conflict) as exc:
        service.cancel_appointment(STAFF, booked["id"], {"version": 2})
    assert exc.value.code == "already_cancelled"
    # a cancelled time is free again
    service.book_appointment(STAFF, SIBLING, {"clinician_id": MAYA,
                                              "starts_at": booked["starts_at"]})


@pytest.mark.parametrize("actor", [staff("view_clients"), holder()])
def test_only_staff_with_manage_appointments_cancel(service, booked, actor):
    with pytest.raises(Forbidden):
        service.cancel_appointment(actor, booked["id"], {"version": 1})


def test_a_system_actor_must_name_the_practice(service, db, booked):
    nowhere = {"practice_id": None, "kind": "system", "id": "system"}
    with pytest.raises(Forbidden) as refused:
        service.book_appointment(nowhere, CLIENT, {"clinician_id": MAYA,
                                                   "starts_at": "2030-03-05T12:00:00-05:00"})
    assert refused.value.code == "practice_required"
    with pytest.raises(Forbidden):
        service.cancel_appointment(nowhere, booked["id"], {"version": 1})
    seed = {"practice_id": PRACTICE, "kind": "system", "id": "system"}
    assert service.book_appointment(seed, CLIENT, {
        "clinician_id": MAYA, "starts_at": "2030-03-05T12:00:00-05:00"})["status"] == "scheduled"
