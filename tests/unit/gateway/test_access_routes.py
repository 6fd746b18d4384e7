"""Issue 4's routes through the pipeline with a fake RPC: what is passed to identity,
what comes back, and that bad input is a clear 4xx (never a 500)."""
import json

import pytest

from gateway.router import PUBLIC, Router
from gateway.api import TABLES
from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests)
from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, PRACTICE, PRACTICE_ID, record, token

ADMIN_PERMS = ["view_clients", "edit_clients", "manage_portal_access",
               "manage_practice_settings", "view_audit_log"]
STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=ADMIN_PERMS)}
CLINICIAN = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
TOKEN = "t" * 43
TOKENS = {"access_token": "acc", "refresh_token": "ref", "expires_in": 300,
          "must_change_password": False, "principal": {"kind": "client", "id": "a1"}}
STATUS = {"client_id": CLIENT_ID, "status": "sent", "invited_at": "2026-01-01T10:00:00+00:00",
          "expires_at": "2026-01-08T10:00:00+00:00", "resend_at": "2026-01-01T10:05:00+00:00",
          "signed_up_at": None, "login": None, "last_sign_in_at": None, "account_id": None,
          "account_status": None}


def cookies_of(response):
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


# -- token delivery (the security fix) ---------------------------------------------------
def test_sign_in_for_api_clients_puts_tokens_in_the_body_and_sets_no_cookie(client, rpc):
    seen = {}
    rpc.answers["identity.authenticate"] = lambda p: seen.update(p) or dict(TOKENS)
    r = client.post("/api/v1/session", json={"login": "a", "password": "b", "audience": "staff",
                                             "token_delivery": "body"})
    assert r.status_code == 200 and r.json["access_token"] == "acc"
    assert r.json["refresh_token"] == "ref" and not r.headers.getlist("Set-Cookie")
    assert "token_delivery" not in seen  # identity's payload is its own contract


def test_unknown_token_delivery_is_422(client):
    r = client.post("/api/v1/session", json={"login": "a", "password": "b", "audience": "staff",
                                             "token_delivery": "url"})
    assert r.status_code == 422 and "token_delivery" in r.json["fields"]


def test_refresh_by_body_answers_in_the_body(client, rpc):
    rpc.answers["identity.refresh"] = lambda p: dict(TOKENS, access_token="a2")
    r = client.post("/api/v1/session/refresh", json={"refresh_token": "r1"})
    assert r.status_code == 200 and r.json["access_token"] == "a2"
    assert not r.headers.getlist("Set-Cookie")


def test_password_change_answers_the_way_the_caller_signed_in(client, rpc):
    rpc.answers["identity.change_password"] = lambda a, p: dict(TOKENS)
    body = {"current_password": "old one", "new_password": "a new long passphrase"}
    r = client.post("/api/v1/session/password", json=body, headers=CLIENT)
    assert r.status_code == 200 and r.json["access_token"] == "acc"
    client.set_cookie("haven_access", token())
    client.set_cookie("haven_csrf", "c1")
    r = client.post("/api/v1/session/password", json=body, headers={"X-CSRF-Token": "c1"})
    assert r.status_code == 200 and "access_token" not in r.json
    assert "haven_access" in cookies_of(r)


# -- invitations (public) -------------------------------------------------------------------
def test_invitation_lookup_passes_the_token_from_the_body(client, rpc):
    rpc.answers["identity.get_invitation"] = lambda p: {
        "practice": {"code": "demo", "name": "Demo", "title": None}, "login": "j@example.org",
        "expires_at": "2026-01-08T00:00:00+00:00", "attempts_left": 5,
        "min_password_length": 15, "secret": "never leaves"}
    r = client.post("/api/v1/invitations/lookup", json={"token": TOKEN})
    assert r.status_code == 200 and r.json["attempts_left"] == 5
    assert "secret" not in r.json
    assert rpc.calls[-1][2] == ({"token": TOKEN},)


