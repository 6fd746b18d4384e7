"""notify's `invitation.locked` handler in a real container on the real RabbitMQ, SQLite
and PostgreSQL: a redelivered event makes one alert, seen only by staff who manage
portal access."""
import uuid

from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.common.relay import event_exchange
from tests.integration.notify.test_charts_alerts import PRACTICE, notify  # noqa: F401


def test_a_redelivered_invitation_lock_makes_one_alert(notify, amqp_uri):  # noqa: F811
    event = {"id": str(uuid.uuid4()), "type": "invitation.locked", "version": 1,
             "practice_id": PRACTICE, "occurred_at": "2026-01-01T00:00:00+00:00",
             "actor": {"kind": "system", "id": "system"},
             "data": {"invitation_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4())}}
    for _ in range(2):
        with entrypoint_waiter(notify, "on_invitation_locked", timeout=10):
            with Connection(amqp_uri) as conn:
                conn.Producer().publish(event, exchange=event_exchange("identity"),
                                        routing_key="invitation.locked", serializer="json",
                                        delivery_mode=2)
    intake = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
              "permissions": ["manage_portal_access"]}
    uploads = dict(intake, permissions=["receives_portal_uploads"])
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        mine = [a for a in proxy.notify.list_alerts(intake, {})
                if a["subject_id"] == event["data"]["invitation_id"]]
        others = [a for a in proxy.notify.list_alerts(uploads, {"limit": 500})
                  if a["subject_id"] == event["data"]["invitation_id"]]
    assert len(mine) == 1 and mine[0]["kind"] == "invitation_locked" and others == []
    assert mine[0]["client_id"] == event["data"]["client_id"]
