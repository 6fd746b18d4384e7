"""The outbox relay: publishes committed events, confirmed, to `<service>.events`.

It wakes right after a transaction that recorded events commits, and polls as well, so
that events left by a crash, a broker outage or another replica are published too.
Messages are persistent, published with publisher confirms and `mandatory`: an event
that no queue is bound to comes back and stays in the outbox (STYLE.md, trap 6) until a
consumer's queue exists, retried with back-off.

Its connection sends heartbeats and each publish waits for its confirm a bounded time:
a half-open connection (a broker that vanished without closing it) fails the batch
instead of stalling the relay forever; the relay then reconnects. What was confirmed
before the failure is marked sent; the rest stays pending (at least once).
"""
import logging
import socket
from datetime import timedelta

import eventlet
import eventlet.event
from kombu import Connection, Exchange, Producer
from sqlalchemy import func, or_, select

from services.common import metrics
from services.common.times import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60
BATCH = 200
HEARTBEAT_SECONDS = 30
CONFIRM_TIMEOUT_SECONDS = 10.0
CLOSE_TIMEOUT_SECONDS = 2.0
BACKLOG_SECONDS = 5.0  # how often the backlog gauges are read (one COUNT per period)
# Kernel events for Haven's own services, whatever the outbox's `channel` column says
# (services without private events have none).
KERNEL_PRIVATE_TYPES = frozenset({"delivery.parked"})


def event_exchange(service):
    """Declared exactly as nameko's event handlers declare it, or the broker refuses."""
    return Exchange(f"{service}.events", type="topic", durable=True, auto_delete=False)


