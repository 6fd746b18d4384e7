"""The RabbitMQ node restarts while staff book appointments through the gateway (a private
node the test starts; the machine's broker is never touched). Readiness goes red, then
green again without anyone restarting Haven; every booking the gateway acknowledged exists
once, and its `appointment.scheduled` event reaches a subscriber's durable queue once."""
import datetime
import json
import time
import uuid

import eventlet
import requests
from kombu import Connection, Queue

from scripts.infra import free_port
from scripts.stack import Stack
from services.common.relay import event_exchange
from tests.e2e.practice import new_practice
from tests.e2e.test_story_http import staff_session
from tests.reliability.test_replica_killed import book
from tests.support.rabbit import PrivateRabbit


def ready(stack):
    try:
        return requests.get(stack.base_url + "/readyz", timeout=3).status_code == 200
    except requests.RequestException:
        return False


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        eventlet.sleep(0.25)
    raise AssertionError(f"{what} within {timeout} s")


def drain(uri, queue_name):
    events = []
    with Connection(uri) as conn:
        queue = Queue(queue_name, durable=True)(conn.channel())
        while (message := queue.get(no_ack=True)) is not None:
            events.append(json.loads(message.body) if isinstance(message.body, (str, bytes))
                          else message.payload)
    return events


def test_haven_rides_out_a_broker_restart_under_load(tmp_path):
    rabbit = PrivateRabbit(tmp_path / "rabbit").start()
    stack = Stack(var_dir=tmp_path / "stack", amqp_uri=rabbit.uri, http_port=free_port(),
                  smtp_port=free_port(), mail_port=free_port())
    subscriber = f"subscriber-{uuid.uuid4().hex[:8]}"
    try:
        stack.start()
        with Connection(rabbit.uri) as conn:  # an integrator's durable queue, bound first
            Queue(subscriber, exchange=event_exchange("scheduling"), routing_key="appointment.#",
                  durable=True)(conn.channel()).declare()
        practice = new_practice(stack)
        api = stack.base_url + "/api/v1"
        staff = staff_session(stack, practice.intake_login, practice.staff_password)
        clinician = next(c for c in staff.get(f"{api}/clinicians", timeout=10).json()
                         if c["role"] == "clinician")
        first = (datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                      microsecond=0)
                 + datetime.timedelta(days=1))
        answered, stop = {}, []

        def keep_booking():
            number = 0
            while not stop:
                key = str(uuid.uuid4())
                answered[key] = book(staff, api, practice.bobby_id, clinician["id"],
                                     first + datetime.timedelta(hours=number), key)
                number += 1

        load = eventlet.spawn(keep_booking)
        wait(lambda: len(answered) >= 5, 60, "bookings before the restart")
        rabbit.stop()
        wait(lambda: not ready(stack), 30, "readiness should turn red")
        eventlet.sleep(2)
        rabbit.start()
        wait(lambda: ready(stack), 90, "readiness should turn green again by itself")
        before = len(answered)
        wait(lambda: len(answered) >= before + 5, 90, "bookings after the restart")
        stop.append(True)
        load.wait()

        ids = {booking["id"] for booking in answered.values()}
        assert len(ids) == len(answered)
        listed = staff.get(f"{api}/clients/{practice.bobby_id}/appointments", timeout=10,
                           params={"limit": 100})
        assert listed.status_code == 200, listed.text
        assert {a["id"] for a in listed.json()["items"]} >= ids

        seen = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and set(seen) != ids:
            for event in drain(rabbit.uri, subscriber):
                if event["type"] == "appointment.scheduled":
                    seen.setdefault(event["data"]["appointment_id"], set()).add(event["id"])
            eventlet.sleep(0.5)
        assert set(seen) == ids  # nothing committed was lost, across the restart
        assert all(len(event_ids) == 1 for event_ids in seen.values())
    finally:
        stack.stop()
        rabbit.stop()
