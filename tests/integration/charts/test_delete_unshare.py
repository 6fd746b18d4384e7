"""Unsharing and deleting documents, and settings.updated, with charts in a real container
on the real RabbitMQ and SQLite / PostgreSQL: the events leave through the outbox, the
blob is gone from the store once the deletion committed, and an uploader's own deletion
stops once staff opened the file."""
import uuid

import pytest

from services.common.errors import Conflict, NotFound
from tests.integration.charts.support import PRACTICE, STAFF, me, put
from tests.support.events import EventTap


def ChartsEvents(amqp_uri):
    return EventTap(amqp_uri, "charts")


@pytest.fixture
def events(amqp_uri):
    listener = ChartsEvents(amqp_uri)
    yield listener
    listener.close()


def test_unshare_delete_and_settings_events_through_the_outbox(stack, events):
    rpc, blobs, _ = stack
    client = rpc.charts.create_client(STAFF, {"first_name": "Kim", "last_name": "Lee"})
    cid, kim = client["id"], me(client["id"])
    portal = rpc.charts.create_document_type(STAFF, {"name": f"Letters {uuid.uuid4().hex[:6]}",
                                                     "show_in_portal": True})
    ref = put(blobs)
    doc = rpc.charts.share_document(STAFF, dict(ref, client_id=cid, type_id=portal["id"]))
    assert [d["id"] for d in rpc.charts.list_documents(kim, {"client_id": cid})
            if d["client_id"] == cid] == [doc["id"]]
    rpc.charts.unshare_document(STAFF, doc["id"])
    assert [d for d in rpc.charts.list_documents(kim, {"client_id": cid})
            if d["client_id"] == cid] == []
    unshared = events.wait_for("document.unshared",
                               lambda e: e["data"]["document_id"] == doc["id"])
    assert unshared["practice_id"] == PRACTICE and unshared["data"]["client_id"] == cid

    assert rpc.charts.delete_document(STAFF, doc["id"])["deleted"] is True
    deleted = events.wait_for("document.deleted", lambda e: e["data"]["document_id"] == doc["id"])
    assert deleted["data"]["deleted_by_kind"] == "staff"
    assert ref["blob_key"] not in blobs.list_older_than("charts", -1)
    with pytest.raises(NotFound):
        rpc.charts.get_document_for_download(STAFF, doc["id"])

    settings = rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True})
    updated = events.wait_for("settings.updated",
                              lambda e: e["data"]["version"] == settings["version"])
    assert updated["data"] == settings

    # the client withdraws an upload before staff opened it; not after
    upload_ref = put(blobs)
    mine = rpc.charts.register_upload(kim, cid, upload_ref)
    rpc.charts.delete_document(kim, mine["id"])
    assert upload_ref["blob_key"] not in blobs.list_older_than("charts", -1)
    kept = rpc.charts.register_upload(kim, cid, put(blobs))
    rpc.charts.get_document_for_download(STAFF, kept["id"])
    with pytest.raises(Conflict) as exc:
        rpc.charts.delete_document(kim, kept["id"])
    assert exc.value.code == "document_reviewed"


def test_a_document_type_in_use_is_archived_and_an_unused_one_deleted(stack):
    """Issue 18, on SQLite and PostgreSQL (the archived_at column's migration)."""
    rpc, blobs, _ = stack
    client = rpc.charts.create_client(STAFF, {"first_name": "Kim", "last_name": "Lee"})
    used = rpc.charts.create_document_type(STAFF, {"name": f"Forms {uuid.uuid4().hex[:6]}",
                                                   "show_in_portal": False})
    unused = rpc.charts.create_document_type(STAFF, {"name": f"Old {uuid.uuid4().hex[:6]}"})
    doc = rpc.charts.share_document(STAFF, dict(put(blobs), client_id=client["id"],
                                                type_id=used["id"]))
    assert doc["shown_in_portal"] is False           # the form says Kim will not see it
    with pytest.raises(Conflict) as exc:
        rpc.charts.delete_document_type(STAFF, used["id"])
    assert exc.value.code == "document_type_in_use"
    assert rpc.charts.update_document_type(STAFF, used["id"], {"archived": True})["archived"]
    assert rpc.charts.delete_document_type(STAFF, unused["id"])["deleted"] is True
    types = {t["id"]: t for t in rpc.charts.list_document_types(STAFF)}
    assert unused["id"] not in types and types[used["id"]]["archived"] is True
