"""scheduling in a real container on the real RabbitMQ, against SQLite and PostgreSQL with
the schema made by its own migrations, validating clinicians through a real identity;
events observed on `scheduling.events` as an outside subscriber sees them.

One identity and one scheduling container per backend for the whole module (the tests
use fresh ids, never each other's rows); the last test stops identity."""
import uuid
from datetime import timedelta

import pytest
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, func, select

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from services.common.migrations import upgrade
from services.common.times import utcnow
from services.identity.service import IdentityService
from services.scheduling.models import Appointment, Outbox
from services.scheduling.service import SchedulingService
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_available
from tests.support.events import EventTap

CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 1}


def start(cls, config):
    container = ServiceContainer(cls, config)
    container.start()
    return container


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, amqp_uri, tmp_path_factory):
    """identity (SQLite) with one practice and two clinicians, and scheduling on the
    backend of the parameter; a tap bound to scheduling.events before anything is sent."""
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
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4}
    tap = EventTap(amqp_uri, "scheduling")
    identity = start(IdentityService, dict(base, DATABASE_URL=identity_url,
                                           TOKEN_SECRET="x" * 48, **CHEAP_ARGON2))
    scheduling = start(SchedulingService, dict(base, DATABASE_URL=url, RPC_TIMEOUT=2.0))
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
            practice = rpc.identity.create_practice(Actor.system().to_wire(), {
                "code": f"p-{uuid.uuid4().hex[:10]}", "name": "Oak Tree"})
            system = Actor.system(practice_id=practice["id"]).to_wire()
            clinicians = [rpc.identity.create_staff(system, {
                "email": f"{name}@oak.example", "name": name.title() + " Rivera",
                "role": "clinician", "password": "amber-forest-river-58"})
                for name in ("maya", "noor")]
            staff = {"practice_id": practice["id"], "kind": "staff", "id": str(uuid.uuid4()),
                     "permissions": ["view_clients", "manage_appointments"]}
            yield {"rpc": rpc, "staff": staff, "clinicians": clinicians, "tap": tap,
                   "url": url, "identity": identity, "practice_id": practice["id"]}
    finally:
        scheduling.stop()
        identity.stop()
        tap.close()
        if made_pg:
            _drop_pg_database(made_pg)


def later(hours):
    return (utcnow() + timedelta(days=2, hours=hours)).replace(microsecond=0).isoformat()


def book(world, client_id, clinician=0, **payload):
    return world["rpc"].scheduling.book_appointment(world["staff"], client_id, {
        "clinician_id": world["clinicians"][clinician]["id"], **payload})


def count(url, model, *where):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return found


def test_book_list_get_and_the_scheduled_event(world):
    rpc, client_id = world["rpc"].scheduling, str(uuid.uuid4())
    first = book(world, client_id, starts_at=later(3), title="Individual therapy",
                 location="telehealth")
    second = book(world, client_id, starts_at=later(1), duration_minutes=30)
    assert first["clinician_name"] == "Maya Rivera" and first["duration_minutes"] == 50
    assert second["ends_at"] > second["starts_at"] and second["location"] == "office"

    client = {"practice_id": world["practice_id"], "kind": "client", "id": "acct",
              "clients": {client_id: ["*"]}}
    items = rpc.list_client_appointments(client, client_id, {})["items"]
    assert [a["id"] for a in items] == [second["id"], first["id"]]
    assert "created_by" not in items[0]
    assert rpc.get_appointment(client, first["id"])["title"] == "Individual therapy"
    assert count(world["url"], Appointment, Appointment.client_id == client_id) == 2

    event = world["tap"].wait_for("appointment.scheduled",
                                  lambda e: e["data"]["appointment_id"] == first["id"])
    assert event["practice_id"] == world["practice_id"] and event["version"] == 1
    assert event["data"] == {"appointment_id": first["id"], "client_id": client_id,
                             "clinician_id": first["clinician_id"],
                             "starts_at": first["starts_at"], "ends_at": first["ends_at"],
                             "location": "telehealth", "status": "scheduled"}
    assert "Rivera" not in str(event) and "therapy" not in str(event)


