"""The appointment routes through the pipeline with a fake RPC: who may list, book and
cancel (the gateway refuses before scheduling is asked), what leaves the gateway (never the
staff-only fields for clients), the Idempotency-Key, and bad input as a clear 4xx."""
import uuid
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from gateway.openapi import OpenApi
from gateway.router import Router
from gateway.api import TABLES
from services.common.errors import Conflict, NotFound, Unavailable
from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, token

DAUGHTER = str(uuid.uuid4())
STAFF_PERMS = ["view_clients", "manage_appointments"]
STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=STAFF_PERMS)}
BILLER = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
# Jane: her own chart, a grant over her daughter with view_appointments only, and a
# grant over another client without it
JANE = {"Authorization": "Bearer " + token(clients={
    CLIENT_ID: ["*"], DAUGHTER: ["view_appointments"], OTHER_CLIENT: ["manage_information"]})}
NO_VIEW = {"Authorization": "Bearer " + token(kind="contact", clients={
    OTHER_CLIENT: ["manage_information", "manage_documentation"]})}
APPT_ID = str(uuid.uuid4())
STARTS = "2030-03-04T15:00:00-05:00"


def appointment(client_id=CLIENT_ID, **extra):
    return dict({"id": APPT_ID, "client_id": client_id, "clinician_id": "s1",
                 "clinician_name": "Dr Who", "starts_at": "2030-03-04T20:00:00+00:00",
                 "ends_at": "2030-03-04T20:50:00+00:00", "duration_minutes": 50,
                 "location": "office", "title": "Individual therapy", "status": "scheduled",
                 "cancelled_at": None, "version": 1, "cancel_reason": "staff note",
                 "created_by": "s1", "created_at": "2030-01-01T00:00:00+00:00"}, **extra)


def booked(client_id, payload):
    """What scheduling answers a booking: the appointment as asked (its defaults else)."""
    starts = datetime.fromisoformat(payload["starts_at"]).astimezone(timezone.utc)
    minutes = payload.get("duration_minutes", 50)
    return appointment(client_id, clinician_id=payload["clinician_id"],
                       starts_at=starts.isoformat(),
                       ends_at=(starts + timedelta(minutes=minutes)).isoformat(),
                       duration_minutes=minutes, location=payload.get("location", "office"),
                       title=(payload.get("title") or "").strip() or None)


@pytest.fixture
def sched(rpc):
    rpc.answers["scheduling.list_client_appointments"] = \
        lambda a, cid, p: {"items": [appointment(cid)]}
    rpc.answers["scheduling.get_appointment"] = lambda a, aid: appointment(DAUGHTER)
    rpc.answers["scheduling.book_appointment"] = lambda a, cid, p: booked(cid, p)
    rpc.answers["scheduling.cancel_appointment"] = \
        lambda a, aid, p: appointment(status="cancelled", version=2)
    return rpc


def calls(rpc, name):
    return [args for s, m, args in rpc.calls if f"{s}.{m}" == name]


# -- the portal --------------------------------------------------------------------------------------
def test_a_client_lists_their_own_appointments_without_staff_only_fields(client, sched):
    r = client.get("/api/v1/me/appointments", headers=CLIENT)
    assert r.status_code == 200
    item = r.json["items"][0]
    assert item["client_id"] == CLIENT_ID and item["clinician_name"] == "Dr Who"
    assert not {"cancel_reason", "created_by", "created_at"} & set(item)
    (actor, client_id, payload), = calls(sched, "scheduling.list_client_appointments")
    assert client_id == CLIENT_ID and payload == {"when": "upcoming"}
    assert actor["kind"] == "client"


def test_view_appointments_alone_lists_the_daughter_s_appointments(client, sched):
    r = client.get(f"/api/v1/me/appointments?client_id={DAUGHTER}&when=past&limit=5",
                   headers=JANE)
    assert r.status_code == 200 and r.json["items"][0]["client_id"] == DAUGHTER
    assert calls(sched, "scheduling.list_client_appointments")[0][2] == {"when": "past",
                                                                         "limit": 5}
    r = client.get(f"/api/v1/clients/{DAUGHTER}/appointments", headers=JANE)
    assert r.status_code == 200 and r.json["items"][0]["client_id"] == DAUGHTER


