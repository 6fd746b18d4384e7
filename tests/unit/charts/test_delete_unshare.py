"""Deleting and unsharing documents, and the settings.updated event, through
worker_factory (SQLite in memory, a blob store in a temporary folder)."""
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest

from services.charts.domain import documents
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, NotFound
from tests.unit.charts.test_service import STAFF
from tests.unit.charts.test_service_tabs import (ADMIN, PRACTICE, blobs, client_id, db,  # noqa: F401
                                                 enable, events, me, put, service)

EDITOR = dict(STAFF, permissions=["view_clients", "edit_clients", "upload_client_documents"])


def stored(blobs, key):
    return key in blobs.list_older_than("charts", -1)


def test_staff_unshare_a_shared_document_clients_no_longer_see_it(service, db, blobs,
                                                                   client_id):
    portal = service.create_document_type(EDITOR, {"name": "Letters", "show_in_portal": True})
    doc = service.share_document(EDITOR, dict(put(blobs), client_id=client_id,
                                              type_id=portal["id"]))
    policy = service.share_document(EDITOR, dict(put(blobs), type_id=portal["id"]))
    client = me(client_id)
    assert {d["id"] for d in service.list_documents(client, {"client_id": client_id})} == {
        doc["id"], policy["id"]}
    with pytest.raises(Forbidden):
        service.unshare_document(me(client_id), doc["id"])
    out = service.unshare_document(EDITOR, doc["id"])
    assert out["unshared_at"] is not None
    service.unshare_document(EDITOR, doc["id"])              # idempotent: one event
    service.unshare_document(EDITOR, policy["id"])
    assert service.list_documents(client, {"client_id": client_id}) == []
    with pytest.raises(NotFound):
        service.get_document_for_download(client, doc["id"])
    assert service.get_document_for_download(EDITOR, doc["id"])["document_id"] == doc["id"]
    unshared = events(db, "document.unshared")
    assert [e["data"] for e in unshared] == [
        {"document_id": doc["id"], "kind": "shared", "client_id": client_id, "contact_id": None},
        {"document_id": policy["id"], "kind": "practice", "client_id": None,
         "contact_id": None}]
    assert stored(blobs, service.get_document_for_download(EDITOR, doc["id"])["blob_key"])


def test_an_upload_cannot_be_unshared(service, blobs, client_id):
    enable(service)
    upload = service.register_upload(me(client_id), client_id, put(blobs))
    with pytest.raises(Conflict) as exc:
        service.unshare_document(EDITOR, upload["id"])
    assert exc.value.code == "not_shared"


def test_staff_delete_any_document_the_blob_goes_after_the_commit(service, db, blobs,
                                                                   client_id):
    ref = put(blobs)
    doc = service.share_document(EDITOR, dict(ref, client_id=client_id, contact_id="dad"))
    with pytest.raises(Forbidden):   # view_clients alone is not enough
        service.delete_document(dict(STAFF, permissions=["view_clients"]), doc["id"])
    assert service.delete_document(EDITOR, doc["id"]) == {"document_id": doc["id"],
                                                          "deleted": True}
    assert not stored(blobs, ref["blob_key"])
    [event] = events(db, "document.deleted")
    assert event["data"] == {"document_id": doc["id"], "kind": "shared",
                             "client_id": client_id, "contact_id": "dad",
                             "deleted_by_kind": "staff"}
    with pytest.raises(NotFound):
        service.delete_document(EDITOR, doc["id"])
    other = dict(EDITOR, practice_id="another-practice")
    doc2 = service.share_document(EDITOR, dict(put(blobs), client_id=client_id))
    with pytest.raises(NotFound):
        service.delete_document(other, doc2["id"])


