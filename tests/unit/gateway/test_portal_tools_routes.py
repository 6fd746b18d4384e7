"""The smaller portal-access and document tools through the pipeline with a fake RPC: the
safe word, cancelling an invitation, a client's two-factor reset, the chart's date of
birth on a staff-set login, a contact's `manage_documentation` on the document routes,
and staff taking back or deleting documents. Bad input is a clear 4xx, never a 500."""
import json

import pytest

from gateway.openapi import OpenApi
from gateway.router import Router
from gateway.api import TABLES
from services.common.errors import Conflict, Forbidden, NotFound
from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, record, token

PERMS = ["view_clients", "edit_clients", "upload_client_documents", "manage_portal_access"]
STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=PERMS)}
CLINICIAN = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
CONTACT = {"Authorization": "Bearer " + token(kind="contact", clients={
    CLIENT_ID: ["view_appointments"], OTHER_CLIENT: ["manage_documentation"]})}
DOC_ID = "d" * 32
DOC = {"id": DOC_ID, "kind": "shared", "title": "Letter", "filename": "letter.pdf",
       "content_type": "application/pdf", "size": 10, "client_id": CLIENT_ID,
       "contact_id": None, "type_id": None, "status": "available", "uploaded_by_kind": "staff",
       "uploaded_by_id": "s1", "created_at": "2026-01-01T00:00:00+00:00",
       "unshared_at": None, "reviewed_at": None, "blob_key": "charts/never-leaves"}
STATUS = {"client_id": CLIENT_ID, "status": "cancelled", "invited_at": None,
          "expires_at": None, "resend_at": None, "signed_up_at": None, "login": None,
          "last_sign_in_at": None, "account_id": None, "account_status": None}


def rpc_args(rpc, name):
    return [args for s, m, args in rpc.calls if f"{s}.{m}" == name]


