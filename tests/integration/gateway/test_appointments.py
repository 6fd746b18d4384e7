"""Upcoming appointments from the gateway's read model, in two real GatewayService
replicas on the real broker, with a fake scheduling that publishes real
`scheduling.events` envelopes (scheduling's own `data_of` and event schema, on the
exchange and routing key the kernel's relay uses): a booking through one replica is read
back at once there and within a second on the other; a cancellation made elsewhere
reaches both by its event alone."""
import time
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import requests
from nameko.events import EventDispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.errors import EXPECTED, NotFound
from services.common.rpc import rpc
from services.scheduling import events as scheduling_events
from tests.integration.gateway.fakes import (
    CLIENT_ID,
    FakeCharts,
    FakeIdentity,
    FakeNotify,
    Pings,
    State,
    envelope,
    make_token,
)
from tests.integration.gateway.test_gateway import base_config, bearer, start_gateway, wait_for  # noqa: F401

STAFF_PERMS = ["view_clients", "manage_appointments"]


class Book:
    rows = {}        # appointment id -> row (SimpleNamespace, as scheduling's model)
    lists = []       # client ids asked for by list_client_appointments


def _dump(row):
    return {"id": row.id, "client_id": row.client_id, "clinician_id": row.clinician_id,
            "clinician_name": "Dr Who", "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(), "duration_minutes": 50,
            "location": row.location, "title": None, "status": row.status,
            "cancelled_at": None, "version": row.version}


class FakeListingScheduling(Pings):
    name = "scheduling"
    dispatch = EventDispatcher()

    def _emit(self, event_type, row):
        data = scheduling_events.data_of(row)
        assert not event_type.schema().validate(data)
        self.dispatch(event_type.type, envelope(event_type.type, data))

    @rpc(expected_exceptions=EXPECTED)
    def list_client_appointments(self, actor, client_id, payload):
        Book.lists.append(client_id)
        cancelled = payload.get("include_cancelled", actor["kind"] == "staff")
        rows = sorted((r for r in Book.rows.values() if r.client_id == client_id
                       and (cancelled or r.status == "scheduled")), key=lambda r: r.starts_at)
        return {"items": [_dump(r) for r in rows]}

    @rpc(expected_exceptions=EXPECTED)
    def book_appointment(self, actor, client_id, payload):
        starts = datetime.fromisoformat(payload["starts_at"]).astimezone(timezone.utc)
        row = SimpleNamespace(id=payload["id"], client_id=client_id,
                              clinician_id=payload["clinician_id"], starts_at=starts,
                              ends_at=starts + timedelta(minutes=50), location="office",
                              status="scheduled", version=1)
        Book.rows[row.id] = row
        self._emit(scheduling_events.APPOINTMENT_SCHEDULED, row)
        return _dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def cancel_appointment(self, actor, appointment_id, payload):
        row = Book.rows.get(appointment_id)
        if row is None:
            raise NotFound("not_found", "That appointment does not exist.")
        row.status, row.version = "cancelled", row.version + 1
        self._emit(scheduling_events.APPOINTMENT_CANCELLED, row)
        return _dump(row)


@pytest.fixture
def owners(container_factory, base_config):  # noqa: F811
    State.revoked.clear()
    State.records.clear()
    State.calls.clear()
    Book.rows.clear()
    Book.lists.clear()
    for cls in (FakeIdentity, FakeCharts, FakeNotify, FakeListingScheduling):
        container_factory(cls, base_config).start()


def test_a_booking_reaches_every_replica_s_upcoming_list(owners, start_gateway,  # noqa: F811
                                                         amqp_uri):
    first, second = start_gateway(), start_gateway()
    client = bearer(make_token(str(uuid.uuid4())))
    staff = bearer(make_token(str(uuid.uuid4()), kind="staff", clients={}, perms=STAFF_PERMS))

    def upcoming(url):
        r = requests.get(url + "/api/v1/me/appointments", headers=client, timeout=5)
        assert r.status_code == 200, r.text
        return [(a["id"], a["status"]) for a in r.json()["items"]]

    for url in (first, second):
        assert upcoming(url) == [] and upcoming(url) == []
    assert len(Book.lists) == 2                 # one fill per replica, then from memory

    starts = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    r = requests.post(first + f"/api/v1/clients/{CLIENT_ID}/appointments", headers=staff,
                      json={"clinician_id": "s1", "starts_at": starts.isoformat()}, timeout=10)
    assert r.status_code == 201, r.text
    booked = r.json()["id"]
    assert upcoming(first) == [(booked, "scheduled")]          # read your own write
    started = time.monotonic()
    assert wait_for(lambda: upcoming(second) == [(booked, "scheduled")], timeout=1.0, step=0.02)
    assert time.monotonic() - started < 1.0
    lists = len(Book.lists)
    assert upcoming(second) == [(booked, "scheduled")] and len(Book.lists) == lists

    # cancelled elsewhere (no gateway handled it): the event alone empties both lists
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        proxy.scheduling.cancel_appointment({}, booked, {"version": 1})
    for url in (first, second):
        assert wait_for(lambda: upcoming(url) == [], timeout=1.0, step=0.02), url
