"""Mirror a practice's appointments from Haven's events into a SQLite file — with pika.

This is how another practice system (a billing tool, a reporting database, a reminder
service) follows Haven without touching its databases or its code:

    python deploy/examples/appointments_mirror.py \\
        --amqp amqp://guest:guest@127.0.0.1:5672/%2F --db mirror.sqlite3 --queue acme.appointments

- It binds a durable queue of its own to the topic exchange `scheduling.events` for the
  routing keys `appointment.#` (docs/events.md lists the events and their data).
- It acknowledges a message only after its effect is committed to SQLite, so a crash
  between the two redelivers it; Haven also delivers at least once. Both are harmless:
  the event id is recorded in the same transaction and a duplicate is skipped.
- Events of one appointment may arrive out of order after a redelivery: a row only
  moves forward in `occurred_at`.
- When the broker restarts or the network drops, it reconnects with back-off and goes on
  where it was: the queue is durable and Haven's messages are persistent.

Only ids, times and statuses travel in these events — never a name or a reason.
"""
import argparse
import json
import logging
import signal
import sqlite3
import sys
import time

import pika
from pika.exceptions import AMQPConnectionError, AMQPError, ConnectionClosedByBroker

log = logging.getLogger("appointments_mirror")

EXCHANGE = "scheduling.events"
ROUTING_KEY = "appointment.#"
SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    clinician_id TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_by_event_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS handled_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    handled_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


class Mirror:
    """The SQLite side: one transaction per event, the event id recorded with the effect."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def apply(self, envelope):
        """Apply one event once; returns False for a duplicate."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            seen = self.db.execute("INSERT OR IGNORE INTO handled_events (id, type) VALUES (?, ?)",
                                   (envelope["id"], envelope["type"])).rowcount == 0
            if not seen:
                self._upsert(envelope)
            self.db.execute("COMMIT")
            return not seen
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _upsert(self, envelope):
        data = envelope["data"]
        if "appointment_id" not in data:
            return  # an appointment event this mirror does not follow (a request, say)
        self.db.execute(
            """INSERT INTO appointments (id, practice_id, client_id, clinician_id, starts_at,
                                         ends_at, status, updated_by_event_at)
               VALUES (:id, :practice_id, :client_id, :clinician_id, :starts_at, :ends_at,
                       :status, :occurred_at)
               ON CONFLICT (id) DO UPDATE SET
                   client_id = excluded.client_id, clinician_id = excluded.clinician_id,
                   starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                   status = excluded.status, updated_by_event_at = excluded.updated_by_event_at
               WHERE excluded.updated_by_event_at >= appointments.updated_by_event_at""",
            {"id": data["appointment_id"], "practice_id": envelope["practice_id"],
             "client_id": data["client_id"], "clinician_id": data["clinician_id"],
             "starts_at": data["starts_at"], "ends_at": data["ends_at"],
             "status": data.get("status") or envelope["type"].split(".", 1)[1],
             "occurred_at": envelope["occurred_at"]})


def pika_parameters(amqp_uri):
    """pika spells the default vhost `/%2F`; Haven's settings (kombu) spell it `//`."""
    scheme, rest = amqp_uri.split("://", 1)
    if rest.endswith("//"):
        rest = rest[:-2] + "/%2F"
    return pika.URLParameters(f"{scheme}://{rest}")


class Subscriber:
    def __init__(self, amqp_uri, queue, mirror):
        self.amqp_uri, self.queue, self.mirror = amqp_uri, queue, mirror
        self.channel = None
        self.stopping = False

    def run(self):
        """Consume until stopped; reconnect after any connection loss."""
        backoff = 0.5
        while not self.stopping:
            try:
                self._consume()
                backoff = 0.5
            except (AMQPConnectionError, ConnectionClosedByBroker, AMQPError, OSError) as exc:
                if self.stopping:
                    break
                log.warning("broker connection lost (%s); reconnecting in %.1f s",
                            type(exc).__name__, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 15)

    def stop(self, *_):
        self.stopping = True
        if self.channel is not None and self.channel.is_open:
            try:
                self.channel.stop_consuming()
            except AMQPError:
                pass

    def _consume(self):
        params = pika_parameters(self.amqp_uri)
        params.heartbeat = 30
        params.blocked_connection_timeout = 60
        connection = pika.BlockingConnection(params)
        try:
            self.channel = channel = connection.channel()
            # The same declaration Haven makes: whichever side starts first creates it.
            channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
            channel.queue_declare(self.queue, durable=True)
            channel.queue_bind(self.queue, EXCHANGE, routing_key=ROUTING_KEY)
            channel.basic_qos(prefetch_count=50)
            channel.basic_consume(self.queue, self._on_message)
            log.info("consuming %s from %s", ROUTING_KEY, EXCHANGE)
            channel.start_consuming()
        finally:
            self.channel = None
            if connection.is_open:
                connection.close()

    def _on_message(self, channel, method, properties, body):
        try:
            envelope = json.loads(body)
            envelope["id"], envelope["type"], envelope["data"]  # noqa: B018  (required keys)
        except (ValueError, KeyError, TypeError):
            log.error("dropping a message that is not a Haven event envelope")
            channel.basic_nack(method.delivery_tag, requeue=False)
            return
        applied = self.mirror.apply(envelope)
        channel.basic_ack(method.delivery_tag)  # only after the commit
        log.info("%s %s %s", "applied" if applied else "skipped duplicate",
                 envelope["type"], envelope["id"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--db", default="appointments-mirror.sqlite3")
    parser.add_argument("--queue", default="example.appointments-mirror")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("pika").setLevel(logging.CRITICAL)  # its own reconnect noise
    subscriber = Subscriber(args.amqp, args.queue, Mirror(args.db))
    signal.signal(signal.SIGTERM, subscriber.stop)
    signal.signal(signal.SIGINT, subscriber.stop)
    subscriber.run()


if __name__ == "__main__":
    main()