def test_accepting_an_invitation_signs_in_with_cookies_only(client, rpc):
    seen = {}
    rpc.answers["identity.accept_invitation"] = lambda p: seen.update(p) or dict(TOKENS)
    r = client.post("/api/v1/invitations/accept", json={
        "token": TOKEN, "date_of_birth": "1980-05-06", "password": "a long quiet passphrase"})
    assert r.status_code == 201 and "access_token" not in r.json
    assert {"haven_access", "haven_refresh", "haven_csrf"} <= set(cookies_of(r))
    assert seen["date_of_birth"] == "1980-05-06" and "source_ip" in seen
    assert "token_delivery" not in seen


@pytest.mark.parametrize("error, status, code", [
    (InvalidInput("date_of_birth_mismatch", "That date of birth does not match.",
                  {"date_of_birth": ["does not match"], "attempts_left": 3}), 422,
     "date_of_birth_mismatch"),
    (Conflict("invitation_locked", "Locked. Call the practice."), 409, "invitation_locked"),
    (Conflict("invitation_expired", "Expired."), 409, "invitation_expired"),
    (NotFound("invitation_not_found", "No such invitation."), 404, "invitation_not_found"),
    (Forbidden("portal_disabled", "The portal is closed."), 403, "portal_disabled"),
])
def test_invitation_refusals_keep_their_code_and_fields(client, rpc, error, status, code):
    rpc.answers["identity.accept_invitation"] = error
    r = client.post("/api/v1/invitations/accept", json={
        "token": TOKEN, "date_of_birth": "1980-05-06", "password": "a long quiet passphrase"})
    assert r.status_code == status and r.json["error"] == code
    if code == "date_of_birth_mismatch":
        assert r.json["fields"]["attempts_left"] == 3


@pytest.mark.parametrize("body, field", [
    ({"date_of_birth": "1980-05-06", "password": "x"}, "token"),
    ({"token": "short", "date_of_birth": "1980-05-06", "password": "x"}, "token"),
    ({"token": TOKEN, "date_of_birth": "06/05/1980", "password": "x"}, "date_of_birth"),
    ({"token": TOKEN, "date_of_birth": "1980-05-06"}, "password"),
    ({"token": TOKEN, "date_of_birth": "1980-05-06", "password": "x", "login": "me"}, "login"),
])
def test_bad_acceptance_is_422_without_asking_identity(client, rpc, body, field):
    r = client.post("/api/v1/invitations/accept", json=body)
    assert r.status_code == 422 and field in r.json["fields"]
    assert not rpc.calls


# -- password reset -----------------------------------------------------------------------
def test_forgot_password_always_the_same_answer(client, rpc):
    seen = []
    rpc.answers["identity.request_password_reset"] = lambda p: seen.append(p) or {
        "accepted": True, "message": "If that email has an account, a link is on its way."}
    for email in ("known@example.org", "nobody@example.org"):
        r = client.post("/api/v1/password-resets", json={"practice_code": "demo",
                                                         "email": email})
        assert r.status_code == 202 and r.json["accepted"] is True
    assert seen[0]["audience"] == "portal" and "source_ip" in seen[0]


def test_reset_lookup_and_complete(client, rpc):
    rpc.answers["identity.get_password_reset"] = lambda p: {
        "kind": "client", "expires_at": "x", "min_password_length": 15,
        "practice": {"code": "demo", "name": "Demo", "title": None, "password_help": "Call"}}
    rpc.answers["identity.complete_password_reset"] = lambda p: {
        "kind": "client", "practice_code": "demo", "login": "j@example.org"}
    r = client.post("/api/v1/password-resets/lookup", json={"token": TOKEN})
    assert r.status_code == 200 and r.json["practice"]["password_help"] == "Call"
    r = client.post("/api/v1/password-resets/complete", json={"token": TOKEN,
                                                              "new_password": "long enough"})
    assert r.status_code == 200 and r.json["login"] == "j@example.org"
    rpc.answers["identity.complete_password_reset"] = NotFound("reset_link_invalid", "Used.")
    r = client.post("/api/v1/password-resets/complete", json={"token": TOKEN,
                                                              "new_password": "long enough"})
    assert r.status_code == 404 and r.json["error"] == "reset_link_invalid"