@pytest.mark.parametrize("path", [
    f"/api/v1/me/appointments?client_id={OTHER_CLIENT}",
    f"/api/v1/clients/{OTHER_CLIENT}/appointments",
])
def test_held_without_view_appointments_is_403_and_scheduling_is_not_asked(client, sched, path):
    for headers in (JANE, NO_VIEW):
        r = client.get(path, headers=headers)
        assert r.status_code == 403 and r.json["error"] == "not_permitted"
    assert not calls(sched, "scheduling.list_client_appointments")


def test_a_client_not_held_is_404(client, sched):
    for path in (f"/api/v1/me/appointments?client_id={uuid.uuid4()}",
                 f"/api/v1/clients/{uuid.uuid4()}/appointments"):
        assert client.get(path, headers=JANE).status_code == 404
    assert not calls(sched, "scheduling.list_client_appointments")


def test_one_appointment_is_checked_against_its_client(client, sched):
    r = client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=JANE)
    assert r.status_code == 200 and r.json["client_id"] == DAUGHTER
    assert "cancel_reason" not in r.json
    # a sign-in without view_appointments anywhere is refused before scheduling is asked
    r = client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=NO_VIEW)
    assert r.status_code == 403 and len(calls(sched, "scheduling.get_appointment")) == 1
    # should scheduling ever answer another person's appointment, it does not leave
    sched.answers["scheduling.get_appointment"] = lambda a, aid: appointment(OTHER_CLIENT)
    assert client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=JANE).status_code == 403
    sched.answers["scheduling.get_appointment"] = lambda a, aid: appointment(str(uuid.uuid4()))
    assert client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=JANE).status_code == 404
    sched.answers["scheduling.get_appointment"] = NotFound("not_found", "No.")
    assert client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=JANE).status_code == 404


def test_a_list_is_held_to_the_client_asked_for(client, sched):
    sched.answers["scheduling.list_client_appointments"] = \
        lambda a, cid, p: {"items": [appointment(cid), appointment(OTHER_CLIENT)]}
    r = client.get(f"/api/v1/me/appointments?client_id={DAUGHTER}", headers=JANE)
    assert [a["client_id"] for a in r.json["items"]] == [DAUGHTER]


def test_staff_are_not_clients_on_the_me_routes(client, sched):
    assert client.get("/api/v1/me/appointments", headers=STAFF).status_code == 403
    assert client.get(f"/api/v1/me/appointments/{APPT_ID}", headers=STAFF).status_code == 403


# -- staff ---------------------------------------------------------------------------------------------
def test_staff_list_a_client_s_appointments_with_staff_fields(client, sched):
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/appointments?include_cancelled=false",
                   headers=BILLER)
    assert r.status_code == 200 and r.json["items"][0]["cancel_reason"] == "staff note"
    assert calls(sched, "scheduling.list_client_appointments")[0][2] == {
        "when": "upcoming", "include_cancelled": False}
    assert calls(sched, "charts.get_client")          # the client is the practice's


def test_another_practice_s_client_is_404_for_staff(client, sched):
    sched.answers["charts.get_client"] = NotFound("not_found", "That record does not exist.")
    r = client.get(f"/api/v1/clients/{OTHER_CLIENT}/appointments", headers=STAFF)
    assert r.status_code == 404 and not calls(sched, "scheduling.list_client_appointments")
    r = client.post(f"/api/v1/clients/{OTHER_CLIENT}/appointments", headers=STAFF,
                    json={"clinician_id": "s1", "starts_at": STARTS})
    assert r.status_code == 404 and not calls(sched, "scheduling.book_appointment")


