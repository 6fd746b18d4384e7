"""Event handlers that neither lose an event nor apply it twice.

nameko acks an event whose handler raised (STYLE.md, trap 5). `event_handler` here
records the failure in `failed_deliveries` before the ack; a retrier sends the event back
to that handler's own queue with exponential back-off, and after HANDLER_MAX_ATTEMPTS
parks it where ops and the practice's staff can see and replay it. Parking records the
kernel event `delivery.parked` in the same transaction (through the outbox, to
`<service>-private.events`, no event data), from which notify raises a to-do alert for
the practice's staff with `view_operations`. If even the failure cannot be recorded
(database down), the message is requeued, never dropped.

Idempotency stays explicit in the handler, in the same transaction as its effect:

    @event_handler("charts", "client.updated")
    def on_client_updated(self, event):
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], "notify.on_client_updated"):
                return
            ...
"""
import logging
from datetime import timedelta

import eventlet
from kombu import Connection, Exchange, Producer
from nameko.events import EventHandler as NamekoEventHandler
from nameko.extensions import DependencyProvider
from sqlalchemy import select

from services.common import metrics
from services.common.consumers import RobustQueueConsumer
from services.common.errors import EXPECTED, NotFound
from services.common.rpc import rpc
from services.common.times import utcnow

log = logging.getLogger(__name__)

RETRY_HEADER = "haven.retry"
DELIVERY_PARKED = "delivery.parked"   # a kernel event: relay.KERNEL_PRIVATE_TYPES
# A redelivery is "in flight" for this long: if its handler never reports (the message
# was lost, the process died), the retrier sends it again after the lease.
IN_FLIGHT_SECONDS = 60.0


class ReliableEventHandler(NamekoEventHandler):
    queue_consumer = RobustQueueConsumer()  # one connection with the service's RPC consumer

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        metrics.EVENTS_HANDLED.labels(self.container.service_name, self.method_name,
                                      "ok" if exc_info is None else "failed").inc()
        if exc_info is None:
            if message.headers.get(RETRY_HEADER):
                self._forget_failure(message.payload)
            self.queue_consumer.ack_message(message)
            return result, exc_info
        try:
            self._record_failure(message.payload, exc_info[0].__name__)
        except Exception:
            log.exception("could not record a failed delivery; requeueing it")
            eventlet.sleep(1)  # the database is likely down: do not spin
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    @property
    def handler_name(self):
        return f"{self.container.service_name}.{self.method_name}"

    @property
    def queue_name(self):
        return self.queue.name

    def _database(self):
        from services.common.db import Database
        for dep in self.container.dependencies:
            if isinstance(dep, Database):
                return dep
        raise RuntimeError("a reliable event handler needs a Database dependency")

    def _record_failure(self, envelope, error_name):
        db = self._database()
        config = self.container.config
        max_attempts = config.get("HANDLER_MAX_ATTEMPTS", 5)
        base = config.get("HANDLER_RETRY_BASE_SECONDS", 2.0)
        Failed = db.models.FailedDelivery
        now = utcnow()
        with db.write_lock(), db.writer.begin() as session:
            row = session.get(Failed, (envelope["id"], self.handler_name))
            if row is None:
                row = Failed(event_id=envelope["id"], handler=self.handler_name,
                             queue=self.queue_name, envelope=envelope, attempts=0,
                             first_failed_at=now)
                session.add(row)
            already_parked = row.parked_at is not None  # a stray duplicate: told once
            row.attempts += 1
            row.last_error = error_name
            if row.attempts >= max_attempts:
                row.parked_at = row.parked_at or now
                if not already_parked:
                    metrics.EVENTS_PARKED.labels(self.container.service_name,
                                                 self.method_name).inc()
                row.next_attempt_at = None
                parked_event = (not already_parked
                                and self._announce_parked(session, db, envelope, row))
                log.error("event handler parked after repeated failures",
                          extra={"event_id": envelope["id"], "handler": self.handler_name,
                                 "attempts": row.attempts, "error": error_name})
            else:
                row.next_attempt_at = now + timedelta(seconds=base * 2 ** (row.attempts - 1))
                log.warning("event handler failed; will retry",
                            extra={"event_id": envelope["id"], "handler": self.handler_name,
                                   "attempts": row.attempts, "error": error_name})
                parked_event = False
        if parked_event:
            db.events_committed()

    def _announce_parked(self, session, db, envelope, row):
        """Record `delivery.parked` beside the parked row: ids and names only, no event
        data (it may hold health information). Not for a parked `delivery.parked` itself,
        which would otherwise announce its own parking forever."""
        if envelope.get("type") == DELIVERY_PARKED:
            return False
        from services.common.actor import Actor
        from services.common.db import Tx
        practice_id = envelope.get("practice_id")
        Tx(session, db.models).record(DELIVERY_PARKED, {
            "service": self.container.service_name, "handler": row.handler,
            "event_id": envelope["id"], "event_type": envelope.get("type"),
            "attempts": row.attempts, "last_error": row.last_error,
        }, Actor.system(practice_id=practice_id), practice_id=practice_id)
        return True

    def _forget_failure(self, envelope):
        db = self._database()
        with db.write_lock(), db.writer.begin() as session:
            row = session.get(db.models.FailedDelivery, (envelope["id"], self.handler_name))
            if row is not None:
                session.delete(row)