def test_staff_send_a_reset_link(client, rpc):
    rpc.answers["identity.send_password_reset"] = lambda a, p: {
        "sent_to": "j@example.org", "expires_at": "x"}
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/password-reset", headers=STAFF)
    assert r.status_code == 201 and r.json["sent_to"] == "j@example.org"
    assert rpc.calls[-1][2][1] == {"client_id": CLIENT_ID}
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/password-reset", headers=CLINICIAN)
    assert r.status_code == 403 and r.json["error"] == "not_permitted"


# -- a client's access status and invitations (staff) -----------------------------------------
def test_status_of_a_client_of_another_practice_is_404_before_identity_is_asked(client, rpc):
    rpc.answers["charts.get_client"] = NotFound("not_found", "That record does not exist.")
    rpc.answers["identity.get_portal_access_status"] = lambda a, c: dict(STATUS)
    r = client.get(f"/api/v1/clients/{OTHER_CLIENT}/portal-status", headers=STAFF)
    assert r.status_code == 404
    assert rpc.count("identity.get_portal_access_status") == 0


def test_status_of_own_client(client, rpc):
    rpc.answers["identity.get_portal_access_status"] = lambda a, c: dict(STATUS)
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/portal-status", headers=STAFF)
    assert r.status_code == 200 and r.json["resend_at"] == STATUS["resend_at"]


def test_resend_too_soon_is_429_with_when(client, rpc):
    rpc.answers["identity.invite_client"] = TooManyRequests(
        "resend_too_soon", "You can send it again at 10:05 UTC.",
        {"retry_at": "2026-01-01T10:05:00+00:00", "retry_after": 240})
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=STAFF)
    assert r.status_code == 429 and r.json["error"] == "resend_too_soon"
    assert r.json["fields"]["retry_at"] == "2026-01-01T10:05:00+00:00"
    assert r.headers["Retry-After"] == "240"


def test_invitation_needs_details_and_permission(client, rpc):
    rpc.answers["identity.invite_client"] = InvalidInput(
        "client_details_missing", "Add the client's date of birth first.",
        {"date_of_birth": ["The chart has no date of birth."]})
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=STAFF)
    assert r.status_code == 422 and "date_of_birth" in r.json["fields"]
    assert client.post(f"/api/v1/clients/{CLIENT_ID}/invitation",
                       headers=CLINICIAN).status_code == 403
    assert client.post(f"/api/v1/clients/{CLIENT_ID}/invitation",
                       headers=CLIENT).status_code == 403
    r = client.post(f"/api/v1/clients/{CLIENT_ID}/invitation", headers=STAFF,
                    json={"client_id": "x"})  # this route takes no body
    assert r.status_code in (200, 201, 422)


# -- the practice-wide list ---------------------------------------------------------------------
def _list_answers(rpc, items):
    rpc.answers["identity.list_portal_access"] = lambda a, p: {
        "items": [i for i in items if not p.get("status") or i["status"] == p["status"]],
        "total": len([i for i in items if not p.get("status") or i["status"] == p["status"]])}
    rpc.answers["charts.list_clients"] = lambda a, p: [
        {"id": CLIENT_ID, "first_name": "Jane", "last_name": "Doe"},
        {"id": OTHER_CLIENT, "first_name": "Tom", "last_name": "Doe"}]


def test_access_list_names_each_client_and_filters(client, rpc):
    _list_answers(rpc, [dict(STATUS)])
    r = client.get("/api/v1/portal-access?status=sent", headers=CLINICIAN)
    assert r.status_code == 200 and r.json["total"] == 1
    assert r.json["items"][0]["first_name"] == "Jane"
    r = client.get("/api/v1/portal-access?status=never_invited", headers=CLINICIAN)
    assert [i["client_id"] for i in r.json["items"]] == [OTHER_CLIENT]
    assert r.json["items"][0]["status"] == "never_invited"
    r = client.get("/api/v1/portal-access?limit=1&offset=1", headers=CLINICIAN)
    assert r.json["total"] == 1 and r.json["items"] == []


@pytest.mark.parametrize("query", ["status=everyone", "limit=0", "limit=501", "offset=-1",
                                   "limit=ten", "sort=name"])
