"""Availability under load (issue 12): 20 clinicians × 60 days, 2,000 existing
appointments and 300 blocks (a third of them weekly), one service offered by all.

    .venv/bin/python -m bench.availability [--runs 200]

Measures scheduling's `find_availability` as the service runs it (its real SQL on SQLite,
through nameko's worker_factory, no broker) for a 60-day range and for one week, and the
pure domain computation alone; prints p50/p99 in ms. The gateway path adds one RPC hop
(bench/RESULTS.md, (b)).
"""
import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from unittest.mock import MagicMock

import eventlet

eventlet.monkey_patch()

from nameko.testing.services import worker_factory  # noqa: E402

from services.common.testing import MemoryDatabase  # noqa: E402
from services.scheduling.domain import availability  # noqa: E402
from services.scheduling.models import Appointment, Base, Block  # noqa: E402
from services.scheduling.service import SchedulingService  # noqa: E402

ZONE = "America/New_York"
PRACTICE = "bench-practice"


def world(seed=12):
    rng = random.Random(seed)
    clinicians = [f"clinician-{n:02d}" for n in range(20)]
    db = MemoryDatabase(Base)
    now = datetime(2030, 3, 1, 12, tzinfo=timezone.utc)
    identity = MagicMock()
    identity.list_staff.return_value = [{"id": c, "name": c, "status": "active"} for c in clinicians]
    service = worker_factory(SchedulingService, db=db, identity=identity, clock=lambda: now)
    admin = {"practice_id": PRACTICE, "kind": "staff", "id": "admin", "permissions": [
        "view_clients", "manage_appointments", "manage_practice_settings"]}
    office = service.create_location(admin, {"kind": "office", "name": "Office",
                                             "address": "1 Main St", "time_zone": ZONE})
    offered = service.create_service(admin, {"name": "Session", "duration_minutes": 50,
                                             "clinician_ids": clinicians})
    for c in clinicians:
        service.set_work_schedule(admin, c, {"periods": [
            {"weekday": d, "starts": s, "ends": e, "location_id": office["id"],
             "effective_from": "2030-01-01"}
            for d in range(5) for s, e in (("09:00", "12:00"), ("13:00", "17:00"))]})
    service.update_scheduling_settings(admin, {"version": 0, "online_booking": True,
                                               "who_may_request": "everyone",
                                               "min_notice_minutes": 60, "horizon_days": 90,
                                               "buffer_minutes": 10})
    with db.transaction() as tx:
        for n in range(2000):
            starts = now + timedelta(days=rng.randrange(60), hours=rng.randrange(13, 22),
                                     minutes=rng.choice((0, 15, 30, 45)))
            tx.session.add(Appointment(
                practice_id=PRACTICE, client_id=f"client-{n}", clinician_id=rng.choice(clinicians),
                clinician_name="x", starts_at=starts, ends_at=starts + timedelta(minutes=50),
                location="office", status="scheduled", version=1))
        for n in range(300):
            day = date(2030, 3, 1) + timedelta(days=rng.randrange(60))
            hour = rng.randrange(9, 16)
            tx.session.add(Block(
                practice_id=PRACTICE, clinician_id=rng.choice(clinicians), kind="block",
                starts_local=datetime(day.year, day.month, day.day, hour),
                ends_local=datetime(day.year, day.month, day.day, hour + 1), time_zone=ZONE,
                recurrence="weekly" if n % 3 == 0 else "none", created_at=now))
    return service, offered, db


def percentiles(samples):
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000,
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000)


def timed(call, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    service, offered, db = world()
    client = {"practice_id": PRACTICE, "kind": "client", "id": "acct", "clients": {"c": ["*"]}}
    results = {}
    for label, days, limit in (("60 days, first 500 slots", 60, 500),
                               ("60 days, every slot (limit 2000)", 60, 2000),
                               ("one week", 7, 500)):
        query = {"service_id": offered["id"], "from": "2030-03-02",
                 "to": (date(2030, 3, 2) + timedelta(days=days - 1)).isoformat(), "limit": limit}
        count = len(service.find_availability(client, query)["items"])
        results[label] = timed(lambda q=query: service.find_availability(client, q), args.runs) + (count,)
    for label, (p50, p99, count) in results.items():
        print(f"find_availability, {label}: {count} slots, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    db.dispose()


if __name__ == "__main__":
    main()
