"""No token is honoured before the replica knows the revocations (after start, and after the
broker connection was lost): authenticated requests wait briefly for the list, then get a
503 with Retry-After; public routes keep answering."""
import eventlet
import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request

from gateway.app import GatewayApp
from tests.unit.gateway.fakes import PRACTICE, SECRET, FakeRpc, record, token

REVOKED_SID = "sid-revoked"


def revocation_list(*sids):
    return lambda payload: {"sessions": [
        {"session_id": sid, "account_id": "a", "revoked_at": "2026-01-01T00:00:00+00:00"}
        for sid in sids], "now": "2026-01-01T00:00:00+00:00"}


@pytest.fixture
def rpc():
    return FakeRpc({"identity.get_practice": lambda code: dict(PRACTICE, code=code),
                    "charts.get_client": lambda actor, cid: record(cid),
                    "identity.list_revocations": revocation_list(REVOKED_SID)})


def starting_app(rpc, wait):
    """A replica that has not read identity's revocation list yet."""
    return GatewayApp({"TOKEN_SECRET": SECRET, "AMQP_URI": None, "ACCESS_TOKEN_SECONDS": 300,
                       "REVOCATIONS_WAIT_SECONDS": wait}, rpc, broker_check=lambda: True)


def http(app):
    def wsgi(environ, start_response):
        return app.handle(Request(environ))(environ, start_response)
    return Client(wsgi)


def bearer(sid=None):
    return {"Authorization": "Bearer " + token(sid=sid)}


def test_before_the_list_is_read_tokens_get_503_with_retry_after(rpc):
    app = starting_app(rpc, wait=0.05)
    client = http(app)
    for headers in (bearer(), bearer(REVOKED_SID)):
        r = client.get("/api/v1/me/details", headers=headers)
        assert r.status_code == 503, r.json
        assert r.json["error"] == "unavailable" and "try again" in r.json["message"]
        assert r.headers["Retry-After"] == "1"
    assert rpc.count("charts.get_client") == 0     # nothing was served


def test_public_routes_and_bad_tokens_answer_at_once_while_loading(rpc):
    app = starting_app(rpc, wait=5.0)
    waits = []
    app.revocations.wait_loaded = lambda timeout: waits.append(timeout) or False
    client = http(app)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/practices/demo").status_code == 200
    r = client.get("/api/v1/me/details")
    assert r.status_code == 401 and r.json["error"] == "unauthenticated"
    r = client.get("/api/v1/me/details", headers={"Authorization": "Bearer forged.token.x"})
    assert r.status_code == 401 and r.json["error"] == "invalid_token"
    assert waits == []                                  # none of them waited for the list
    assert client.get("/api/v1/me/details", headers=bearer()).status_code == 503
    assert waits == [5.0]                               # a valid token does


def test_once_loaded_the_revoked_token_is_refused_and_others_served(rpc):
    app = starting_app(rpc, wait=0.05)
    client = http(app)
    assert app.load_revocations() is True and app.revocations.loaded
    r = client.get("/api/v1/me/details", headers=bearer(REVOKED_SID))
    assert r.status_code == 401 and r.json["error"] == "session_ended"
    assert client.get("/api/v1/me/details", headers=bearer()).status_code == 200


def test_a_request_waits_for_a_load_that_finishes_meanwhile(rpc):
    app = starting_app(rpc, wait=5.0)
    client = http(app)
    loader = eventlet.spawn_after(0.1, app.load_revocations)
    r = client.get("/api/v1/me/details", headers=bearer(REVOKED_SID))
    assert r.status_code == 401 and r.json["error"] == "session_ended"
    assert loader.wait() is True


def test_after_the_broker_was_lost_tokens_wait_for_a_fresh_list(rpc):
    app = starting_app(rpc, wait=0.05)
    client = http(app)
    app.load_revocations()
    assert client.get("/api/v1/me/details", headers=bearer()).status_code == 200
    app.broker_lost()
    assert not app.revocations.loaded
    r = client.get("/api/v1/me/details", headers=bearer())
    assert r.status_code == 503 and r.json["error"] == "unavailable"
    # while away, identity revoked another session: the reread list carries it
    rpc.answers["identity.list_revocations"] = revocation_list(REVOKED_SID, "sid-while-away")
    assert app.load_revocations() is True
    r = client.get("/api/v1/me/details", headers=bearer("sid-while-away"))
    assert r.status_code == 401 and r.json["error"] == "session_ended"
    assert client.get("/api/v1/me/details", headers=bearer()).status_code == 200


def test_a_list_read_across_a_broker_loss_does_not_count(rpc):
    app = starting_app(rpc, wait=0.05)

    def read_then_lose_the_broker(payload):
        answer = revocation_list(REVOKED_SID)(payload)
        app.broker_lost()      # events may be missed after this answer was made
        return answer

    rpc.answers["identity.list_revocations"] = read_then_lose_the_broker
    assert app.load_revocations() is False and not app.revocations.loaded
    rpc.answers["identity.list_revocations"] = revocation_list(REVOKED_SID)
    assert app.load_revocations() is True and app.revocations.loaded


def test_readyz_says_loading_until_the_list_is_read(rpc):
    rpc.answers.update({f"{s}.ping": {"service": s, "status": "ok", "database": "ok"}
                        for s in ("identity", "charts", "notify", "scheduling", "messaging")})
    app = starting_app(rpc, wait=0.05)
    client = http(app)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["checks"]["revocations"] == "loading"
    app.load_revocations()
    assert client.get("/readyz").status_code == 200
