"""The pika example subscriber (deploy/examples) mirrors appointments once each, and
carries on by itself across a restart of the broker — a private node the test starts."""
import json
import time
import uuid

from kombu import Connection, Exchange, Producer, Queue

from tests.support.mirror import MirrorProcess
from tests.support.rabbit import PrivateRabbit

EXCHANGE = Exchange("scheduling.events", type="topic", durable=True, auto_delete=False)


def envelope(type_, appointment_id, status, minute):
    """An event as Haven's outbox relay publishes it (docs/events.md)."""
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1,
            "occurred_at": f"2026-12-04T10:{minute:02d}:00+00:00", "practice_id": "p1",
            "actor": {"kind": "staff", "id": "s1"},
            "data": {"appointment_id": appointment_id, "client_id": "c1", "clinician_id": "k1",
                     "starts_at": "2026-12-10T15:00:00+00:00",
                     "ends_at": "2026-12-10T15:50:00+00:00", "location": "office",
                     "status": status}}


def publish(uri, *events):
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=EXCHANGE)
        for event in events:
            producer.publish(json.dumps(event), routing_key=event["type"], delivery_mode=2,
                             content_type="application/json", mandatory=True, declare=[EXCHANGE])


def wait_for_queue(uri, name, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with Connection(uri) as conn:
                Queue(name, exchange=EXCHANGE, routing_key="appointment.#", durable=True)(
                    conn.channel()).queue_declare(passive=True)
                return
        except Exception:  # noqa: BLE001 — not declared yet, or the node is starting
            time.sleep(0.2)
    raise AssertionError(f"the subscriber never declared {name}")  # see mirror.log


def test_mirror_applies_each_event_once_and_survives_a_broker_restart(tmp_path):
    rabbit = PrivateRabbit(tmp_path / "rabbit").start()
    mirror = MirrorProcess(rabbit.uri, tmp_path / "mirror.sqlite3", "acme.appointments",
                           tmp_path / "mirror.log")
    try:
        mirror.start()
        wait_for_queue(rabbit.uri, "acme.appointments")
        scheduled = envelope("appointment.scheduled", "a1", "scheduled", 0)
        cancelled = envelope("appointment.cancelled", "a1", "cancelled", 5)
        # at least once: the same event twice, and the older one again after the newer
        publish(rabbit.uri, scheduled, scheduled, cancelled, scheduled)
        mirror.wait_for("SELECT id, status FROM appointments", (), [("a1", "cancelled")])
        mirror.wait_for("SELECT count(*) FROM handled_events", (), [(2,)])

        rabbit.restart()
        # events that arrive while it reconnects wait in its durable queue
        publish(rabbit.uri, envelope("appointment.scheduled", "a2", "scheduled", 10))
        mirror.wait_for("SELECT id, status FROM appointments ORDER BY id", (),
                        [("a1", "cancelled"), ("a2", "scheduled")], timeout=60)
        assert mirror.alive()
        assert "reconnecting" in (tmp_path / "mirror.log").read_text()
    finally:
        mirror.stop()
        rabbit.stop()