def test_refusals_travel_as_their_own_errors(world):
    rpc, client_id = world["rpc"].scheduling, str(uuid.uuid4())
    booked = book(world, client_id, starts_at=later(6))
    with pytest.raises(Conflict) as exc:
        book(world, str(uuid.uuid4()), starts_at=booked["starts_at"])
    assert exc.value.code == "clinician_busy"
    book(world, str(uuid.uuid4()), clinician=1, starts_at=booked["starts_at"])  # other one
    with pytest.raises(InvalidInput) as exc:
        book(world, client_id, starts_at="2030-01-01T10:00:00")
    assert "starts_at" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        world["rpc"].scheduling.book_appointment(world["staff"], client_id, {
            "clinician_id": str(uuid.uuid4()), "starts_at": later(9)})
    assert "clinician_id" in exc.value.fields
    contact = {"practice_id": world["practice_id"], "kind": "contact", "id": "c",
               "clients": {client_id: ["view_documents"]}}
    with pytest.raises(Forbidden):
        rpc.list_client_appointments(contact, client_id, {})
    with pytest.raises(NotFound):
        rpc.get_appointment(dict(world["staff"], practice_id=str(uuid.uuid4())), booked["id"])


def test_overlapping_bookings_sent_together_keep_one(world):
    """Two replicas' worth of concurrency in one container: the clinician's lock
    (PostgreSQL advisory lock, SQLite's serialized writers) lets exactly one through."""
    starts_at, results = later(12), []
    call = world["rpc"].scheduling.book_appointment
    replies = [call.call_async(world["staff"], str(uuid.uuid4()), {
        "clinician_id": world["clinicians"][0]["id"], "starts_at": starts_at})
        for _ in range(4)]                          # all sent before any answer is read
    for reply in replies:
        try:
            results.append(reply.result()["id"])
        except Conflict as exc:
            results.append(exc.code)
    assert sorted(results, key=lambda r: r == "clinician_busy")[1:] == ["clinician_busy"] * 3


def test_idempotent_id_and_cancel_with_its_event(world):
    rpc, client_id, key = world["rpc"].scheduling, str(uuid.uuid4()), str(uuid.uuid4())
    booked = book(world, client_id, starts_at=later(15), id=key)
    recorded = count(world["url"], Outbox, Outbox.type == "appointment.scheduled")
    assert book(world, client_id, starts_at=later(15), id=key) == booked
    assert count(world["url"], Outbox, Outbox.type == "appointment.scheduled") == recorded
    assert count(world["url"], Appointment, Appointment.id == key) == 1

    with pytest.raises(Conflict) as exc:
        rpc.cancel_appointment(world["staff"], key, {"version": 5})
    assert exc.value.code == "stale_version"
    done = rpc.cancel_appointment(world["staff"], key, {"version": 1, "reason": "ill"})
    assert done["status"] == "cancelled" and done["version"] == 2
    with pytest.raises(Conflict) as exc:
        rpc.cancel_appointment(world["staff"], key, {"version": 2})
    assert exc.value.code == "already_cancelled"
    event = world["tap"].wait_for("appointment.cancelled",
                                  lambda e: e["data"]["appointment_id"] == key)
    assert event["data"]["status"] == "cancelled" and "ill" not in str(event)
    scheduled = [e for e in world["tap"].seen if e["type"] == "appointment.scheduled"
                 and e["data"]["appointment_id"] == key]
    assert len(scheduled) == 1                      # the retry published nothing


def test_identity_silent_books_nothing(world):
    """Last in the module: it stops identity."""
    world["identity"].stop()
    client_id = str(uuid.uuid4())
    with pytest.raises(Unavailable) as exc:
        book(world, client_id, starts_at=later(20))
    assert exc.value.code == "identity_unavailable"
    assert count(world["url"], Appointment, Appointment.client_id == client_id) == 0
