"""Scheduling's setup, availability and request routes through the pipeline with a fake
RPC: who the gateway refuses before asking, what reaches scheduling, what leaves."""
import uuid

import pytest

from tests.unit.gateway.fakes import CLIENT_ID, token

STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=[
    "view_clients", "manage_appointments"])}
ADMIN = {"Authorization": "Bearer " + token(kind="staff", perms=[
    "view_clients", "manage_appointments", "manage_practice_settings"])}
CLIENT = {"Authorization": "Bearer " + token()}
NO_VIEW = {"Authorization": "Bearer " + token(kind="contact", clients={
    CLIENT_ID: ["manage_information"]})}
REQ_ID = str(uuid.uuid4())


def row(**extra):
    return dict({"id": REQ_ID, "client_id": CLIENT_ID, "clinician_id": "s1",
                 "clinician_name": "Maya", "starts_at": "2030-03-05T14:00:00+00:00",
                 "ends_at": "2030-03-05T14:50:00+00:00", "duration_minutes": 50,
                 "location": "office", "title": "Session", "status": "requested",
                 "version": 1, "request_note": "private", "fee_cents": 15000}, **extra)


@pytest.fixture
def sched(rpc):
    rpc.answers["scheduling.request_appointment"] = lambda a, cid, p: row()
    rpc.answers["scheduling.list_requests"] = lambda a, p: {"items": [row()]}
    rpc.answers["scheduling.approve_request"] = lambda a, i, p: row(status="scheduled", version=2)
    rpc.answers["scheduling.cancel_own_appointment"] = \
        lambda a, i, p: row(status="late_cancelled", late=True, version=3)
    rpc.answers["scheduling.find_availability"] = lambda a, p: {
        "service_id": "svc", "duration_minutes": 50, "more": False, "clinicians": {"s1": "Maya"},
        "items": [{"starts_at": "2030-03-05T14:00:00+00:00", "ends_at": "2030-03-05T14:50:00+00:00",
                   "local_starts_at": "2030-03-05T09:00:00-05:00", "time_zone": "America/New_York",
                   "clinician_id": "s1", "location_id": "loc"}]}
    rpc.answers["scheduling.create_service"] = lambda a, p: dict(p, id="svc", version=1)
    return rpc


def calls(rpc, name):
    return [args for s, m, args in rpc.calls if f"{s}.{m}" == name]


def test_a_client_requests_with_an_idempotency_key_and_sees_no_staff_fields(client, sched):
    key = str(uuid.uuid4())
    r = client.post("/api/v1/me/appointment-requests", headers=dict(CLIENT, **{
        "Idempotency-Key": key}), json={"service_id": "svc", "clinician_id": "s1",
                                        "location_id": "loc", "starts_at": "2030-03-05T09:00:00-05:00"})
    assert r.status_code == 201 and r.json["status"] == "requested"
    assert "request_note" not in r.json and "fee_cents" not in r.json
    (actor, client_id, payload), = calls(sched, "scheduling.request_appointment")
    assert client_id == CLIENT_ID and payload["id"] == key and actor["kind"] == "client"


def test_without_view_appointments_the_gateway_refuses_before_asking(client, sched):
    r = client.post(f"/api/v1/me/appointment-requests?client_id={CLIENT_ID}", headers=NO_VIEW,
                    json={"service_id": "svc", "clinician_id": "s1", "location_id": "loc",
                          "starts_at": "2030-03-05T09:00:00-05:00"})
    assert r.status_code == 403
    assert calls(sched, "scheduling.request_appointment") == []


def test_staff_approve_and_see_the_note_clients_cannot_approve(client, sched):
    r = client.post(f"/api/v1/appointment-requests/{REQ_ID}/approve", headers=STAFF,
                    json={"version": 1})
    assert r.status_code == 200 and r.json["status"] == "scheduled"
    assert client.get("/api/v1/appointment-requests", headers=STAFF).json["items"][0][
        "request_note"] == "private"
    assert client.post(f"/api/v1/appointment-requests/{REQ_ID}/approve", headers=CLIENT,
                       json={"version": 1}).status_code == 403


def test_availability_passes_the_range_and_setup_needs_the_settings_permission(client, sched):
    r = client.get("/api/v1/scheduling/availability?service_id=svc&from=2030-03-05&to=2030-03-06",
                   headers=CLIENT)
    assert r.status_code == 200 and r.json["items"][0]["local_starts_at"].endswith("-05:00")
    (_, payload), = calls(sched, "scheduling.find_availability")
    assert payload == {"service_id": "svc", "from": "2030-03-05", "to": "2030-03-06"}
    body = {"name": "Intake", "duration_minutes": 60, "fee_cents": 20000}
    assert client.post("/api/v1/scheduling/services", headers=STAFF, json=body).status_code == 403
    assert client.post("/api/v1/scheduling/services", headers=ADMIN, json=body).status_code == 201
    assert client.post("/api/v1/scheduling/services", headers=ADMIN,
                       json=dict(body, colour="red")).status_code == 422


def test_a_late_cancellation_is_answered_as_such(client, sched):
    r = client.post(f"/api/v1/me/appointments/{REQ_ID}/cancel", headers=CLIENT, json={"version": 2})
    assert r.status_code == 200 and r.json["status"] == "late_cancelled" and r.json["late"] is True