def test_access_list_bad_query_is_422(client, query):
    assert client.get(f"/api/v1/portal-access?{query}", headers=STAFF).status_code == 422


# -- linked clients -------------------------------------------------------------------------
ACCOUNT = {"account_id": "acc-1", "login": "j@example.org", "status": "active",
           "clients": [{"client_id": CLIENT_ID, "name": "Jane Doe", "own": True,
                        "linked_at": None}]}


def test_link_and_unlink(client, rpc, app):
    rpc.answers["identity.link_client"] = lambda a, p: dict(ACCOUNT)
    rpc.answers["identity.unlink_client"] = lambda a, p: dict(ACCOUNT)
    r = client.post("/api/v1/portal-accounts/acc-1/clients", json={"client_id": OTHER_CLIENT},
                    headers=STAFF)
    assert r.status_code == 201 and r.json["clients"][0]["own"] is True
    assert rpc.calls[-1][2][1] == {"account_id": "acc-1", "client_id": OTHER_CLIENT}
    r = client.delete(f"/api/v1/portal-accounts/acc-1/clients/{OTHER_CLIENT}", headers=STAFF)
    assert r.status_code == 200
    rpc.answers["identity.unlink_client"] = Conflict("own_client", "The account's own chart.")
    r = client.delete(f"/api/v1/portal-accounts/acc-1/clients/{CLIENT_ID}", headers=STAFF)
    assert r.status_code == 409 and r.json["error"] == "own_client"


@pytest.mark.parametrize("body", [{}, {"client_id": ""}, {"client_id": 5},
                                  {"client_id": "x" * 65}, {"client_id": "x", "own": True}])
def test_link_bad_body_is_422(client, rpc, body):
    r = client.post("/api/v1/portal-accounts/acc-1/clients", json=body, headers=STAFF)
    assert r.status_code == 422 and not rpc.calls


# -- linked clients in the portal --------------------------------------------------------------
def test_profile_switch_reads_the_chosen_client(client, rpc):
    both = {"Authorization": "Bearer " + token(clients={CLIENT_ID: ["*"], OTHER_CLIENT: ["*"]})}
    r = client.get("/api/v1/me/details", headers=both)
    assert r.status_code == 422 and r.json["error"] == "client_id_required"
    for cid in (CLIENT_ID, OTHER_CLIENT):
        r = client.get(f"/api/v1/me/details?client_id={cid}", headers=both)
        assert r.status_code == 200 and r.json["id"] == cid
    r = client.get("/api/v1/me/details?client_id=someone-else", headers=both)
    assert r.status_code == 404


def test_a_grant_without_manage_information_cannot_read_or_write_details(client, rpc):
    contact = {"Authorization": "Bearer " + token(kind="contact",
                                                  clients={CLIENT_ID: ["view_appointments"]})}
    r = client.get(f"/api/v1/me/details?client_id={CLIENT_ID}", headers=contact)
    assert r.status_code == 403
    r = client.get(f"/api/v1/clients/{CLIENT_ID}", headers=contact)
    assert r.status_code == 403
    r = client.patch(f"/api/v1/me/details?client_id={CLIENT_ID}", json={"city": "X", "version": 1},
                     headers=contact)
    assert r.status_code == 403
    assert rpc.count("charts.get_client") == 0


# -- practice settings and the branding read model -------------------------------------------
SETTINGS = dict(PRACTICE, accent_color=None, logo_ref=None, subdomain=None,
                idle_timeout_minutes=15, invitation_days=7)


def _principal(rpc, code="demo"):
    rpc.answers["identity.get_session"] = lambda a: {
        "kind": "staff", "id": a["id"], "practice": dict(SETTINGS, code=code), "clients": []}