class OutboxRelay:
    def __init__(self, service, amqp_uri, provider, poll_seconds=0.5,
                 heartbeat=HEARTBEAT_SECONDS, confirm_timeout=CONFIRM_TIMEOUT_SECONDS):
        self.service = service
        self.amqp_uri = amqp_uri
        self.provider = provider
        self.poll_seconds = poll_seconds
        self.heartbeat = heartbeat
        self.confirm_timeout = confirm_timeout
        self.exchange = event_exchange(service)
        # events carrying secrets: only Haven's own services may bind to this exchange
        self.private_exchange = event_exchange(f"{service}-private")
        self._wakeup = eventlet.event.Event()
        self._thread = None
        self._running = False
        self._connection = None
        self._producer = None
        self._returned = set()
        self._broker_failures = 0
        self._backlog_read_at = 0.0

    # -- lifecycle -------------------------------------------------------------
    def start(self, container):
        self._running = True
        self._thread = container.spawn_managed_thread(self._run, identifier="outbox_relay")

    def stop(self):
        self._running = False
        self.wake()
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
        self._close()

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _run(self):
        while self._running:
            try:
                self._measure_backlog()
            except Exception as exc:  # the database is down: the publish below says so too
                log.warning("outbox backlog not measured", extra={"error": type(exc).__name__})
            try:
                self._keep_alive()
                published = self.publish_pending()
                self._broker_failures = 0
            except Exception as exc:  # broker or database down: keep rows, back off
                self._broker_failures += 1
                self._close()
                delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(self._broker_failures, 7))
                log.warning("outbox relay could not publish; will retry",
                            extra={"error": type(exc).__name__, "retry_in": delay})
                eventlet.sleep(delay)
                continue
            if published:
                continue  # there may be more behind this batch
            with eventlet.Timeout(self.poll_seconds, False):
                self._wakeup.wait()
            self._wakeup = eventlet.event.Event()

    def _keep_alive(self):
        """Read the broker's heartbeats, send ours, and raise once the broker has been
        silent for two intervals, which sends the loop to reconnect. The loop passes here
        at least every poll interval, well within the heartbeat."""
        if self._connection is None or not self.heartbeat:
            return
        try:
            # Frames unread stay in the socket: amqp would count the broker as silent.
            self._connection.drain_events(timeout=0.01)
        except socket.timeout:
            pass
        self._connection.heartbeat_check()

    # -- publishing ------------------------------------------------------------
    def _producer_ready(self):
        if self._producer is None:
            self._connection = Connection(self.amqp_uri, transport_options={"confirm_publish": True},
                                          heartbeat=self.heartbeat, connect_timeout=5)
            self._connection.ensure_connection(max_retries=1)
            channel = self._connection.channel()
            self._producer = Producer(channel, on_return=self._on_return)
            self.exchange(channel).declare()
            self.private_exchange(channel).declare()
        return self._producer

    def _on_return(self, exception, exchange, routing_key, message):
        self._returned.add(message.properties.get("message_id"))

    def _close(self):
        connection, self._connection, self._producer = self._connection, None, None
        if connection is None:
            return
        try:
            # A clean close waits for the broker's close-ok, which a half-open
            # connection never sends: bounded, then the socket is simply dropped.
            with eventlet.Timeout(CLOSE_TIMEOUT_SECONDS):
                connection.release()
        except (Exception, eventlet.Timeout):
            try:
                connection.collect()
            except Exception:  # already broken; nothing more to release
                pass

    def publish_pending(self):
        """Publish one batch; returns how many were published."""
        Outbox = self.provider.models.Outbox
        now = utcnow()
        query = (select(Outbox)
                 .where(Outbox.sent_at.is_(None))
                 .where(or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now))
                 .order_by(Outbox.created_at, Outbox.id).limit(BATCH))
        if self.provider.is_sqlite:
            with self.provider.reader() as session:
                rows = session.execute(query).scalars().all()
                outcomes, failure = self._publish(rows)
            if outcomes:
                with self.provider.write_lock(), self.provider.writer.begin() as session:
                    self._mark(session, outcomes)
        else:
            # Replicas share the outbox; SKIP LOCKED hands each row to one of them.
            with self.provider.writer.begin() as session:
                rows = session.execute(query.with_for_update(skip_locked=True)).scalars().all()
                outcomes, failure = self._publish(rows)
                self._mark(session, outcomes)
        if failure is not None:
            raise failure
        return sum(1 for _, ok in outcomes if ok)

    def _measure_backlog(self):
        """The outbox's backlog for the metrics, read at most every BACKLOG_SECONDS —
        during a broker outage too, when it matters most."""
        now = utcnow()
        if now.timestamp() - self._backlog_read_at < BACKLOG_SECONDS:
            return
        self._backlog_read_at = now.timestamp()
        Outbox = self.provider.models.Outbox
        with self.provider.reader() as session:
            pending, oldest = session.execute(
                select(func.count(), func.min(Outbox.created_at))
                .where(Outbox.sent_at.is_(None))).one()
        metrics.OUTBOX_PENDING.labels(self.service).set(pending)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        metrics.OUTBOX_OLDEST_SECONDS.labels(self.service).set(max(age, 0.0))

    def _exchange_for(self, row):
        if getattr(row, "channel", None) == "private" or row.type in KERNEL_PRIVATE_TYPES:
            return self.private_exchange
        return self.exchange

    def _publish(self, rows):
        """(outcomes of the rows the broker confirmed or returned, the error that stopped
        the batch or None)."""
        outcomes = []
        if not rows:
            return outcomes, None
        try:
            producer = self._producer_ready()
            for row in rows:
                self._returned.discard(row.id)
                headers = {}
                if row.correlation_id:
                    headers["nameko.correlation_id"] = row.correlation_id
                producer.publish(
                    row.envelope, routing_key=row.type, exchange=self._exchange_for(row),
                    serializer="json", delivery_mode=2, mandatory=True,
                    message_id=row.id, headers=headers, retry=False,
                    confirm_timeout=self.confirm_timeout)
                outcomes.append((row, row.id not in self._returned))
                self._returned.discard(row.id)
        except Exception as exc:  # broker gone or silent: keep what was confirmed
            return outcomes, exc
        return outcomes, None

    def _mark(self, session, outcomes):
        now = utcnow()
        for row, ok in outcomes:
            row = session.merge(row, load=True)
            (metrics.EVENTS_PUBLISHED if ok else metrics.EVENTS_UNROUTABLE).labels(
                self.service, row.type).inc()
            if ok:
                row.sent_at = now
                row.last_error = None
            else:
                row.attempts += 1
                row.last_error = "unroutable"
                row.next_attempt_at = now + timedelta(
                    seconds=min(MAX_BACKOFF_SECONDS, 2 ** min(row.attempts, 6)))
                log.warning("event has no bound queue yet; kept in the outbox",
                            extra={"event_id": row.id, "event_type": row.type})
