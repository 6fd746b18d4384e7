"""notify's charts handlers in a real container on the real RabbitMQ, SQLite and
PostgreSQL: a redelivered upload event makes one alert; a shared document is emailed
after notify asks (stand-in) charts and identity services for the address and the
practice's portal over real RPC."""
import uuid

import pytest
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, select

from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.common.rpc import rpc
from services.notify.models import Email
from services.notify.service import NotifyService

PRACTICE = str(uuid.uuid4())
STAFF = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
         "permissions": ["receives_portal_uploads"]}


class FakeCharts:
    name = "charts"

    @rpc
    def get_notification_address(self, actor, client_id):
        assert actor["kind"] == "system"
        return {"email": "kim@example.com", "may_email": True}


class FakeIdentity:
    name = "identity"

    @rpc
    def get_practice_address(self, actor):
        assert actor["kind"] == "system" and actor["practice_id"] == PRACTICE
        return {"practice_name": "Oak Tree Counseling", "portal_path": "/p/oak",
                "portal_subdomain": None}


def publish(amqp_uri, envelope):
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(envelope, exchange=event_exchange("charts"),
                                routing_key=envelope["type"], serializer="json",
                                delivery_mode=2)


def envelope(type_, **data):
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1, "practice_id": PRACTICE,
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "actor": {"kind": "client", "id": str(uuid.uuid4())}, "data": data}


@pytest.fixture
def notify(container_factory, amqp_uri, database_url):
    upgrade("notify", database_url)
    container = container_factory(NotifyService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "EMAIL_BACKEND": "memory",
        "EMAIL_POLL_SECONDS": 0.2, "PUBLIC_URL": "https://portal.haven.test", "RPC_TIMEOUT": 5})
    container.start()
    for stand_in in (FakeCharts, FakeIdentity):
        container_factory(stand_in, {"AMQP_URI": amqp_uri}).start()
    return container


def test_a_redelivered_upload_makes_one_alert(notify, amqp_uri):
    event = envelope("document.uploaded", document_id=str(uuid.uuid4()),
                     client_id=str(uuid.uuid4()), client_name="Kim Lee",
                     uploaded_by_kind="contact", content_type="image/png", size=120)
    for _ in range(2):
        with entrypoint_waiter(notify, "on_document_uploaded", timeout=10):
            publish(amqp_uri, event)
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        alerts = [a for a in proxy.notify.list_alerts(STAFF, {})
                  if a["subject_id"] == event["data"]["document_id"]]
    assert len(alerts) == 1 and alerts[0]["kind"] == "portal_upload"


def test_a_shared_document_is_emailed_after_one_rpc_hop(notify, amqp_uri, database_url):
    event = envelope("document.shared", document_id=str(uuid.uuid4()),
                     client_id=str(uuid.uuid4()), client_name="Kim Lee", contact_id=None,
                     type_id=None)
    with entrypoint_waiter(notify, "on_document_shared", timeout=10):
        publish(amqp_uri, event)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Email.to_address, Email.body_text)
                            .where(Email.event_id == event["id"])).all()
    engine.dispose()
    assert [r.to_address for r in rows] == ["kim@example.com"]
    assert "Kim" not in rows[0].body_text
    assert "Oak Tree Counseling" in rows[0].body_text
    assert "https://portal.haven.test/p/oak" in rows[0].body_text
