"""Document types taken out of use through the gateway (issue 18): a delete that charts
refuses while documents are filed under the type, and the archive flag both ways."""
from services.common.errors import Conflict
from tests.unit.gateway.fakes import token

STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients", "edit_clients"])}
VIEWER = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
TYPE = {"id": "t-1", "name": "Letters", "show_in_portal": False, "archived": True,
        "archived_at": "2026-12-04T23:00:00+00:00"}


def test_a_type_is_deleted_or_charts_says_to_archive_it(client, rpc):
    seen = []
    rpc.answers["charts.delete_document_type"] = lambda actor, type_id: seen.append(
        type_id) or {"type_id": type_id, "deleted": True}
    r = client.delete("/api/v1/document-types/t-1", headers=STAFF)
    assert r.status_code == 200 and r.json == {"type_id": "t-1", "deleted": True}
    assert seen == ["t-1"]
    rpc.answers["charts.delete_document_type"] = Conflict(
        "document_type_in_use", "2 documents are filed under this type, so it cannot be "
        "deleted. Archive it instead: it will no longer be offered, and those documents "
        "keep it.", {"documents": ["2"]})
    r = client.delete("/api/v1/document-types/t-1", headers=STAFF)
    assert r.status_code == 409 and r.json["error"] == "document_type_in_use"
    assert "Archive it instead" in r.json["message"]
    assert client.delete("/api/v1/document-types/t-1", headers=VIEWER).status_code == 403


def test_the_archive_flag_reaches_charts_and_comes_back(client, rpc):
    seen = {}
    rpc.answers["charts.update_document_type"] = lambda actor, type_id, body: seen.update(
        body) or TYPE
    r = client.patch("/api/v1/document-types/t-1", headers=STAFF, json={"archived": True})
    assert r.status_code == 200 and seen == {"archived": True}
    assert r.json["archived"] is True and r.json["archived_at"] == TYPE["archived_at"]
    rpc.answers["charts.list_document_types"] = lambda actor: [TYPE]
    assert client.get("/api/v1/document-types", headers=STAFF).json[0]["archived"] is True


def test_a_clients_documents_say_which_the_portal_does_not_show(client, rpc):
    rpc.answers["charts.list_documents"] = lambda actor, payload: [
        {"id": "d-1", "kind": "shared", "title": "Notes", "shown_in_portal": False}]
    r = client.get("/api/v1/clients/c-1/documents", headers=STAFF)
    assert r.status_code == 200 and r.json[0]["shown_in_portal"] is False