def test_staff_book_with_the_idempotency_key_as_the_id(client, sched):
    key = str(uuid.uuid4())
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/appointments",
                    headers=dict(STAFF, **{"Idempotency-Key": key}),
                    json={"clinician_id": "s1", "starts_at": STARTS, "duration_minutes": 60,
                          "location": "telehealth", "title": "Family session"})
    assert r.status_code == 201 and r.json["id"] == APPT_ID
    (actor, client_id, payload), = calls(sched, "scheduling.book_appointment")
    assert client_id == CLIENT_ID and payload["id"] == key
    assert payload["starts_at"] == "2030-03-04T15:00:00-05:00"
    assert payload["duration_minutes"] == 60 and payload["location"] == "telehealth"
    # without a key the gateway makes one, so its own retry is safe too
    client.post(f"/api/v1/clients/{CLIENT_ID}/appointments", headers=STAFF,
                json={"clinician_id": "s1", "starts_at": STARTS})
    assert uuid.UUID(calls(sched, "scheduling.book_appointment")[1][2]["id"])


def test_an_unanswered_booking_is_asked_once_more_with_the_same_id(client, sched):
    sched.answers["scheduling.book_appointment"] = Unavailable()
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/appointments", headers=STAFF,
                    json={"clinician_id": "s1", "starts_at": STARTS})
    assert r.status_code == 503 and r.json["error"] == "booking_unconfirmed"
    ids = {args[2]["id"] for args in calls(sched, "scheduling.book_appointment")}
    assert len(calls(sched, "scheduling.book_appointment")) == 2 and len(ids) == 1


@pytest.mark.parametrize("body, headers, field", [
    ({"clinician_id": "s1", "starts_at": "2030-03-04T15:00:00"}, {}, "starts_at"),
    ({"clinician_id": "s1", "starts_at": "tomorrow"}, {}, "starts_at"),
    ({"starts_at": STARTS}, {}, "clinician_id"),
    ({"clinician_id": "s1", "starts_at": STARTS, "duration_minutes": 5}, {}, "duration_minutes"),
    ({"clinician_id": "s1", "starts_at": STARTS, "location": "park"}, {}, "location"),
    ({"clinician_id": "s1", "starts_at": STARTS, "title": "x" * 121}, {}, "title"),
    ({"clinician_id": "s1", "starts_at": STARTS, "clinician_name": "Me"}, {}, "clinician_name"),
    ({"clinician_id": "s1", "starts_at": STARTS}, {"Idempotency-Key": "again"}, "Idempotency-Key"),
])
def test_bad_bookings_are_422_naming_the_field(client, sched, body, headers, field):
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/appointments", headers=dict(STAFF, **headers),
                    json=body)
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert not calls(sched, "scheduling.book_appointment")


def test_booking_and_cancelling_need_manage_appointments(client, sched):
    for headers in (BILLER, CLIENT, JANE):
        r = client.post(f"/api/v1/clients/{CLIENT_ID}/appointments", headers=headers,
                        json={"clinician_id": "s1", "starts_at": STARTS})
        assert r.status_code == 403
        r = client.post(f"/api/v1/appointments/{APPT_ID}/cancel", headers=headers,
                        json={"version": 1})
        assert r.status_code == 403
        assert client.get("/api/v1/clinicians", headers=headers).status_code == 403
    assert not calls(sched, "scheduling.book_appointment")
    assert not calls(sched, "scheduling.cancel_appointment")


