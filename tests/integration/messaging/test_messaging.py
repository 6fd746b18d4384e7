"""messaging in a real container on the real RabbitMQ, against SQLite and PostgreSQL
with the schema made by its own migrations, naming staff through a real identity;
events observed on `messaging.events` as an outside subscriber sees them; scheduling's
`appointment.scheduled` published on `scheduling.events` as scheduling's relay does.

One identity and one messaging container per backend for the whole module (the tests
use fresh client ids, never each other's rows)."""
import uuid

import pytest
from kombu import Connection
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, func, select

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.identity.service import IdentityService
from services.messaging.models import Assignment, Inbox, Message, Outbox
from services.messaging.service import MessagingService
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_available
from tests.support.events import EventTap

CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 1}


def start(cls, config):
    container = ServiceContainer(cls, config)
    container.start()
    return container


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, amqp_uri, tmp_path_factory):
    """identity (SQLite) with one practice and two staff, messaging on the backend of the
    parameter with the practice's switch on; a tap bound to messaging.events first."""
    made_pg = None
    if request.param == "postgresql":
        if not _pg_available():
            pytest.fail("PostgreSQL is not reachable at HAVEN_TEST_PG_URL")
        made_pg, url = _create_pg_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('messaging') / 'messaging.db'}"
    identity_url = f"sqlite:///{tmp_path_factory.mktemp('identity') / 'identity.db'}"
    upgrade("messaging", url)
    upgrade("identity", identity_url)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4}
    tap = EventTap(amqp_uri, "messaging")
    identity = start(IdentityService, dict(base, DATABASE_URL=identity_url,
                                           TOKEN_SECRET="x" * 48, **CHEAP_ARGON2))
    messaging = start(MessagingService, dict(base, DATABASE_URL=url, RPC_TIMEOUT=3.0))
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
            practice = rpc.identity.create_practice(Actor.system().to_wire(), {
                "code": f"p-{uuid.uuid4().hex[:10]}", "name": "Oak Tree"})
            system = Actor.system(practice_id=practice["id"]).to_wire()
            maya, sam = [rpc.identity.create_staff(system, {
                "email": f"{name}@oak.example", "name": name.title() + " Rivera",
                "role": role, "password": "amber-forest-river-58"})
                for name, role in (("maya", "clinician"), ("sam", "intake"))]
            rpc.messaging.update_messaging_settings(system, {"enabled": True})
            yield {"rpc": rpc, "tap": tap, "url": url, "messaging": messaging,
                   "amqp_uri": amqp_uri, "practice_id": practice["id"],
                   "maya": maya, "sam": sam}
    finally:
        messaging.stop()
        identity.stop()
        tap.close()
        if made_pg:
            _drop_pg_database(made_pg)


def staff_actor(world, person):
    return {"practice_id": world["practice_id"], "kind": "staff", "id": person["id"],
            "permissions": ["view_clients"]}


def client_actor(world, client_id):
    return {"practice_id": world["practice_id"], "kind": "client", "id": str(uuid.uuid4()),
            "clients": {client_id: ["*"]}}


def appointment_scheduled(world, client_id, clinician_id):
    return {"id": str(uuid.uuid4()), "type": "appointment.scheduled", "version": 1,
            "occurred_at": "2030-01-01T00:00:00+00:00", "practice_id": world["practice_id"],
            "actor": {"kind": "staff", "id": str(uuid.uuid4())},
            "data": {"appointment_id": str(uuid.uuid4()), "client_id": client_id,
                     "clinician_id": clinician_id, "starts_at": "2030-01-02T15:00:00+00:00",
                     "ends_at": "2030-01-02T15:50:00+00:00", "location": "office",
                     "status": "scheduled"}}


def publish(world, envelope):
    with Connection(world["amqp_uri"]) as conn:
        conn.Producer().publish(envelope, exchange=event_exchange("scheduling"),
                                routing_key=envelope["type"], serializer="json",
                                delivery_mode=2)


def assign_by_appointment(world, client_id, clinician):
    event = appointment_scheduled(world, client_id, clinician["id"])
    with entrypoint_waiter(world["messaging"], "on_appointment_scheduled", timeout=10):
        publish(world, event)
    return event


def count(url, model, *where):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return found