def test_an_uploader_deletes_their_own_upload_until_staff_open_it(service, db, blobs,
                                                                 client_id):
    enable(service)
    mum = me(client_id, "contact", "mum", ["manage_documentation"])
    dad = me(client_id, "contact", "dad", ["manage_documentation"])
    mine = service.register_upload(mum, client_id, put(blobs))
    with pytest.raises(NotFound):            # the other parent cannot even see it
        service.delete_document(dad, mine["id"])
    assert service.delete_document(mum, mine["id"])["deleted"] is True
    assert events(db, "document.deleted")[0]["data"]["deleted_by_kind"] == "contact"

    opened = service.register_upload(me(client_id), client_id, put(blobs))
    service.get_document_for_download(EDITOR, opened["id"])       # staff open it
    listed = service.list_documents(EDITOR, {"client_id": client_id})
    assert listed[0]["reviewed_at"] is not None
    with pytest.raises(Conflict) as exc:
        service.delete_document(me(client_id), opened["id"])
    assert exc.value.code == "document_reviewed"
    portal = service.create_document_type(EDITOR, {"name": "Forms", "show_in_portal": True})
    shared = service.share_document(EDITOR, dict(put(blobs), client_id=client_id,
                                                 type_id=portal["id"]))
    with pytest.raises(Forbidden) as not_theirs:
        service.delete_document(me(client_id), shared["id"])
    assert not_theirs.value.code == "not_permitted"


def test_a_card_photo_in_use_is_not_deleted(service, blobs, client_id):
    enable(service)
    card = service.register_upload(me(client_id), client_id, put(blobs))
    service.save_tab(EDITOR, client_id, "insurance", {"version": 1, "primary": {
        "payer": "Aetna", "member_id": "W1", "subscriber": {"relationship": "self"},
        "card_front_document_id": card["id"]}})
    with pytest.raises(Conflict) as exc:
        service.delete_document(EDITOR, card["id"])
    assert exc.value.code == "document_in_use"
    assert list(exc.value.fields) == ["primary.card_front_document_id"]


def test_a_store_failure_after_the_commit_leaves_the_blob_to_the_sweep(service, db, blobs,
                                                                      client_id):
    doc = service.share_document(EDITOR, dict(put(blobs), client_id=client_id))
    service.blobs = MagicMock(wraps=blobs)
    service.blobs.delete.side_effect = OSError("store down")
    assert service.delete_document(EDITOR, doc["id"])["deleted"] is True
    assert len(events(db, "document.deleted")) == 1


def test_saving_settings_emits_settings_updated_with_the_whole_settings(service, db):
    saved = service.update_settings(ADMIN, {"client_uploads_enabled": True})
    [event] = events(db, "settings.updated")
    assert event["data"] == saved and saved["version"] == 2
    assert event["practice_id"] == PRACTICE


def test_may_delete_rule():
    upload = SimpleNamespace(kind="upload", uploaded_by_kind="client", uploaded_by_id="a",
                             reviewed_at=None)
    client = Actor.from_wire({"practice_id": "p", "kind": "client", "id": "a",
                              "clients": {"c": ["*"]}})
    documents.may_delete(client, upload)
    with pytest.raises(Forbidden):
        documents.may_delete(client, SimpleNamespace(**dict(upload.__dict__, uploaded_by_id="b")))
    assert documents.card_fields_naming("d", {"secondary": {"card_back_document_id": "d"}}) == [
        "secondary.card_back_document_id"]


def test_documents_need_upload_client_documents_not_chart_editing(service, blobs, client_id):
    """A clinician shares a worksheet without the right to change the chart; a scheduler
    stripped of the permission cannot share, take back or delete one."""
    clinician = dict(STAFF, permissions=["view_clients", "upload_client_documents"])
    chart_editor = dict(STAFF, permissions=["view_clients", "edit_clients"])
    doc = service.share_document(clinician, dict(put(blobs), client_id=client_id))
    with pytest.raises(Forbidden):
        service.share_document(chart_editor, dict(put(blobs), client_id=client_id))
    with pytest.raises(Forbidden):
        service.unshare_document(chart_editor, doc["id"])
    with pytest.raises(Forbidden):
        service.delete_document(chart_editor, doc["id"])
    assert service.unshare_document(clinician, doc["id"])["unshared_at"] is not None
    assert service.delete_document(clinician, doc["id"])["deleted"] is True