def test_settings_read_and_write_and_the_portal_sees_them_at_once(client, rpc):
    _principal(rpc)
    rpc.answers["identity.get_practice"] = lambda code: dict(SETTINGS, code=code)
    r = client.get("/api/v1/practice/settings", headers=STAFF)
    assert r.status_code == 200 and r.json["invitation_days"] == 7
    assert client.get("/api/v1/practices/demo").json["name"] == "Demo Practice"
    asked = rpc.count("identity.get_practice")
    rpc.answers["identity.update_practice_settings"] = lambda a, p: dict(
        SETTINGS, code="newcode", name="Renamed", idle_timeout_minutes=30)
    r = client.patch("/api/v1/practice/settings", headers=STAFF,
                     json={"code": "newcode", "name": "Renamed", "idle_timeout_minutes": 30})
    assert r.status_code == 200 and r.json["code"] == "newcode"
    branding = client.get("/api/v1/practices/newcode").json
    assert branding["name"] == "Renamed" and branding["idle_timeout_minutes"] == 30
    assert "invitation_days" not in branding and "logo_ref" not in branding  # public subset
    assert rpc.count("identity.get_practice") == asked   # served from the write's reply
    rpc.answers["identity.get_practice"] = NotFound("not_found", "No such practice.")
    assert client.get("/api/v1/practices/demo").status_code == 404  # the old code is gone


@pytest.mark.parametrize("body, field", [
    ({"theme_color": "blue"}, "theme_color"), ({"idle_timeout_minutes": 2},
                                               "idle_timeout_minutes"),
    ({"idle_timeout_minutes": "30"}, "idle_timeout_minutes"), ({"invitation_days": 31},
                                                                "invitation_days"),
    ({"code": "Has Spaces"}, "code"), ({"name": ""}, "name"), ({"portal_enabled": "maybe"},
                                                               "portal_enabled"),
    ({"owner": "me"}, "owner")])
def test_bad_settings_are_422(client, rpc, body, field):
    r = client.patch("/api/v1/practice/settings", json=body, headers=STAFF)
    assert r.status_code == 422 and field in r.json["fields"]
    assert not rpc.calls


def test_settings_need_the_permission(client, rpc):
    assert client.get("/api/v1/practice/settings", headers=CLINICIAN).status_code == 403
    assert client.patch("/api/v1/practice/settings", json={"title": "x"},
                        headers=CLINICIAN).status_code == 403
    rpc.answers["identity.update_practice_settings"] = Conflict(
        "code_taken", "Another practice already uses that address.", {"code": ["taken"]})
    r = client.patch("/api/v1/practice/settings", json={"code": "taken"}, headers=STAFF)
    assert r.status_code == 409 and r.json["fields"]["code"] == ["taken"]


# -- audit ---------------------------------------------------------------------------------
def test_audit_filters_are_passed_as_iso_times(client, rpc):
    seen = {}
    rpc.answers["identity.list_audit"] = lambda a, p: seen.update(p) or {"entries": [
        {"id": "1", "occurred_at": "2026-01-01T00:00:00+00:00", "action": "sign_in",
         "actor_kind": "client", "actor_id": "a", "subject_kind": None, "subject_id": None,
         "session_id": "s", "source_ip": "10.0.0.1", "detail": {}}]}
    r = client.get("/api/v1/audit?action=sign_in&since=2026-01-01T00:00:00Z"
                   "&until=2026-02-01T00:00:00%2B01:00", headers=STAFF)
    assert r.status_code == 200 and r.json["entries"][0]["action"] == "sign_in"
    assert seen["action"] == "sign_in" and seen["since"].startswith("2026-01-01T00:00:00")
    assert seen["until"].endswith("+01:00")


@pytest.mark.parametrize("query", ["since=yesterday", "since=2026-01-01T00:00:00",
                                   "limit=0", "action=" + "x" * 41, "who=me"])
def test_audit_bad_query_is_422(client, query):
    assert client.get(f"/api/v1/audit?{query}", headers=STAFF).status_code == 422


def test_audit_passes_the_names_through(client, rpc):
    entry = {"id": "1", "occurred_at": "2026-01-01T00:00:00+00:00", "action": "grant_changed",
             "actor_kind": "staff", "actor_id": "s", "actor_name": "Dana Whitfield",
             "subject_kind": "contact", "subject_id": "c", "subject_name": None,
             "session_id": None, "source_ip": None, "detail": {}}
    rpc.answers["identity.list_audit"] = lambda a, p: {"entries": [entry]}
    r = client.get("/api/v1/audit", headers=STAFF)
    assert r.status_code == 200 and r.json["entries"] == [entry]


