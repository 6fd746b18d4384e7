"""The outbox, the relay and idempotent handlers, on the real RabbitMQ and both databases."""
import uuid

import eventlet
import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import KernelModels, Tx
from services.common.errors import Conflict, NotFound
from services.common.relay import event_exchange
from tests.integration.common import toy

ACTOR = Actor(practice_id="p1", kind="staff", id="s1", permissions=("view_operations",)).to_wire()


def wait_for(predicate, timeout=10.0, step=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(step)
    return predicate()


def make_schema(url, base):
    engine = create_engine(url)
    base.metadata.create_all(engine)
    engine.dispose()


@pytest.fixture
def stack(container_factory, amqp_uri, database_url, database_url_factory):
    consumer_url = database_url_factory("sqlite")
    make_schema(database_url, toy.ProducerBase)
    make_schema(consumer_url, toy.ConsumerBase)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "HANDLER_RETRY_BASE_SECONDS": 0.2,
            "HANDLER_MAX_ATTEMPTS": 3}
    consumer = container_factory(toy.ToyConsumer, dict(base, DATABASE_URL=consumer_url))
    consumer.start()  # consumers' queues exist before producers publish (trap 6)
    producer = container_factory(toy.ToyProducer, dict(base, DATABASE_URL=database_url))
    producer.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        yield rpc, database_url, consumer_url


def outbox_rows(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(toy.Outbox.id, toy.Outbox.sent_at)).all()
    engine.dispose()
    return rows


def test_committed_event_reaches_consumer_once(stack):
    rpc, url, _ = stack
    thing = str(uuid.uuid4())
    rpc.toyproducer.make_thing(ACTOR, thing)
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1)
    assert all(sent for _, sent in outbox_rows(url))


def test_rolled_back_event_is_never_published(stack, amqp_uri):
    rpc, url, _ = stack
    thing = str(uuid.uuid4())
    with pytest.raises(Conflict):
        rpc.toyproducer.make_thing(ACTOR, thing, fail_after_record=True)
    eventlet.sleep(1.0)
    assert rpc.toyconsumer.count_seen(thing) == 0
    assert outbox_rows(url) == []


def test_redelivered_event_has_one_effect(stack, amqp_uri):
    rpc, _, _ = stack
    thing = str(uuid.uuid4())
    rpc.toyproducer.make_thing(ACTOR, thing)
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1)
    envelope = {"id": str(uuid.uuid4()), "type": "thing.made", "version": 1,
                "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": "p1",
                "actor": {"kind": "system", "id": "system"}, "data": {"thing_id": thing + "-dup"}}
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        for _ in range(3):  # at least once, simulated
            producer.publish(envelope, exchange=event_exchange("toyproducer"),
                             routing_key="thing.made", serializer="json")
    eventlet.sleep(1.0)
    assert rpc.toyconsumer.count_seen(thing + "-dup") == 1


def test_failing_handler_is_retried_not_lost(stack):
    rpc, url, consumer_url = stack
    thing = str(uuid.uuid4())
    toy.ToyConsumer.failures_left[thing] = 2
    rpc.toyproducer.make_thing(ACTOR, thing)
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1, timeout=15)
    event_id, = [row_id for row_id, _ in outbox_rows(url)]
    # the delivery failed twice (recorded), then succeeded: its failure row is forgotten
    assert wait_for(lambda: not [f for f in rpc.toyconsumer.ops_list_failed_deliveries(ACTOR)
                                 if f["event_id"] == event_id])
    assert not kernel_events(consumer_url)  # never parked: no alert


def staff_of(practice_id):
    return Actor(practice_id=practice_id, kind="staff", id=str(uuid.uuid4()),
                 permissions=("view_operations",)).to_wire()