event_handler = ReliableEventHandler.decorator


def redeliver(amqp_uri, queue, envelope):
    """Put an event back on one handler's queue (the default exchange routes by name)."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            envelope, exchange=Exchange(""), routing_key=queue, serializer="json",
            delivery_mode=2, headers={RETRY_HEADER: True}, retry=True,
            retry_policy={"max_retries": 2})


class HandlerRetrier(DependencyProvider):
    """Sends failed deliveries back to their handler when their back-off has passed."""

    def __init__(self, interval=1.0):
        self.interval = interval
        self._thread = None

    def start(self):
        self._thread = self.container.spawn_managed_thread(self._run, identifier="handler_retrier")

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    kill = stop

    def _run(self):
        while True:
            eventlet.sleep(self.interval)
            try:
                self.retry_due()
            except Exception as exc:
                log.warning("handler retrier pass failed", extra={"error": type(exc).__name__})

    def retry_due(self):
        from services.common.db import Database
        db = next(d for d in self.container.dependencies if isinstance(d, Database))
        Failed = db.models.FailedDelivery
        now = utcnow()
        config = self.container.config
        lease = config.get("HANDLER_IN_FLIGHT_SECONDS", IN_FLIGHT_SECONDS)
        with db.write_lock(), db.writer.begin() as session:
            rows = session.execute(
                select(Failed).where(Failed.parked_at.is_(None))
                .where(Failed.next_attempt_at <= now).limit(50)).scalars().all()
            due = [(r.event_id, r.handler, r.queue, r.envelope) for r in rows]
            for row in rows:
                # in flight: the handler's outcome sets the next step; the lease only
                # matters if that outcome never comes
                row.next_attempt_at = now + timedelta(seconds=lease)
        unsent = []
        for event_id, handler, queue, envelope in due:
            try:
                redeliver(config["AMQP_URI"], queue, envelope)
                metrics.EVENTS_REDELIVERED.labels(*handler.split(".", 1)).inc()
            except Exception as exc:  # broker down: due again at the next pass, not the lease
                log.warning("could not redeliver a failed event; will retry",
                            extra={"event_id": event_id, "handler": handler,
                                   "error": type(exc).__name__})
                unsent.append((event_id, handler))
        if unsent:
            self._due_again(db, unsent, config.get("HANDLER_RETRY_BASE_SECONDS", 2.0))
        return len(due) - len(unsent)

    @staticmethod
    def _due_again(db, keys, delay):
        Failed = db.models.FailedDelivery
        when = utcnow() + timedelta(seconds=delay)
        with db.write_lock(), db.writer.begin() as session:
            for key in keys:
                row = session.get(Failed, key)
                if row is not None and row.parked_at is None:
                    row.next_attempt_at = when

    def get_dependency(self, worker_ctx):
        return self


def _practice_of(row):
    return (row.envelope or {}).get("practice_id")


def failed_delivery_view(row):
    """What ops and staff see of a failed delivery: ids, names and counts, no event data."""
    return {"event_id": row.event_id, "handler": row.handler,
            "event_type": (row.envelope or {}).get("type"), "practice_id": _practice_of(row),
            "attempts": row.attempts, "last_error": row.last_error,
            "parked": row.parked_at is not None,
            "first_failed_at": row.first_failed_at.isoformat(),
            "parked_at": row.parked_at.isoformat() if row.parked_at else None}


class OpsMixin:
    """RPCs every service with event handlers offers: see and replay failed deliveries.

    Staff with `view_operations` see and replay those of their own practice only (the
    practice of the event's envelope); a system actor (ops tooling) sees every practice's.
    """

    @rpc(expected_exceptions=EXPECTED)
    def ops_list_failed_deliveries(self, actor, payload=None):
        """Failed and parked deliveries, newest first (no event data). `{parked_only?}`"""
        from services.common.actor import Actor
        actor = Actor.from_wire(actor)
        actor.require_staff("view_operations")
        parked_only = bool((payload or {}).get("parked_only"))
        Failed = self.db._provider.models.FailedDelivery
        query = select(Failed).order_by(Failed.first_failed_at.desc(), Failed.event_id)
        if parked_only:
            query = query.where(Failed.parked_at.is_not(None))
        with self.db.read() as session:
            # Few rows by nature (failures); the practice lives in the JSON envelope.
            rows = session.execute(query).scalars().all()
            return [failed_delivery_view(r) for r in rows
                    if actor.is_system or _practice_of(r) == actor.practice_id]

    @rpc(expected_exceptions=EXPECTED)
    def ops_replay_delivery(self, actor, event_id, handler):
        """Send a parked event back to its handler now, with a fresh attempt count
        (safe: handlers are idempotent). Another practice's delivery is NotFound."""
        from services.common.actor import Actor
        actor = Actor.from_wire(actor)
        actor.require_staff("view_operations")
        Failed = self.db._provider.models.FailedDelivery
        with self.db.transaction() as tx:
            row = tx.session.get(Failed, (event_id, handler))
            if row is None or not (actor.is_system or _practice_of(row) == actor.practice_id):
                raise NotFound("not_found", "There is no failed delivery with that id.")
            row.parked_at = None
            row.attempts = 0
            row.next_attempt_at = utcnow()
        log.info("failed delivery replayed", extra={"event_id": event_id, "handler": handler})
        return {"event_id": event_id, "handler": handler, "replayed": True}
