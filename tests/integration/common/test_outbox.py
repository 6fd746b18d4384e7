"""The outbox, the relay and idempotent handlers, on the real RabbitMQ and both databases."""
import uuid

import eventlet
import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select

from services.common.actor import Actor
from services.common.errors import Conflict
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
        yield rpc, database_url


def outbox_rows(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(toy.Outbox.id, toy.Outbox.sent_at)).all()
    engine.dispose()
    return rows


def test_committed_event_reaches_consumer_once(stack):
    rpc, url = stack
    thing = str(uuid.uuid4())
    rpc.toyproducer.make_thing(ACTOR, thing)
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1)
    assert all(sent for _, sent in outbox_rows(url))


def test_rolled_back_event_is_never_published(stack, amqp_uri):
    rpc, url = stack
    thing = str(uuid.uuid4())
    with pytest.raises(Conflict):
        rpc.toyproducer.make_thing(ACTOR, thing, fail_after_record=True)
    eventlet.sleep(1.0)
    assert rpc.toyconsumer.count_seen(thing) == 0
    assert outbox_rows(url) == []


def test_redelivered_event_has_one_effect(stack, amqp_uri):
    rpc, _ = stack
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
    rpc, _ = stack
    thing = str(uuid.uuid4())
    toy.ToyConsumer.failures_left[thing] = 2
    rpc.toyproducer.make_thing(ACTOR, thing)
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1, timeout=15)
    assert not [f for f in rpc.toyconsumer.ops_list_failed_deliveries(ACTOR)
                if f["event_id"] and f["attempts"] and not f["parked"] and thing in f["event_id"]]


def test_handler_that_keeps_failing_is_parked_and_can_be_replayed(stack):
    rpc, _ = stack
    thing = str(uuid.uuid4())
    toy.ToyConsumer.failures_left[thing] = 3
    rpc.toyproducer.make_thing(ACTOR, thing)
    parked = wait_for(lambda: [f for f in rpc.toyconsumer.ops_list_failed_deliveries(ACTOR)
                               if f["parked"]], timeout=15)
    assert parked and parked[0]["last_error"] == "RuntimeError"
    assert rpc.toyconsumer.count_seen(thing) == 0
    rpc.toyconsumer.ops_replay_delivery(ACTOR, parked[0]["event_id"], parked[0]["handler"])
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1, timeout=15)
