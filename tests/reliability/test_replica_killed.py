"""Two instances of scheduling on the same queues (competing consumers); one is killed
with SIGKILL in the middle of a stream of bookings through the gateway. Every booking the
gateway acknowledged took effect exactly once, each has exactly one
`appointment.scheduled` event, and the survivor carries on alone.

The client side does what a careful client (or the web client) does: a booking that
got no answer is sent again with the same Idempotency-Key."""
import datetime
import uuid

import eventlet
import requests
from sqlalchemy import create_engine, text

from scripts.infra import free_port
from scripts.stack import SERVICES, Stack
from tests.conftest import private_vhost
from tests.e2e.practice import new_practice
from tests.e2e.test_story_http import staff_session
from tests.support.events import EventTap

BOOKINGS = 40
KILL_AFTER = 12


def book(http, api, client_id, clinician_id, starts, key):
    """One booking, sent again with its key until it is answered (5 tries)."""
    for attempt in range(5):
        try:
            r = http.post(f"{api}/clients/{client_id}/appointments", timeout=25,
                          headers={"Idempotency-Key": key},
                          json={"clinician_id": clinician_id, "starts_at": starts.isoformat(),
                                "duration_minutes": 30, "title": "Session"})
        except requests.RequestException:
            eventlet.sleep(1)
            continue
        if r.status_code in (200, 201):
            return r.json()
        assert r.status_code >= 500, r.text  # a refusal would be a bug here, not a fault
        eventlet.sleep(1)
    raise AssertionError(f"booking {key} was never answered")


def bookings_handled_by(stack, process):
    text_ = requests.get(stack.metrics_urls[process], timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text_.splitlines()
               if line.startswith("haven_entrypoint_calls_total{")
               and 'method="book_appointment"' in line)


def test_sigkill_of_one_of_two_instances_loses_and_doubles_nothing(tmp_path, database_url_factory):
    amqp_uri, remove_vhost = private_vhost()
    databases = {name: database_url_factory("postgresql") for name in SERVICES}
    stack = Stack(var_dir=tmp_path / "stack", amqp_uri=amqp_uri, http_port=free_port(),
                  smtp_port=free_port(), mail_port=free_port(), database_urls=databases,
                  replicas={"scheduling": 2})
    tap = None
    try:
        stack.start()
        practice = new_practice(stack)
        api = stack.base_url + "/api/v1"
        staff = staff_session(stack, practice.intake_login, practice.staff_password)
        clinician = next(c for c in staff.get(f"{api}/clinicians", timeout=10).json()
                         if c["role"] == "clinician")
        tap = EventTap(stack.amqp_uri, "scheduling")
        first = (datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                      microsecond=0)
                 + datetime.timedelta(days=1))
        keys = [str(uuid.uuid4()) for _ in range(BOOKINGS)]
        answered = {}

        def one(number):
            answered[keys[number]] = book(staff, api, practice.bobby_id, clinician["id"],
                                          first + datetime.timedelta(hours=number), keys[number])

        pool = eventlet.GreenPool(4)
        for number in range(BOOKINGS):
            if number == KILL_AFTER:
                pool.waitall()
                # both instances took bookings (its own metrics say so) before it dies
                assert bookings_handled_by(stack, "scheduling-2") >= 1
                assert bookings_handled_by(stack, "scheduling") >= 1
                for extra in range(KILL_AFTER, KILL_AFTER + 4):  # in flight when it is killed
                    pool.spawn_n(one, extra)
                eventlet.sleep(0.05)
                stack.kill_process("scheduling-2")
                continue
            if KILL_AFTER < number < KILL_AFTER + 4:
                continue
            pool.spawn_n(one, number)
        pool.waitall()

        assert set(answered) == set(keys)
        ids = {booking["id"] for booking in answered.values()}
        assert len(ids) == BOOKINGS
        engine = create_engine(databases["scheduling"])
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id FROM appointments WHERE practice_id = :p"),
                                {"p": practice.id}).scalars().all()
        engine.dispose()
        assert sorted(rows) == sorted(ids)  # each acknowledged booking once, nothing else

        def scheduled():
            seen = {}
            for event in tap.seen:
                if event["type"] == "appointment.scheduled" and event["practice_id"] == practice.id:
                    seen.setdefault(event["data"]["appointment_id"], set()).add(event["id"])
            return seen
        deadline = eventlet.hubs.get_hub().clock() + 30
        while len(scheduled()) < BOOKINGS and eventlet.hubs.get_hub().clock() < deadline:
            try:
                tap.wait_for("no.such.event", timeout=0.5)
            except AssertionError:
                pass
        events = scheduled()
        assert set(events) == ids
        assert all(len(event_ids) == 1 for event_ids in events.values())

        # the survivor carries on by itself
        later = book(staff, api, practice.bobby_id, clinician["id"],
                     first + datetime.timedelta(hours=BOOKINGS + 1), str(uuid.uuid4()))
        assert later["id"] not in ids
        assert "scheduling" in stack.processes and stack.processes["scheduling"].poll() is None
    finally:
        if tap is not None:
            tap.close()
        stack.stop()
        remove_vhost()
