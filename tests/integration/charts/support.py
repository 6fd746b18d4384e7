"""What the charts integration tests share: the practice and its staff, a small PDF,
actors, a blob put as `register_upload` takes it, polling, staff alerts, and charts and
notify started in real containers on the real RabbitMQ (identity's one answer notify
needs stood in for)."""
import io
import time
import uuid
from contextlib import contextmanager

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy

from services.charts.service import ChartsService
from services.common.migrations import upgrade
from services.common.rpc import rpc
from services.notify.service import NotifyService

PRACTICE = str(uuid.uuid4())
STAFF = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
         "permissions": ["view_clients", "edit_clients", "upload_client_documents",
                         "manage_practice_settings", "view_operations",
                         "receives_demographic_changes", "receives_portal_uploads"]}
PDF = b"%PDF-1.7\n" + b"1" * 4096


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(0.05)
    return predicate()


def me(client_id, kind="client", id_=None, perms=("*",)):
    return {"practice_id": PRACTICE, "kind": kind, "id": id_ or str(uuid.uuid4()),
            "clients": {client_id: list(perms)}}


def put(blobs, data=PDF, name="scan.pdf"):
    info = blobs.put(io.BytesIO(data), namespace="charts")
    return {"blob_key": info.key, "sha256": info.sha256, "size": info.size,
            "content_type": "application/pdf", "filename": name}


def alerts(rpc, client_id, kind=None):
    return [a for a in rpc.notify.list_alerts(STAFF, {"limit": 500})
            if a["client_id"] == client_id and (kind is None or a["kind"] == kind)]


class PracticeDirectory:
    """Stands in for identity in what notify asks it for a "something new" email."""
    name = "identity"

    @rpc
    def get_practice_address(self, actor):
        return {"practice_name": "Oak Tree Counseling", "portal_path": "/p/oak",
                "portal_subdomain": None}


@contextmanager
def charts_and_notify(container_factory, amqp_uri, charts_url, notify_url, blob_dir,
                      charts_config=None, timeout=10):
    """Both services migrated and started (notify first: its queues exist before charts
    publishes), charts keeping blobs in `blob_dir`: → (an RPC proxy, notify's container)."""
    upgrade("charts", charts_url)
    upgrade("notify", notify_url)
    common = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2}
    notify = container_factory(NotifyService, dict(
        common, DATABASE_URL=notify_url, EMAIL_BACKEND="memory", EMAIL_POLL_SECONDS=0.2,
        PUBLIC_URL="https://portal.haven.test"))
    notify.start()
    container_factory(PracticeDirectory, {"AMQP_URI": amqp_uri}).start()
    charts = container_factory(ChartsService, dict(
        common, DATABASE_URL=charts_url, BLOB_DIR=str(blob_dir), **(charts_config or {})))
    charts.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout) as proxy:
        yield proxy, notify