def test_staff_cancel_with_the_version_and_a_reason(client, sched):
    r = client.post(f"/api/v1/appointments/{APPT_ID}/cancel", headers=STAFF,
                    json={"version": 1, "reason": "Clinician ill"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert calls(sched, "scheduling.cancel_appointment")[0][1:] == (
        APPT_ID, {"version": 1, "reason": "Clinician ill"})
    r = client.post(f"/api/v1/appointments/{APPT_ID}/cancel", headers=STAFF, json={})
    assert r.status_code == 422 and "version" in r.json["fields"]
    sched.answers["scheduling.cancel_appointment"] = Conflict(
        "stale_version", "It changed since you read it.")
    r = client.post(f"/api/v1/appointments/{APPT_ID}/cancel", headers=STAFF, json={"version": 1})
    assert r.status_code == 409 and r.json["error"] == "stale_version"


def test_the_booking_form_s_clinicians_are_active_staff_without_emails(client, sched):
    sched.answers["identity.list_staff"] = lambda a: [
        {"id": "s1", "email": "a@x.org", "name": "Ada", "role": "clinician", "status": "active"},
        {"id": "s2", "email": "b@x.org", "name": "Bo", "role": "intern", "status": "invited"}]
    r = client.get("/api/v1/clinicians", headers=STAFF)
    assert r.status_code == 200 and r.json == [{"id": "s1", "name": "Ada", "role": "clinician"}]


def test_the_description_lists_the_routes_with_their_errors_and_the_key():
    spec = OpenApi(Router(TABLES).routes).spec
    book = spec["paths"]["/api/v1/clients/{client_id}/appointments"]["post"]
    assert {"201", "403", "404", "409", "422", "503"} <= set(book["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["schema"]["format"] == "uuid"
               for p in book["parameters"])
    assert "409" in spec["paths"]["/api/v1/appointments/{appointment_id}/cancel"]["post"][
        "responses"]
    tagged = {(m, p) for p, ops in spec["paths"].items() for m, op in ops.items()
              if "appointments" in op["tags"]}
    assert ("get", "/api/v1/me/appointments") in tagged and len(tagged) == 7
    ics = spec["paths"]["/api/v1/me/appointments/{appointment_id}/calendar"]["get"]
    assert "text/calendar" in ics["responses"]["200"]["content"]
    assert {"401", "403", "404", "503"} <= set(ics["responses"])


# -- the upcoming list's read model -------------------------------------------------------------
def test_an_upcoming_list_is_read_once_and_a_past_one_every_time(client, sched):
    for _ in range(3):
        r = client.get("/api/v1/me/appointments", headers=CLIENT)
        assert r.status_code == 200 and r.json["items"][0]["client_id"] == CLIENT_ID
        assert "cancel_reason" not in r.json["items"][0]
    assert len(calls(sched, "scheduling.list_client_appointments")) == 1
    for _ in range(2):
        client.get("/api/v1/me/appointments?when=past", headers=CLIENT)
    assert len(calls(sched, "scheduling.list_client_appointments")) == 3


def test_the_checks_refuse_before_the_read_model_is_looked_at(client, sched, app):
    assert client.get(f"/api/v1/clients/{DAUGHTER}/appointments", headers=JANE).status_code \
        == 200
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/appointments", headers=BILLER)
    assert r.status_code == 200 and r.json["items"][0]["cancel_reason"] == "staff note"
    asked = len(calls(sched, "scheduling.list_client_appointments"))
    hits = app.readmodels.hits
    held_without_view = {"Authorization": "Bearer " + token(kind="contact", clients={
        DAUGHTER: ["manage_information"]})}
    not_held = {"Authorization": "Bearer " + token(kind="contact", clients={})}
    no_view_clients = {"Authorization": "Bearer " + token(kind="staff", perms=["x"])}
    stranger = {"Authorization": "Bearer " + token(kind="staff", perms=STAFF_PERMS,
                                                   pid="another-practice")}
    sched.answers["charts.get_client"] = lambda a, cid: (_ for _ in ()).throw(
        NotFound("not_found", "That record does not exist."))
    for headers, path, status in (
            (held_without_view, f"/api/v1/clients/{DAUGHTER}/appointments", 403),
            (held_without_view, f"/api/v1/me/appointments?client_id={DAUGHTER}", 403),
            (not_held, f"/api/v1/clients/{DAUGHTER}/appointments", 404),
            (no_view_clients, f"/api/v1/clients/{CLIENT_ID}/appointments", 403),
            (stranger, f"/api/v1/clients/{CLIENT_ID}/appointments", 404)):
        assert client.get(path, headers=headers).status_code == status, (path, status)
    assert len(calls(sched, "scheduling.list_client_appointments")) == asked
    assert app.readmodels.hits == hits
    # the portal never reads the staff view's list: its own, without staff-only fields
    r = client.get("/api/v1/me/appointments", headers=CLIENT)
    assert "cancel_reason" not in r.json["items"][0]


def test_staff_read_their_own_booking_and_cancellation_on_this_replica(client, sched):
    path = f"/api/v1/clients/{CLIENT_ID}/appointments"
    client.get(path, headers=STAFF)
    client.get(path, headers=STAFF)
    assert len(calls(sched, "scheduling.list_client_appointments")) == 1
    assert client.post(path, headers=STAFF, json={"clinician_id": "s1", "starts_at": STARTS}
                       ).status_code == 201
    client.get(path, headers=STAFF)
    assert len(calls(sched, "scheduling.list_client_appointments")) == 2
    r = client.post(f"/api/v1/appointments/{APPT_ID}/cancel", headers=STAFF,
                    json={"version": 1})
    assert r.status_code == 200
    client.get(path, headers=STAFF)
    assert len(calls(sched, "scheduling.list_client_appointments")) == 3


# -- Add to calendar ------------------------------------------------------------------------------
CALENDAR = f"/api/v1/me/appointments/{APPT_ID}/calendar"


@pytest.fixture
def session(sched):
    """The practice's settings come through the session's read model (its code)."""
    sched.answers["identity.get_session"] = lambda actor: {
        "kind": "client", "practice": {"code": "demo", "name": "Demo Practice"}}
    return sched


def event_of(response):
    [event] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return event


def test_the_calendar_file_is_one_event_a_calendar_reads_back(client, session, app):
    app.config["PUBLIC_URL"] = "https://portal.example"
    r = client.get(CALENDAR, headers=JANE)
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    assert r.headers["Cache-Control"] == "no-store"
    event = event_of(r)
    assert str(event["UID"]) == f"{APPT_ID}@haven"
    assert event.decoded("DTSTART").isoformat() == "2030-03-04T20:00:00+00:00"
    assert event.decoded("DTEND").isoformat() == "2030-03-04T20:50:00+00:00"
    assert b"DTSTART:20300304T200000Z" in r.data          # UTC, not a floating time
    assert "DTSTAMP" in event and int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]) == "Individual therapy with Dr Who"
    assert str(event["LOCATION"]) == "At the office" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == "https://portal.example/p/demo"
    assert b"staff note" not in r.data and b"created" not in r.data.lower()


def test_a_cancelled_appointment_s_file_tells_calendars_to_remove_it(client, session):
    session.answers["scheduling.get_appointment"] = lambda a, aid: appointment(
        DAUGHTER, status="cancelled", version=2, title=None, location="telehealth",
        cancelled_at="2030-01-02T00:00:00+00:00")
    event = event_of(client.get(CALENDAR, headers=JANE))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert str(event["SUMMARY"]) == "Appointment with Dr Who"
    assert str(event["LOCATION"]) == "Telehealth (video)"


def test_the_calendar_file_is_refused_as_the_appointment_is(client, session):
    # without view_appointments anywhere: 403 before scheduling is asked
    r = client.get(CALENDAR, headers=NO_VIEW)
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    assert not calls(session, "scheduling.get_appointment")
    # an appointment of a client held without view_appointments: 403; not held: 404
    session.answers["scheduling.get_appointment"] = lambda a, aid: appointment(OTHER_CLIENT)
    r = client.get(CALENDAR, headers=JANE)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/json")
    session.answers["scheduling.get_appointment"] = lambda a, aid: appointment(str(uuid.uuid4()))
    r = client.get(CALENDAR, headers=JANE)
    assert r.status_code == 404 and r.json["error"] == "not_found"
    for refused in (r, client.get(CALENDAR, headers=NO_VIEW)):
        assert b"Dr Who" not in refused.data and b"Individual" not in refused.data
        assert b"2030" not in refused.data and b"VCALENDAR" not in refused.data
    assert client.get(CALENDAR, headers=STAFF).status_code == 403     # a client route
