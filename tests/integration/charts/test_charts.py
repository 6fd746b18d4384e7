"""charts in a real container, on the real RabbitMQ, against SQLite and PostgreSQL with
the schema made by its own migrations."""
import socket
import uuid

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, func, select

from services.charts.models import Revision
from services.charts.service import ChartsService
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.migrations import upgrade
from services.common.relay import event_exchange

PRACTICE = str(uuid.uuid4())
STAFF = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
         "permissions": ["view_clients", "edit_clients", "upload_client_documents"]}


def client_actor(client_id):
    return {"practice_id": PRACTICE, "kind": "client", "id": str(uuid.uuid4()),
            "clients": {client_id: ["*"]}}


@pytest.fixture
def events_queue(amqp_uri):
    """An outside subscriber: its own queue bound to charts.events, as the docs describe."""
    with Connection(amqp_uri) as conn:
        queue = Queue(f"test-charts-{uuid.uuid4().hex}", exchange=event_exchange("charts"),
                      routing_key="client.*", auto_delete=False, durable=False)
        queue(conn.channel()).declare()
        received = []

        def drain(expected_type, count, timeout=10.0):
            """Everything of `expected_type` that arrives within the time it takes to see
            `count` of them, plus a short grace period to catch any extra."""
            def on_message(body, message):
                received.append(body)
                message.ack()
            deadline = eventlet.hubs.get_hub().clock() + timeout
            with conn.Consumer(queue, callbacks=[on_message]):
                while eventlet.hubs.get_hub().clock() < deadline:
                    try:
                        conn.drain_events(timeout=0.3)
                    except socket.timeout:
                        if len([r for r in received if r["type"] == expected_type]) >= count:
                            break
            return [r for r in received if r["type"] == expected_type]

        yield drain
        queue(conn.channel()).delete()


@pytest.fixture
def rpc(container_factory, amqp_uri, database_url, events_queue):
    upgrade("charts", database_url)
    container = container_factory(ChartsService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "OUTBOX_POLL_SECONDS": 0.2})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        yield proxy.charts


def count_revisions(url, client_id):
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Revision)
                             .where(Revision.client_id == client_id)).scalar()
    engine.dispose()
    return count


def test_update_writes_revisions_and_publishes_exactly_one_event(
        rpc, database_url, events_queue):
    client = rpc.create_client(STAFF, {"first_name": "Ana", "last_name": "Lima"})
    saved = rpc.update_demographics(client_actor(client["id"]), client["id"], {
        "version": 1, "email": "ana@example.com", "phone_home": "(503) 555-0199",
        "preferred_name": "Annie", "city": "Portland"})
    assert saved["version"] == 2 and saved["preferred_name"] == "Annie"
    assert count_revisions(database_url, client["id"]) == 4

    [event] = events_queue("client.updated", 1)
    assert event["practice_id"] == PRACTICE and event["version"] == 2
    assert event["actor"]["kind"] == "client"
    assert event["data"]["fields"] == ["preferred_name", "email", "phone_home", "city"]
    assert event["data"]["source"] == "portal" and event["data"]["tab"] == "basic"
    for value in ("ana@example.com", "555-0199", "Annie", "Portland", "Ana", "Lima"):
        assert value not in str(event)


def test_a_client_cannot_change_their_legal_name_or_birth_date_but_staff_can(
        rpc, database_url):
    client = rpc.create_client(STAFF, {"first_name": "Ana", "last_name": "Lima",
                                       "date_of_birth": "1990-05-17"})
    with pytest.raises(Forbidden) as exc:    # crosses RPC as the kernel's own class
        rpc.update_demographics(client_actor(client["id"]), client["id"], {
            "version": 1, "date_of_birth": "1991-05-17", "last_name": "Silva",
            "city": "Portland"})
    assert exc.value.code == "identity_read_only"
    assert "contact the practice" in exc.value.message
    assert set(exc.value.fields) == {"date_of_birth", "last_name"}
    assert count_revisions(database_url, client["id"]) == 0     # nothing of the save kept
    saved = rpc.update_demographics(STAFF, client["id"], {
        "version": 1, "date_of_birth": "1991-05-17", "last_name": "Silva"})
    assert saved["date_of_birth"] == "1991-05-17" and saved["last_name"] == "Silva"


def test_stale_version_is_refused_with_the_changed_fields(rpc):
    client = rpc.create_client(STAFF, {"first_name": "Bo", "last_name": "Ng"})
    rpc.update_demographics(STAFF, client["id"], {"version": 1, "state": "OR"})
    with pytest.raises(Conflict) as exc:
        rpc.update_demographics(client_actor(client["id"]), client["id"],
                                {"version": 1, "state": "WA"})
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["state"]}
    assert rpc.get_client(STAFF, client["id"])["state"] == "OR"


def test_a_client_cannot_read_another_client(rpc):
    mine = rpc.create_client(STAFF, {"first_name": "Cy", "last_name": "One"})
    theirs = rpc.create_client(STAFF, {"first_name": "Di", "last_name": "Two"})
    with pytest.raises(NotFound):
        rpc.get_client(client_actor(mine["id"]), theirs["id"])
    with pytest.raises(NotFound):
        rpc.get_client(dict(STAFF, practice_id=str(uuid.uuid4())), mine["id"])
