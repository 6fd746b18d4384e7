"""Requests end to end inside scheduling: a real container on the real RabbitMQ, SQLite
and PostgreSQL made by the migrations, a real identity for the staff checks; approvals
sent together for one slot; events as an outside subscriber sees them."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, func, select

from services.common.actor import Actor
from services.common.errors import Conflict, InvalidInput
from services.common.migrations import upgrade
from services.common.times import utcnow
from services.identity.service import IdentityService
from services.scheduling.models import Appointment
from services.scheduling.service import SchedulingService
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_available
from tests.integration.scheduling.test_scheduling import CHEAP_ARGON2, start
from tests.support.events import EventTap

ZONE = "America/Chicago"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, amqp_uri, tmp_path_factory):
    made_pg = None
    if request.param == "postgresql":
        if not _pg_available():
            pytest.fail("PostgreSQL is not reachable at HAVEN_TEST_PG_URL")
        made_pg, url = _create_pg_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('scheduling') / 'scheduling.db'}"
    identity_url = f"sqlite:///{tmp_path_factory.mktemp('identity') / 'identity.db'}"
    upgrade("scheduling", url)
    upgrade("identity", identity_url)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 6}
    tap = EventTap(amqp_uri, "scheduling")
    identity = start(IdentityService, dict(base, DATABASE_URL=identity_url,
                                           TOKEN_SECRET="x" * 48, **CHEAP_ARGON2))
    scheduling = start(SchedulingService, dict(base, DATABASE_URL=url, RPC_TIMEOUT=2.0))
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
            practice = rpc.identity.create_practice(Actor.system().to_wire(), {
                "code": f"p-{uuid.uuid4().hex[:10]}", "name": "Elm Street"})
            system = Actor.system(practice_id=practice["id"]).to_wire()
            maya = rpc.identity.create_staff(system, {
                "email": "maya@elm.example", "name": "Maya Rivera", "role": "clinician",
                "password": "amber-forest-river-58"})
            staff = {"practice_id": practice["id"], "kind": "staff", "id": str(uuid.uuid4()),
                     "permissions": ["view_clients", "manage_appointments",
                                     "manage_practice_settings"]}
            s = rpc.scheduling
            office = s.create_location(staff, {"kind": "office", "name": "Elm office",
                                               "address": "2 Elm St", "time_zone": ZONE})
            service = s.create_service(staff, {"name": "Session", "duration_minutes": 45,
                                               "fee_cents": 12000, "clinician_ids": [maya["id"]]})
            s.set_work_schedule(staff, maya["id"], {"periods": [
                {"weekday": d, "starts": "08:00", "ends": "20:00", "location_id": office["id"],
                 "effective_from": "2020-01-01"} for d in range(7)]})
            s.update_scheduling_settings(staff, {"version": 0, "online_booking": True,
                                                 "who_may_request": "everyone",
                                                 "min_notice_minutes": 60, "horizon_days": 30,
                                                 "late_cancel_hours": 24, "no_cancel_hours": 2,
                                                 "clients_may_cancel": True})
            yield {"rpc": rpc, "staff": staff, "maya": maya, "office": office,
                   "service": service, "tap": tap, "url": url, "practice_id": practice["id"]}
    finally:
        scheduling.stop()
        identity.stop()
        tap.close()
        if made_pg:
            _drop_pg_database(made_pg)


def client(world, client_id):
    return {"practice_id": world["practice_id"], "kind": "client", "id": "acct-" + client_id[:8],
            "clients": {client_id: ["*"]}}


def offered(world, days_ahead):
    day = (utcnow().astimezone(ZoneInfo(ZONE)) + timedelta(days=days_ahead)).date()
    found = world["rpc"].scheduling.find_availability(client(world, "x"), {
        "service_id": world["service"]["id"], "from": day.isoformat(), "to": day.isoformat()})
    if days_ahead:
        assert found["items"] and found["clinicians"] == {world["maya"]["id"]: "Maya Rivera"}
    return found["items"]


def ask(world, client_id, starts_at):
    return world["rpc"].scheduling.request_appointment(client(world, client_id), client_id, {
        "service_id": world["service"]["id"], "clinician_id": world["maya"]["id"],
        "location_id": world["office"]["id"], "starts_at": starts_at})


def scheduled_at(url, starts_at):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(Appointment).where(
            Appointment.status == "scheduled",
            Appointment.starts_at == datetime.fromisoformat(starts_at))).scalar()
    engine.dispose()
    return found


def test_an_offered_time_is_requested_approved_and_published(world):
    slot = offered(world, 3)[4]
    client_id = str(uuid.uuid4())
    asked = ask(world, client_id, slot["starts_at"])
    assert asked["status"] == "requested" and asked["title"] == "Session"
    approved = world["rpc"].scheduling.approve_request(world["staff"], asked["id"], {"version": 1})
    assert approved["status"] == "scheduled"
    assert slot["starts_at"] not in {s["starts_at"] for s in offered(world, 3)}
    for type_ in ("appointment.requested", "appointment.approved"):
        event = world["tap"].wait_for(type_, lambda e: e["data"]["appointment_id"] == asked["id"])
        assert event["data"]["service_id"] == world["service"]["id"]
        assert "Maya" not in str(event) and "Session" not in str(event)


def test_refusals_cross_rpc_as_their_own_errors(world):
    slot = offered(world, 4)[0]
    off_step = (datetime.fromisoformat(slot["starts_at"]) + timedelta(minutes=5)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        ask(world, str(uuid.uuid4()), off_step)
    assert "every 15 minutes" in exc.value.message


def test_approvals_sent_together_for_one_slot_keep_one(world):
    """Four requests for one slot, all approved at once: the clinician's lock (the
    PostgreSQL advisory lock, SQLite's serialized writers) lets the first through."""
    slot = offered(world, 5)[8]
    asked = [ask(world, str(uuid.uuid4()), slot["starts_at"]) for _ in range(4)]
    call = world["rpc"].scheduling.approve_request
    replies = [call.call_async(world["staff"], a["id"], {"version": 1}) for a in asked]
    results = []
    for reply in replies:
        try:
            results.append(reply.result()["status"])
        except Conflict as exc:
            results.append(exc.code)
    assert sorted(results) == ["clinician_busy"] * 3 + ["scheduled"]
    assert scheduled_at(world["url"], slot["starts_at"]) == 1


