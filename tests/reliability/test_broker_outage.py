"""Stopping the broker while events are pending loses none of them.

A private RabbitMQ node of the test's own is stopped and started again; the machine's
broker is never touched.
"""
import uuid

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import KernelModels, Tx
from tests.integration.common import toy
from tests.integration.common.test_outbox import make_schema, wait_for
from tests.support.rabbit import PrivateRabbit



def seen_count(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(toy.Seen))
    engine.dispose()
    return count


def commit_things(url, thing_ids):
    """What a service does while the broker is down: commit changes and their events."""
    engine = create_engine(url)
    actor = Actor.system(practice_id="p1")
    with Session(engine) as session, session.begin():
        tx = Tx(session, KernelModels(toy.ProducerBase))
        for thing_id in thing_ids:
            session.add(toy.Thing(id=thing_id, name="x"))
            tx.record("thing.made", {"thing_id": thing_id}, actor)
    engine.dispose()


def pending_in_outbox(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(toy.Outbox)
                            .where(toy.Outbox.sent_at.is_(None)))
    engine.dispose()
    return count


def test_events_committed_while_the_broker_is_down_are_published_when_it_returns(
        container_factory, tmp_path, database_url_factory):
    """One outage, two producers: one on SQLite and one on PostgreSQL (a private node
    takes seconds to start and stop, so both backends share it)."""
    assert PrivateRabbit.available(), "RabbitMQ is not installed (make test installs it)"
    rabbit = PrivateRabbit(tmp_path / "rabbit").start()
    started = []
    try:
        producer_urls = [database_url_factory("sqlite"), database_url_factory("postgresql")]
        consumer_url = database_url_factory("sqlite")
        for url in producer_urls:
            make_schema(url, toy.ProducerBase)
        make_schema(consumer_url, toy.ConsumerBase)
        base = {"AMQP_URI": rabbit.uri, "OUTBOX_POLL_SECONDS": 0.2}
        consumer = container_factory(toy.ToyConsumer, dict(base, DATABASE_URL=consumer_url))
        consumer.start()
        started.append(consumer)
        for url in producer_urls:
            producer = container_factory(toy.ToyProducer, dict(base, DATABASE_URL=url))
            producer.start()
            started.append(producer)

        for url in producer_urls:
            commit_things(url, [str(uuid.uuid4())])
        assert wait_for(lambda: seen_count(consumer_url) == 2, timeout=15)

        rabbit.stop()
        for url in producer_urls:
            commit_things(url, [str(uuid.uuid4()) for _ in range(20)])
        wait_for(lambda: False, timeout=2)  # let the relays fail against the dead broker
        assert [pending_in_outbox(url) for url in producer_urls] == [20, 20]

        rabbit.start()
        assert wait_for(lambda: seen_count(consumer_url) == 42, timeout=60), \
            f"only {seen_count(consumer_url) - 2} of 40 events arrived"
        assert [pending_in_outbox(url) for url in producer_urls] == [0, 0]
    finally:
        for container in started:
            container.kill()
        rabbit.stop()