def test_a_redelivered_appointment_event_assigns_once(world):
    client_id = str(uuid.uuid4())
    event = appointment_scheduled(world, client_id, world["maya"]["id"])
    for _ in range(2):   # at least once, simulated
        with entrypoint_waiter(world["messaging"], "on_appointment_scheduled", timeout=10):
            publish(world, event)
    assert count(world["url"], Assignment, Assignment.client_id == client_id) == 1
    assert count(world["url"], Inbox, Inbox.event_id == event["id"]) == 1
    listed = world["rpc"].messaging.list_clinicians(client_actor(world, client_id), client_id)
    assert listed == {"items": [{"id": world["maya"]["id"], "name": "Maya Rivera",
                                 "role": "clinician"}]}


def test_a_conversation_as_an_outside_subscriber_sees_it(world):
    rpc, client_id = world["rpc"].messaging, str(uuid.uuid4())
    assign_by_appointment(world, client_id, world["maya"])
    bobby, maya = client_actor(world, client_id), staff_actor(world, world["maya"])
    conv = rpc.start_conversation(bobby, {"client_id": client_id,
                                          "clinician_id": world["maya"]["id"],
                                          "subject": "Tuesday", "body": "Can we talk?"})
    assert rpc.count_unread(maya)["unread"] >= 1
    inbox = rpc.list_conversations(maya, {})
    mine = next(c for c in inbox["items"] if c["id"] == conv["id"])
    assert mine["unread"] == 1
    assert rpc.get_conversation(maya, conv["id"])["messages"][0]["body"] == "Can we talk?"
    rpc.mark_read(maya, conv["id"], {})
    reply = rpc.send_message(maya, conv["id"], {"body": "Of course."})
    assert rpc.list_conversations(bobby, {})["items"][0]["unread"] == 1
    assert count(world["url"], Message, Message.conversation_id == conv["id"]) == 2

    tap, mine = world["tap"], lambda e: e["data"]["conversation_id"] == conv["id"]
    started = tap.wait_for("conversation.started", mine)
    assert started["version"] == 1 and started["practice_id"] == world["practice_id"]
    assert started["data"] == {"conversation_id": conv["id"], "client_id": client_id,
                               "started_by": {"kind": "client", "id": client_id},
                               "participants": [{"kind": "client", "id": client_id},
                                                {"kind": "staff", "id": world["maya"]["id"]}]}
    sent = tap.wait_for("message.sent", lambda e: mine(e) and e["data"]["seq"] == 2)
    assert sent["data"]["message_id"] == reply["id"]
    assert sent["data"]["sender"] == {"kind": "staff", "id": world["maya"]["id"]}
    assert sent["data"]["recipients"] == [{"kind": "client", "id": client_id}]
    read = tap.wait_for("message.read", mine)
    assert read["data"]["reader"] == {"kind": "staff", "id": world["maya"]["id"]}
    for event in (started, sent, read):
        text = str(event)
        assert "talk" not in text and "course" not in text and "Tuesday" not in text
        assert "Rivera" not in text
    # every committed event left the outbox
    assert count(world["url"], Outbox, Outbox.sent_at.is_(None),
                 Outbox.type.in_(["conversation.started", "message.sent"])) == 0


def test_refusals_travel_as_their_own_errors(world):
    rpc, client_id = world["rpc"].messaging, str(uuid.uuid4())
    assign_by_appointment(world, client_id, world["maya"])
    bobby = client_actor(world, client_id)
    with pytest.raises(Forbidden) as exc:
        rpc.start_conversation(bobby, {"client_id": client_id,
                                       "clinician_id": world["sam"]["id"], "body": "hi"})
    assert exc.value.code == "clinician_not_assigned"
    conv = rpc.start_conversation(bobby, {"client_id": client_id,
                                          "clinician_id": world["maya"]["id"], "body": "hi"})
    with pytest.raises(InvalidInput) as exc:
        rpc.send_message(bobby, conv["id"], {"body": "x" * 10_001})
    assert "body" in exc.value.fields
    for stranger in (staff_actor(world, world["sam"]), client_actor(world, str(uuid.uuid4()))):
        with pytest.raises(NotFound):
            rpc.get_conversation(stranger, conv["id"])
        with pytest.raises(NotFound):
            rpc.mark_read(stranger, conv["id"], {})
    # staff add a colleague, who then sees it and keeps a note the client never sees
    maya = staff_actor(world, world["maya"])
    rpc.add_participant(maya, conv["id"], {"staff_id": world["sam"]["id"]})
    rpc.add_note(staff_actor(world, world["sam"]), conv["id"], {"body": "Follow up"})
    assert "notes" not in rpc.get_conversation(bobby, conv["id"])
    assert rpc.get_conversation(maya, conv["id"])["notes"][0]["body"] == "Follow up"