def kernel_events(url):
    """The delivery.parked events a service recorded in its outbox."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(toy.COutbox.envelope)
                            .where(toy.COutbox.type == "delivery.parked")).scalars().all()
    engine.dispose()
    return rows


def test_handler_that_keeps_failing_is_parked_for_its_practice_and_replayed_once(stack,
                                                                              amqp_uri):
    rpc, _, consumer_url = stack
    practice_a, practice_b = str(uuid.uuid4()), str(uuid.uuid4())
    staff_a, staff_b = staff_of(practice_a), staff_of(practice_b)
    thing = str(uuid.uuid4())
    toy.ToyConsumer.failures_left[thing] = 3  # HANDLER_MAX_ATTEMPTS
    # where notify listens for it: the consumer's private exchange, never the public one
    announcements = Queue(f"parked-{uuid.uuid4().hex}", event_exchange("toyconsumer-private"),
                          routing_key="delivery.parked", auto_delete=False)
    with Connection(amqp_uri) as conn:
        announcements(conn.default_channel).declare()
    rpc.toyproducer.make_thing(staff_a, thing)
    parked = wait_for(lambda: [f for f in rpc.toyconsumer.ops_list_failed_deliveries(
        staff_a, {"parked_only": True})], timeout=15)
    assert len(parked) == 1
    row = parked[0]
    assert (row["last_error"], row["attempts"], row["practice_id"]) == ("RuntimeError", 3, practice_a)
    assert thing not in str(row)  # ids and names only, never the event's data
    assert rpc.toyconsumer.count_seen(thing) == 0

    # another practice's administrator neither sees nor replays it; ops tooling sees all
    assert rpc.toyconsumer.ops_list_failed_deliveries(staff_b) == []
    with pytest.raises(NotFound):
        rpc.toyconsumer.ops_replay_delivery(staff_b, row["event_id"], row["handler"])
    system = Actor.system().to_wire()
    assert [f["event_id"] for f in rpc.toyconsumer.ops_list_failed_deliveries(system)] == [row["event_id"]]

    # parking told the practice, through the outbox, without the event's data
    announced, = kernel_events(consumer_url)
    assert announced["practice_id"] == practice_a
    assert announced["data"] == {"service": "toyconsumer", "handler": row["handler"],
                                 "event_id": row["event_id"], "event_type": "thing.made",
                                 "attempts": 3, "last_error": "RuntimeError"}
    with Connection(amqp_uri) as conn:
        bound = announcements(conn.default_channel)
        message = wait_for(lambda: bound.get(no_ack=True))
        bound.delete()
    assert message and message.payload["id"] == announced["id"]

    rpc.toyconsumer.ops_replay_delivery(staff_a, row["event_id"], row["handler"])
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1, timeout=15)
    assert wait_for(lambda: rpc.toyconsumer.ops_list_failed_deliveries(staff_a) == [])
    with pytest.raises(NotFound):
        rpc.toyconsumer.ops_replay_delivery(staff_a, row["event_id"], row["handler"])
    eventlet.sleep(0.5)
    assert rpc.toyconsumer.count_seen(thing) == 1


def test_an_event_no_queue_is_bound_to_waits_in_the_outbox_until_one_is(stack, amqp_uri):
    rpc, url, _ = stack
    routing_key = f"thing.orphaned{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        Tx(session, KernelModels(toy.ProducerBase)).record(
            routing_key, {"thing_id": "t"}, Actor.system(practice_id="p1"))
    rpc.toyproducer.make_thing(ACTOR, str(uuid.uuid4()))  # wakes the relay

    def state():
        with engine.connect() as conn:
            return conn.execute(select(toy.Outbox.sent_at, toy.Outbox.last_error,
                                       toy.Outbox.attempts)
                                .where(toy.Outbox.type == routing_key)).one()
    try:
        assert wait_for(lambda: state().last_error == "unroutable")
        assert state().sent_at is None
        with Connection(amqp_uri) as conn:
            queue = Queue(f"orphan-{uuid.uuid4().hex}", event_exchange("toyproducer"),
                          routing_key=routing_key, auto_delete=True)
            with conn.Consumer(queue, accept=["json"]) as consumer:
                got = []
                consumer.register_callback(lambda body, message: (got.append(body), message.ack()))
                # published once a queue is bound: the row's back-off is 2 s, then 4 s
                assert wait_for(lambda: state().sent_at is not None, timeout=20)
                deadline = eventlet.hubs.get_hub().clock() + 10
                while not got and eventlet.hubs.get_hub().clock() < deadline:
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass
        assert [body["type"] for body in got] == [routing_key]
        assert state().last_error is None
    finally:
        engine.dispose()
