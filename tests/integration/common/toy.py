"""A toy pair of services that exercises the kernel: a producer with an outbox and an
idempotent consumer. Only for the kernel's own tests."""
import logging

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.actor import Actor
from services.common.db import Database
from services.common.errors import EXPECTED, Conflict
from services.common.handlers import HandlerRetrier, OpsMixin, event_handler
from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.logs import CorrelationId
from services.common.rpc import rpc

log = logging.getLogger(__name__)


class ProducerBase(DeclarativeBase):
    pass


class Thing(ProducerBase):
    __tablename__ = "things"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Outbox(OutboxMixin, ProducerBase):
    pass


class Inbox(InboxMixin, ProducerBase):
    pass


class FailedDelivery(FailedDeliveryMixin, ProducerBase):
    pass


class ConsumerBase(DeclarativeBase):
    pass


class Seen(ConsumerBase):
    __tablename__ = "seen"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thing_id: Mapped[str] = mapped_column(String(36))


class COutbox(OutboxMixin, ConsumerBase):
    pass


class CInbox(InboxMixin, ConsumerBase):
    pass


class CFailedDelivery(FailedDeliveryMixin, ConsumerBase):
    pass


class ToyProducer:
    name = "toyproducer"
    db = Database(ProducerBase)
    correlation = CorrelationId()

    @rpc(expected_exceptions=EXPECTED)
    def make_thing(self, actor, thing_id, fail_after_record=False):
        actor = Actor.from_wire(actor)
        with self.db.transaction() as tx:
            tx.session.add(Thing(id=thing_id, name="x"))
            tx.record("thing.made", {"thing_id": thing_id}, actor)
            if fail_after_record:
                raise Conflict("rolled_back", "Rolled back on purpose.")
        log.info("thing made", extra={"thing_id": thing_id})
        return {"id": thing_id}

    @rpc(expected_exceptions=EXPECTED)
    def fail_unexpectedly(self, actor, text):
        """A bug whose message quotes a value: nameko logs it as unexpected."""
        raise ValueError(text)


class ToyConsumer(OpsMixin):
    name = "toyconsumer"
    db = Database(ConsumerBase)
    retrier = HandlerRetrier(interval=0.2)
    correlation = CorrelationId()
    failures_left = {}

    @event_handler("toyproducer", "thing.made")
    def on_thing_made(self, event):
        thing_id = event["data"]["thing_id"]
        left = ToyConsumer.failures_left.get(thing_id, 0)
        if left:
            ToyConsumer.failures_left[thing_id] = left - 1
            raise RuntimeError("boom")
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], "toyconsumer.on_thing_made"):
                return
            tx.session.add(Seen(thing_id=thing_id))
        log.info("thing seen", extra={"event_id": event["id"]})

    @rpc
    def count_seen(self, thing_id):
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(Seen).where(Seen.thing_id == thing_id))
