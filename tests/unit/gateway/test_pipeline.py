"""The HTTP pipeline with a fake RPC: bad input is a clear 4xx, never a 500."""
import pytest

from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, token, record

CLIENT = {"Authorization": "Bearer " + token()}
STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["edit_clients",
                                                                   "manage_portal_access"])}


def test_security_headers_on_every_response(client):
    for path in ("/healthz", "/api/v1/nowhere", "/static/../../etc/passwd", "/p/demo"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Correlation-Id"]
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"


def test_unknown_path_and_wrong_method_are_json(client):
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json["error"] == "not_found"
    r = client.delete("/api/v1/alerts")
    assert r.status_code == 405 and r.json["error"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


def test_malformed_json_is_400(client):
    r = client.post("/api/v1/session", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "invalid_json"


@pytest.mark.parametrize("body", ["[1,2]", '"text"', "null", "42"])
def test_json_that_is_not_an_object_is_422(client, body):
    r = client.post("/api/v1/session", data=body, content_type="application/json")
    assert r.status_code == 422


def test_wrong_content_type_is_415(client):
    r = client.post("/api/v1/session", data="login=a&password=b",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.json["error"] == "unsupported_media_type"


def test_unknown_fields_are_422_naming_the_field(client):
    r = client.post("/api/v1/session", json={"login": "a", "password": "b",
                                             "audience": "portal", "is_admin": True})
    assert r.status_code == 422 and "is_admin" in r.json["fields"]


def test_wrong_types_are_422_with_fields(client):
    r = client.post("/api/v1/session", json={"login": 5, "password": ["x"], "audience": "x"})
    assert r.status_code == 422
    assert {"login", "password", "audience"} <= set(r.json["fields"])
    r = client.patch("/api/v1/me/details", json={"version": "1", "date_of_birth": "yesterday"},
                     headers=CLIENT)
    assert r.status_code == 422 and {"version", "date_of_birth"} <= set(r.json["fields"])


def test_oversized_body_is_413(client):
    r = client.post("/api/v1/session", data="{" + " " * 5000 + "}",
                    content_type="application/json")
    assert r.status_code == 413 and r.json["error"] == "payload_too_large"


def test_bad_query_is_422(client):
    r = client.get("/api/v1/clients?query=a&limit=5", headers=STAFF)
    assert r.status_code == 422 and "limit" in r.json["fields"]


def test_forged_token_is_401(client):
    r = client.get("/api/v1/me/details",
                   headers={"Authorization": "Bearer " + token(secret="forged" * 8)})
    assert r.status_code == 401


def test_me_details_from_read_model_without_rpc_after_first(client, rpc):
    r = client.get("/api/v1/me/details", headers=CLIENT)
    assert r.status_code == 200 and r.json["id"] == CLIENT_ID
    client.get("/api/v1/me/details", headers=CLIENT)
    assert rpc.count("charts.get_client") == 1


def test_a_client_asking_for_another_clients_record_gets_404(client, rpc):
    r = client.get(f"/api/v1/clients/{OTHER_CLIENT}", headers=CLIENT)
    assert r.status_code == 404
    r = client.get(f"/api/v1/me/details?client_id={OTHER_CLIENT}", headers=CLIENT)
    assert r.status_code == 404
    r = client.patch(f"/api/v1/clients/{OTHER_CLIENT}", json={"city": "X", "version": 1},
                     headers=CLIENT)
    assert r.status_code == 404
    assert rpc.count("charts.get_client") == 0


def test_staff_routes_refuse_clients_and_client_routes_refuse_staff(client):
    r = client.get("/api/v1/clients", headers=CLIENT)
    assert r.status_code == 403 and r.json["error"] == "staff_only"
    r = client.get("/api/v1/me/details", headers=STAFF)
    assert r.status_code == 403


def test_patch_me_updates_read_model_from_reply(client, rpc):
    rpc.answers["charts.update_demographics"] = lambda a, cid, p: record(cid, 2, first_name=p["first_name"])
    r = client.patch("/api/v1/me/details", json={"first_name": "Augusta", "version": 1},
                     headers=CLIENT)
    assert r.status_code == 200 and r.json["first_name"] == "Augusta"
    assert client.get("/api/v1/me/details", headers=CLIENT).json["first_name"] == "Augusta"
    assert rpc.count("charts.get_client") == 0


def test_sign_in_sets_cookies(client, rpc):
    rpc.answers["identity.authenticate"] = lambda p: {
        "access_token": "a", "refresh_token": "r", "expires_in": 300,
        "must_change_password": False, "principal": {"kind": "client", "id": "x"}}
    r = client.post("/api/v1/session", json={"login": "a", "password": "b",
                                             "audience": "portal", "practice_code": "demo"})
    assert r.status_code == 200 and r.json["principal"]["id"] == "x"
    # A browser's tokens live only in HttpOnly cookies, never in a body scripts can read.
    assert "access_token" not in r.json and "refresh_token" not in r.json
    cookies = {c.split("=", 1)[0]: c for c in r.headers.getlist("Set-Cookie")}
    for name in ("haven_access", "haven_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=Strict" in cookies[name]
        assert "Secure" in cookies[name] and "Path=/" in cookies[name]
    assert "HttpOnly" not in cookies["haven_csrf"]


def test_cookie_refresh_needs_csrf(client, rpc):
    rpc.answers["identity.refresh"] = lambda p: {"access_token": "a2", "refresh_token": "r2",
                                                 "expires_in": 300}
    client.set_cookie("haven_refresh", "r1")
    client.set_cookie("haven_csrf", "c1")
    assert client.post("/api/v1/session/refresh").status_code == 403
    r = client.post("/api/v1/session/refresh", headers={"X-CSRF-Token": "c1"})
    assert r.status_code == 200 and "access_token" not in r.json
    assert any(c.startswith("haven_access=a2") for c in r.headers.getlist("Set-Cookie"))


def test_sign_out_revokes_locally_at_once(client, rpc):
    rpc.answers["identity.sign_out"] = lambda a, p: None
    t = {"Authorization": "Bearer " + token(sid="sid-x")}
    assert client.delete("/api/v1/session", headers=t).status_code == 200
    r = client.get("/api/v1/me/details", headers=t)
    assert r.status_code == 401 and r.json["error"] == "session_ended"


def test_revocation_event_and_startup_load(app, client, rpc):
    app.on_session_revoked({"data": {"session_ids": ["sid-y"], "account_id": "a",
                                     "revoked_at": "2026-01-01T00:00:00+00:00"}})
    r = client.get("/api/v1/me/details", headers={"Authorization": "Bearer " + token(sid="sid-y")})
    assert r.json["error"] == "session_ended"
    rpc.answers["identity.list_revocations"] = lambda p: {
        "sessions": [{"session_id": "sid-z", "account_id": "a",
                      "revoked_at": "2026-01-01T00:00:00+00:00"}], "now": "x"}
    assert app.load_revocations() == 1 and app.revocations.loaded
    r = client.get("/api/v1/session", headers={"Authorization": "Bearer " + token(sid="sid-z")})
    assert r.status_code == 401


def test_web_shells_and_static_files(client):
    # Until the web client's files exist these are 404 JSON; never a traversal.
    for path in ("/static/../service.py", "/static/%2e%2e/service.py", "/static/.hidden",
                 "/static/..%2fservice.py"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"GatewayService" not in r.data
