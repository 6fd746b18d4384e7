"""The whole parking path in a real service: notify fails an update until it parks it,
records delivery.parked through its outbox, hears it on notify-private.events and raises
one to-do alert for that practice's administrators — and for nobody else."""
import uuid

from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.actor import Actor
from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.notify.service import NotifyService
from tests.integration.common.test_outbox import wait_for


def admin_of(practice_id):
    return Actor(practice_id=practice_id, kind="staff", id=str(uuid.uuid4()),
                 permissions=("view_operations",)).to_wire()


def test_a_parked_update_reaches_the_practice_administrators_as_an_alert(
        container_factory, amqp_uri, database_url_factory):
    url = database_url_factory("sqlite")
    upgrade("notify", url)
    container_factory(NotifyService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": url, "OUTBOX_POLL_SECONDS": 0.2,
        "HANDLER_MAX_ATTEMPTS": 2, "HANDLER_RETRY_BASE_SECONDS": 0.1,
        "EMAIL_POLL_SECONDS": 5}).start()
    practice, other = str(uuid.uuid4()), str(uuid.uuid4())
    update = {"id": str(uuid.uuid4()), "type": "client.updated", "version": 99,  # unknown
              "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": practice,
              "actor": {"kind": "client", "id": str(uuid.uuid4())},
              "data": {"client_id": str(uuid.uuid4()), "client_name": "Ana Lima"}}
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(update, exchange=event_exchange("charts"),
                                routing_key="client.updated", serializer="json", delivery_mode=2)

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        alerts = wait_for(lambda: rpc.notify.list_alerts(admin_of(practice), {}), timeout=20)
        assert [(a["kind"], a["fields"], a["client_id"]) for a in alerts] == [
            ("delivery_parked", ["client.updated"], None)]
        assert "Ana Lima" not in str(alerts)
        assert rpc.notify.list_alerts(admin_of(other), {}) == []
        parked, = rpc.notify.ops_list_failed_deliveries(admin_of(practice), {"parked_only": True})
        assert (parked["event_id"], parked["handler"]) == (update["id"], "notify.on_client_updated")