# -- 1. a contact needs manage_documentation ---------------------------------------------------
def test_a_contact_without_manage_documentation_gets_403_and_charts_is_not_asked(client, rpc):
    r = client.get(f"/api/v1/me/documents?client_id={CLIENT_ID}", headers=CONTACT)
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    r = client.post(f"/api/v1/me/uploads?client_id={CLIENT_ID}", headers=CONTACT,
                    data={"file": (b"%PDF-1.4\n", "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    assert not rpc_args(rpc, "charts.list_documents")
    assert not rpc_args(rpc, "charts.register_upload")


def test_a_contact_with_manage_documentation_and_a_client_list_documents(client, rpc):
    rpc.answers["charts.list_documents"] = lambda a, p: [dict(DOC, client_id=p["client_id"])]
    r = client.get(f"/api/v1/me/documents?client_id={OTHER_CLIENT}", headers=CONTACT)
    assert r.status_code == 200 and r.json[0]["client_id"] == OTHER_CLIENT
    assert "blob_key" not in r.json[0]
    r = client.get("/api/v1/me/documents", headers=CLIENT)   # one's own: "*"
    assert r.status_code == 200 and r.json[0]["client_id"] == CLIENT_ID
    r = client.get("/api/v1/me/documents?client_id=someone-else", headers=CONTACT)
    assert r.status_code == 404


# -- 3. stop sharing and delete -------------------------------------------------------------------
def test_staff_stop_sharing(client, rpc):
    rpc.answers["charts.unshare_document"] = lambda a, d: dict(
        DOC, id=d, unshared_at="2026-01-02T00:00:00+00:00")
    r = client.post(f"/api/v1/documents/{DOC_ID}/unshare", headers=STAFF)
    assert r.status_code == 200 and r.json["unshared_at"] and "blob_key" not in r.json
    assert rpc_args(rpc, "charts.unshare_document")[-1][1] == DOC_ID


@pytest.mark.parametrize("error, status, code", [
    (Conflict("not_shared", "An upload is not shared by the practice: delete it instead."),
     409, "not_shared"),
    (NotFound("not_found", "That document does not exist."), 404, "not_found"),
])
def test_stop_sharing_refusals(client, rpc, error, status, code):
    rpc.answers["charts.unshare_document"] = error
    r = client.post(f"/api/v1/documents/{DOC_ID}/unshare", headers=STAFF)
    assert r.status_code == status and r.json["error"] == code


def test_stop_sharing_is_staff_with_upload_client_documents_only(client, rpc):
    r = client.post(f"/api/v1/documents/{DOC_ID}/unshare", headers=CLINICIAN)
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    assert client.post(f"/api/v1/documents/{DOC_ID}/unshare", headers=CLIENT).status_code == 403
    assert client.post(f"/api/v1/documents/{DOC_ID}/unshare").status_code == 401
    assert not rpc_args(rpc, "charts.unshare_document")


@pytest.mark.parametrize("headers", [STAFF, CLIENT, CONTACT])
def test_delete_asks_charts_as_the_caller(client, rpc, headers):
    rpc.answers["charts.delete_document"] = lambda a, d: {"document_id": d, "deleted": True}
    r = client.delete(f"/api/v1/documents/{DOC_ID}", headers=headers)
    assert r.status_code == 200 and r.json == {"document_id": DOC_ID, "deleted": True}
    actor = rpc_args(rpc, "charts.delete_document")[-1][0]
    assert actor["kind"] == ("staff" if headers is STAFF else
                             "client" if headers is CLIENT else "contact")


@pytest.mark.parametrize("error, status, code", [
    (Conflict("document_reviewed", "The practice has already opened this file."), 409,
     "document_reviewed"),
    (Forbidden("not_permitted", "Only the practice can remove this document."), 403,
     "not_permitted"),
    (NotFound("not_found", "That document does not exist."), 404, "not_found"),
    (Conflict("document_in_use", "This file is a photo of an insurance card.",
              {"primary.card_front_document_id": ["Uses this document."]}), 409,
     "document_in_use"),
])
def test_delete_refusals_keep_their_code_and_fields(client, rpc, error, status, code):
    rpc.answers["charts.delete_document"] = error
    r = client.delete(f"/api/v1/documents/{DOC_ID}", headers=CLIENT)
    assert r.status_code == status and r.json["error"] == code
    if code == "document_in_use":
        assert "primary.card_front_document_id" in r.json["fields"]


def test_delete_needs_a_session(client, rpc):
    assert client.delete(f"/api/v1/documents/{DOC_ID}").status_code == 401
    assert not rpc_args(rpc, "charts.delete_document")


# -- 2. the safe word -------------------------------------------------------------------------------
def test_safe_word_show_set_and_clear(client, rpc):
    rpc.answers["identity.get_safe_word"] = lambda a, cid: {
        "client_id": cid, "safe_word": "blue heron", "updated_at": "2026-01-01T00:00:00+00:00"}
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF)
    assert r.status_code == 200 and r.json["safe_word"] == "blue heron"
    saved = lambda a, p: {"client_id": p["client_id"], "safe_word_set": p["safe_word"] is not None,
                          "updated_at": "2026-01-01T00:00:00+00:00"}
    rpc.answers["identity.set_safe_word"] = saved
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF,
                   json={"safe_word": "blue heron"})
    assert r.status_code == 200 and r.json["safe_word_set"] is True
    payload = rpc_args(rpc, "identity.set_safe_word")[-1][1]
    assert payload["client_id"] == CLIENT_ID and payload["safe_word"] == "blue heron"
    assert "source_ip" in payload
    r = client.delete(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF)
    assert r.status_code == 200 and r.json["safe_word_set"] is False
    assert rpc_args(rpc, "identity.set_safe_word")[-1][1]["safe_word"] is None


@pytest.mark.parametrize("body, field", [
    ({}, "safe_word"), ({"safe_word": ""}, "safe_word"), ({"safe_word": "   "}, "safe_word"),
    ({"safe_word": "x" * 61}, "safe_word"), ({"safe_word": 12}, "safe_word"),
    ({"safe_word": None}, "safe_word"), ({"safe_word": "ok", "extra": 1}, "extra"),
])
def test_a_bad_safe_word_is_422_without_asking_identity(client, rpc, body, field):
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF, json=body)
    assert r.status_code == 422 and field in r.json["fields"]
    assert not rpc_args(rpc, "identity.set_safe_word")


def test_safe_word_refusals(client, rpc):
    rpc.answers["identity.get_safe_word"] = NotFound("no_portal_access", "No portal access.")
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF)
    assert r.status_code == 404 and r.json["error"] == "no_portal_access"
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/safe-word", headers=STAFF, data="nope",
                   content_type="application/json")
    assert 400 <= r.status_code < 500
    for method, body in (("GET", None), ("PUT", {"safe_word": "w"}), ("DELETE", None)):
        r = client.open(f"/api/v1/clients/{CLIENT_ID}/safe-word", method=method, json=body,
                        headers=CLINICIAN)
        assert r.status_code == 403 and r.json["error"] == "not_permitted", method
        r = client.open(f"/api/v1/clients/{CLIENT_ID}/safe-word", method=method, json=body,
                        headers=CLIENT)
        assert r.status_code == 403, method
    assert not rpc_args(rpc, "identity.set_safe_word")


# -- 2. cancel an invitation, reset a client's two-factor -------------------------------------------
def test_cancel_a_pending_invitation(client, rpc):
    rpc.answers["identity.cancel_invitation"] = lambda a, p: dict(STATUS, client_id=p["client_id"])
    r = client.delete(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=STAFF)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert rpc_args(rpc, "identity.cancel_invitation")[-1][1] == {"client_id": CLIENT_ID}
    rpc.answers["identity.cancel_invitation"] = NotFound("no_pending_invitation", "None.")
    r = client.delete(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=STAFF)
    assert r.status_code == 404 and r.json["error"] == "no_pending_invitation"
    r = client.delete(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=CLINICIAN)
    assert r.status_code == 403 and rpc.count("identity.cancel_invitation") == 2


