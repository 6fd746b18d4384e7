"""The handler retrier: a redelivery holds a short lease; one the broker refused is due
again after the back-off base, not after the lease."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import DeclarativeBase

from services.common import handlers
from services.common.db import Database
from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.times import utcnow


class Base(DeclarativeBase):
    pass


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass


CONFIG = {"AMQP_URI": "memory://", "HANDLER_IN_FLIGHT_SECONDS": 60.0,
          "HANDLER_RETRY_BASE_SECONDS": 2.0}


@pytest.fixture
def db(tmp_path):
    db = Database(Base, relay=False)
    db.container = SimpleNamespace(config=dict(CONFIG, DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}"),
                                   service_name="toy")
    db.setup()
    Base.metadata.create_all(db.engine)
    with db.writer.begin() as session:
        session.add(FailedDelivery(event_id="e1", handler="toy.on_x", queue="q-toy", attempts=1,
                                   envelope={"id": "e1", "type": "x.happened", "practice_id": "p1"},
                                   first_failed_at=utcnow(), next_attempt_at=utcnow()))
    yield db
    db.stop()


def retrier_on(db):
    retrier = handlers.HandlerRetrier()
    retrier.container = SimpleNamespace(dependencies=[db], config=CONFIG)
    return retrier


def next_attempt(db):
    with db.reader() as session:
        return session.get(FailedDelivery, ("e1", "toy.on_x")).next_attempt_at


def test_a_sent_redelivery_holds_a_short_lease(db, monkeypatch):
    sent = []
    monkeypatch.setattr(handlers, "redeliver", lambda uri, queue, env: sent.append((queue, env["id"])))
    before = utcnow()
    assert retrier_on(db).retry_due() == 1
    assert sent == [("q-toy", "e1")]
    lease = next_attempt(db) - before
    assert timedelta(seconds=59) <= lease <= timedelta(seconds=61)
    assert retrier_on(db).retry_due() == 0  # in flight: not sent twice


def test_a_redelivery_the_broker_refused_is_due_again_soon(db, monkeypatch):
    def broker_down(uri, queue, env):
        raise ConnectionRefusedError(111, "refused")
    monkeypatch.setattr(handlers, "redeliver", broker_down)
    before = utcnow()
    assert retrier_on(db).retry_due() == 0
    wait = next_attempt(db) - before
    assert timedelta(seconds=1) <= wait <= timedelta(seconds=3)  # the back-off base, not the lease