def test_audit_needs_the_permission(client):
    assert client.get("/api/v1/audit", headers=CLINICIAN).status_code == 403


# -- the read model hears practice.updated ----------------------------------------------------
def test_practice_updated_replaces_branding_and_drops_the_previous_code(app, rpc):
    rpc.answers["identity.get_practice"] = lambda code: dict(SETTINGS, code=code)
    app.readmodels.practice("demo")
    app.readmodels.on_practice_updated({"practice_id": PRACTICE_ID, "data": dict(
        SETTINGS, code="moved", title="New title", previous_code="demo")})
    assert json.loads(app.readmodels.practice("moved"))["title"] == "New title"
    assert rpc.count("identity.get_practice") == 1
    rpc.answers["identity.get_practice"] = NotFound("not_found", "gone")
    with pytest.raises(NotFound):
        app.readmodels.practice("demo")


# -- static files revalidate ------------------------------------------------------------------
def test_static_files_are_revalidated_with_etags(client):
    r = client.get("/static/haven.css")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    etag = r.headers["ETag"]
    again = client.get("/static/haven.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-cache"


# -- every route: junk in, a clear 4xx out ------------------------------------------------
ROUTES = [r for r in Router(TABLES).routes if r.path.startswith("/api/")]


def _path(route):
    path = route.path
    for name in route.path_params:
        path = path.replace(f"<{name}>", "x1").replace(f"<path:{name}>", "x1")
    return path


def _headers(route):
    if route.auth == PUBLIC:
        return {}
    return CLIENT if route.auth == "client" else STAFF


@pytest.mark.parametrize("route", [r for r in ROUTES if r.request is not None],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_body_refuses_unknown_fields(client, rpc, route):
    r = client.open(_path(route), method=route.method, json={"surely_not_a_field": 1},
                    headers=_headers(route))
    assert r.status_code == 422, (route, r.json)
    assert "surely_not_a_field" in r.json["fields"]


@pytest.mark.parametrize("route", [r for r in ROUTES if r.request is not None],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_body_refuses_non_objects(client, rpc, route):
    for body in ("[]", "\"x\"", "{oops"):
        r = client.open(_path(route), method=route.method, data=body,
                        content_type="application/json", headers=_headers(route))
        assert r.status_code in (400, 422), (route, body)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.query is not None],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_query_refuses_unknown_parameters(client, rpc, route):
    r = client.open(_path(route) + "?surely_not_a_parameter=1", method=route.method,
                    headers=_headers(route))
    assert r.status_code == 422, (route, r.json)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.auth != PUBLIC],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_protected_route_needs_a_valid_token(client, route):
    r = client.open(_path(route), method=route.method)
    assert r.status_code == 401
    r = client.open(_path(route), method=route.method,
                    headers={"Authorization": "Bearer " + token(secret="forged" * 8)})
    assert r.status_code == 401


# -- staff two-step sign-in ---------------------------------------------------------------------
def test_a_sign_in_challenge_sets_no_cookie_and_the_code_step_signs_in(client, rpc):
    rpc.answers["identity.authenticate"] = lambda p: {
        "mfa_required": True, "mfa_token": "m" * 40, "mfa_enrol": False, "expires_in": 300,
        "must_change_password": False}
    r = client.post("/api/v1/session", json={"login": "a", "password": "b", "audience": "staff"})
    assert r.status_code == 200 and r.json["mfa_required"] is True
    assert r.json["mfa_token"] and not r.headers.getlist("Set-Cookie")
    rpc.answers["identity.complete_mfa"] = lambda p: dict(TOKENS, mfa_required=False)
    r = client.post("/api/v1/session/mfa", json={"mfa_token": "m" * 40, "code": "123456"})
    assert r.status_code == 200 and "access_token" not in r.json
    assert "haven_access" in cookies_of(r)
    r = client.post("/api/v1/session/mfa", json={"mfa_token": "m" * 40})
    assert r.status_code == 422 and "code" in r.json["fields"]