def test_reset_a_clients_two_factor(client, rpc):
    rpc.answers["identity.reset_mfa"] = lambda a, p: {"reset": True}
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/two-factor/reset", headers=STAFF)
    assert r.status_code == 200 and r.json == {"reset": True}
    assert rpc_args(rpc, "identity.reset_mfa")[-1][1] == {"client_id": CLIENT_ID}
    rpc.answers["identity.reset_mfa"] = NotFound("no_login", "No login.")
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/two-factor/reset", headers=STAFF)
    assert r.status_code == 404 and r.json["error"] == "no_login"
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/two-factor/reset", headers=CLINICIAN)
    assert r.status_code == 403 and rpc.count("identity.reset_mfa") == 2


def test_the_access_list_filters_cancelled(client, rpc):
    rpc.answers["identity.list_portal_access"] = lambda a, p: {"items": [dict(STATUS)],
                                                               "total": 1}
    rpc.answers["charts.list_clients"] = lambda a, p: [record()]
    r = client.get("/api/v1/portal-access?status=cancelled", headers=STAFF)
    assert r.status_code == 200 and r.json["items"][0]["status"] == "cancelled"
    assert rpc_args(rpc, "identity.list_portal_access")[-1][1]["status"] == "cancelled"
    assert client.get("/api/v1/portal-access?status=gone", headers=STAFF).status_code == 422


# -- 2. a staff-set login carries the chart's date of birth ------------------------------------------
LOGIN = {"login": "ada@example.org", "temporary_password": "a long temporary one"}


def test_setting_up_a_login_passes_the_charts_date_of_birth(client, rpc):
    order = []
    rpc.answers["charts.get_client"] = lambda a, cid: order.append("chart") or record(cid)
    rpc.answers["identity.create_client_access"] = lambda a, p: order.append("login") or {
        "client_id": p["client_id"], "login": p["login"], "status": "active"}
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/portal-access", headers=STAFF,
                   json=dict(LOGIN, client_name="Ada L.", safe_word="blue heron"))
    assert r.status_code == 201, r.json
    payload = rpc_args(rpc, "identity.create_client_access")[-1][1]
    assert payload["date_of_birth"] == "1990-01-02" and payload["client_name"] == "Ada L."
    assert payload["safe_word"] == "blue heron"
    assert order == ["chart", "login"]       # read before the write


def test_a_chart_without_a_date_of_birth_sends_none(client, rpc):
    rpc.answers["charts.get_client"] = lambda a, cid: dict(record(cid), date_of_birth=None)
    rpc.answers["identity.create_client_access"] = lambda a, p: {"client_id": p["client_id"]}
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/portal-access", headers=STAFF, json=LOGIN)
    assert r.status_code == 201
    payload = rpc_args(rpc, "identity.create_client_access")[-1][1]
    assert "date_of_birth" not in payload and payload["client_name"] == "Ada Lovelace"


@pytest.mark.parametrize("body, field", [
    (dict(LOGIN, safe_word="x" * 61), "safe_word"), (dict(LOGIN, safe_word=""), "safe_word"),
    (dict(LOGIN, date_of_birth="1990-01-02"), "date_of_birth"),   # the chart's, not the caller's
])
def test_bad_login_setup_is_422_without_writing(client, rpc, body, field):
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/portal-access", headers=STAFF, json=body)
    assert r.status_code == 422 and field in r.json["fields"]
    assert not rpc_args(rpc, "identity.create_client_access")


def test_an_unknown_client_is_404_before_any_login_is_written(client, rpc):
    rpc.answers["charts.get_client"] = NotFound("not_found", "That record does not exist.")
    r = client.put(f"/api/v1/clients/{CLIENT_ID}/portal-access", headers=STAFF, json=LOGIN)
    assert r.status_code == 404
    assert not rpc_args(rpc, "identity.create_client_access")


# -- the OpenAPI description ----------------------------------------------------------------------
def test_every_new_route_is_described():
    spec = OpenApi(Router(TABLES).routes).spec
    paths = spec["paths"]
    for method, path in [("get", "/api/v1/clients/{client_id}/safe-word"),
                         ("put", "/api/v1/clients/{client_id}/safe-word"),
                         ("delete", "/api/v1/clients/{client_id}/safe-word"),
                         ("delete", "/api/v1/clients/{client_id}/invitation"),
                         ("post", "/api/v1/clients/{client_id}/two-factor/reset"),
                         ("post", "/api/v1/documents/{document_id}/unshare"),
                         ("delete", "/api/v1/documents/{document_id}")]:
        assert method in paths[path], (method, path)
    put = paths["/api/v1/clients/{client_id}/safe-word"]["put"]
    assert "requestBody" in put
    query = paths["/api/v1/portal-access"]["get"]["parameters"]
    status = [p for p in query if p["name"] == "status"][0]
    assert "cancelled" in json.dumps(status)
