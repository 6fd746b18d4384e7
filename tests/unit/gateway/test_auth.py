import time

import pytest

from gateway.auth import Authenticator, Revocations, actor_wire
from services.common.errors import Unauthenticated
from tests.unit.gateway.fakes import CLIENT_ID, PRACTICE_ID, SECRET, token


def loaded(revocations):
    revocations.mark_loaded(revocations.generation)
    return revocations


@pytest.fixture
def auth():
    return Authenticator(SECRET, loaded(Revocations(300)))


def test_valid_token_gives_claims_and_actor(auth):
    claims = auth.verify(token(sub="acc-1"))
    wire = actor_wire(claims, "cid-12345678", "203.0.113.9")
    assert wire == {"practice_id": PRACTICE_ID, "kind": "client", "id": "acc-1", "roles": [],
                    "permissions": [], "clients": {CLIENT_ID: ["*"]},
                    "correlation_id": "cid-12345678", "source_ip": "203.0.113.9"}


@pytest.mark.parametrize("bad, code", [
    (token(secret="another-secret-entirely-" + "y" * 20), "invalid_token"),   # forged
    (token(exp_in=-3600), "token_expired"),
    (token(aud="someone-else"), "invalid_token"),
    (token(iss="evil"), "invalid_token"),
    (token(kind="system"), "invalid_token"),                                 # never from a token
    ("not.a.jwt", "invalid_token"),
    ("", "invalid_token"),
])
def test_bad_tokens_are_refused(auth, bad, code):
    with pytest.raises(Unauthenticated) as exc:
        auth.verify(bad)
    assert exc.value.code == code


def test_alg_none_is_refused(auth):
    import jwt
    now = int(time.time())
    unsigned = jwt.encode({"sub": "x", "kind": "staff", "pid": "p", "sid": "s", "iat": now,
                           "exp": now + 60, "iss": "haven", "aud": "haven"}, None,
                          algorithm="none")
    with pytest.raises(Unauthenticated):
        auth.verify(unsigned)


def test_revoked_session_is_refused_until_its_tokens_expire():
    now = [1000.0]
    revocations = loaded(Revocations(300, clock=lambda: now[0], leeway=0))
    auth = Authenticator(SECRET, revocations)
    revocations.revoke(["sid-1"], revoked_at=1000.0)
    with pytest.raises(Unauthenticated) as exc:
        auth.verify(token(sid="sid-1"))
    assert exc.value.code == "session_ended"
    now[0] = 1000.0 + 301 + 11
    revocations.revoke([])  # pruning happens on writes
    assert not revocations.is_revoked("sid-1")


def test_cookie_requests_need_csrf_on_unsafe_methods(client):
    t = token(kind="staff", perms=["edit_clients"])
    client.set_cookie("haven_access", t)
    client.set_cookie("haven_csrf", "abc123")
    r = client.post("/api/v1/alerts/a1/read")
    assert r.status_code == 403 and r.json["error"] == "csrf_failed"
    r = client.post("/api/v1/alerts/a1/read", headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403 and r.json["error"] == "csrf_failed"


def test_cookie_request_with_matching_csrf_passes(client, rpc):
    rpc.answers["notify.mark_alert_read"] = lambda actor, alert_id: None
    client.set_cookie("haven_access", token(kind="staff"))
    client.set_cookie("haven_csrf", "abc123")
    r = client.post("/api/v1/alerts/a1/read", headers={"X-CSRF-Token": "abc123"})
    assert r.status_code == 200, r.json


def test_bearer_needs_no_csrf(client, rpc):
    rpc.answers["notify.mark_alert_read"] = lambda actor, alert_id: None
    r = client.post("/api/v1/alerts/a1/read",
                    headers={"Authorization": "Bearer " + token(kind="staff")})
    assert r.status_code == 200


def test_missing_token_and_expired_cookie(client):
    r = client.get("/api/v1/session")
    assert r.status_code == 401 and r.json["error"] == "unauthenticated"
    client.set_cookie("haven_refresh", "opaque")
    r = client.get("/api/v1/session")
    assert r.status_code == 401 and r.json["error"] == "token_expired"
    r = client.get("/api/v1/session", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_must_change_password_allows_only_session_paths(client, rpc):
    rpc.answers["identity.get_session"] = lambda actor: {"kind": "client", "id": actor["id"]}
    bearer = {"Authorization": "Bearer " + token(mcp=True)}
    assert client.get("/api/v1/session", headers=bearer).status_code == 200
    r = client.get("/api/v1/me/details", headers=bearer)
    assert r.status_code == 403 and r.json["error"] == "password_change_required"


def test_actor_carries_the_correlation_id(client, rpc):
    seen = {}
    rpc.answers["identity.get_session"] = lambda actor: seen.update(actor) or {"kind": "client"}
    r = client.get("/api/v1/session", headers={"Authorization": "Bearer " + token(),
                                               "X-Correlation-Id": "trace-abcdef12"})
    assert seen["correlation_id"] == "trace-abcdef12"
    assert r.headers["X-Correlation-Id"] == "trace-abcdef12"
    r = client.get("/healthz", headers={"X-Correlation-Id": "bad id <script>"})
    assert r.headers["X-Correlation-Id"] != "bad id <script>"
