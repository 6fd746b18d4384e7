"""A parked delivery raises one to-do alert for the practice's staff with view_operations."""
from unittest.mock import MagicMock

from nameko.testing.services import worker_factory

from services.common.testing import MemoryDatabase
from services.notify.models import Alert, Base
from services.notify.service import NotifyService

ADMIN = {"practice_id": "p1", "kind": "staff", "id": "s1", "permissions": ["view_operations"]}
CLINICIAN = {"practice_id": "p1", "kind": "staff", "id": "s2", "permissions": ["view_clients"]}
OTHER_ADMIN = dict(ADMIN, practice_id="p2", id="s3")


def parked(event_id="k1", practice="p1"):
    return {"id": event_id, "type": "delivery.parked", "version": 1, "practice_id": practice,
            "occurred_at": "2026-01-01T00:00:00+00:00", "actor": {"kind": "system", "id": "system"},
            "data": {"service": "notify", "handler": "notify.on_client_updated",
                     "event_id": "e1", "event_type": "client.updated", "attempts": 5,
                     "last_error": "TimeoutError"}}


def service_on(db):
    return worker_factory(NotifyService, db=db, mailer=MagicMock(), config={})


def test_a_parked_delivery_alerts_the_practice_administrators_once():
    db = MemoryDatabase(Base)
    service = service_on(db)
    service.on_notify_delivery_parked(parked())
    service.on_notify_delivery_parked(parked())  # redelivered
    alert, = service.list_alerts(ADMIN)
    assert (alert["kind"], alert["fields"], alert["client_id"]) == (
        "delivery_parked", ["client.updated"], None)
    assert service.list_alerts(CLINICIAN) == []
    assert service.list_alerts(OTHER_ADMIN) == []


def test_an_event_of_no_practice_raises_no_alert():
    db = MemoryDatabase(Base)
    service_on(db).on_notify_delivery_parked(parked(practice=None))
    assert db.all(Alert) == []


def test_identity_parking_a_chart_correction_alerts_the_administrators_too():
    db = MemoryDatabase(Base)
    service = service_on(db)
    event = parked("k2")
    event["data"] = dict(event["data"], service="identity",
                         handler="identity.on_client_updated")
    service.on_identity_delivery_parked(event)
    service.on_identity_delivery_parked(event)  # redelivered
    alert, = service.list_alerts(ADMIN)
    assert (alert["kind"], alert["fields"]) == ("delivery_parked", ["client.updated"])