def test_a_late_cancellation_carries_the_charge(world):
    # open 08:00–20:00 every day: some start lies between 3 h and 24 h away
    slot = next(s for s in offered(world, 0) + offered(world, 1)
                if timedelta(hours=3) < datetime.fromisoformat(s["starts_at"]) - utcnow()
                < timedelta(hours=23))
    client_id = str(uuid.uuid4())
    asked = ask(world, client_id, slot["starts_at"])
    world["rpc"].scheduling.approve_request(world["staff"], asked["id"], {"version": 1})
    done = world["rpc"].scheduling.cancel_own_appointment(client(world, client_id),
                                                          asked["id"], {"version": 2})
    assert done["status"] == "late_cancelled"
    event = world["tap"].wait_for("appointment.cancelled",
                                  lambda e: e["data"]["appointment_id"] == asked["id"])
    assert event["data"]["late"] is True
    assert event["data"]["charge"]["fee_cents"] == 12000


def test_requests_sent_together_keep_to_the_most_future_appointments(world):
    """With at most 2 future appointments per client, four requests of one client sent at
    once leave two (PostgreSQL: the client's advisory lock; SQLite: serialized writers)."""
    s, staff = world["rpc"].scheduling, world["staff"]
    current = s.get_scheduling_settings(staff)
    s.update_scheduling_settings(staff, {"version": current["version"],
                                         "max_future_appointments": 2})
    try:
        slots = offered(world, 6)[:4]
        client_id = str(uuid.uuid4())
        replies = [s.request_appointment.call_async(client(world, client_id), client_id, {
            "service_id": world["service"]["id"], "clinician_id": world["maya"]["id"],
            "location_id": world["office"]["id"], "starts_at": slot["starts_at"]})
            for slot in slots]
        results = []
        for reply in replies:
            try:
                results.append(reply.result()["status"])
            except Conflict as exc:
                results.append(exc.code)
        assert sorted(results) == ["requested"] * 2 + ["too_many_appointments"] * 2
    finally:
        current = s.get_scheduling_settings(staff)
        s.update_scheduling_settings(staff, {"version": current["version"],
                                             "max_future_appointments": None})
