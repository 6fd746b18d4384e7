"""/readyz: ok only when the broker answers and every service answers its `ping` with ok
(which means it consumes RPC and its own database answers); otherwise 503 naming what is
wrong with each."""
import pytest
from nameko.exceptions import MethodNotFound, RemoteError

from services.common.errors import Unavailable

SERVICES = ("identity", "charts", "notify", "scheduling", "messaging")


def pong(service):
    return {"service": service, "status": "ok", "database": "ok"}


@pytest.fixture
def all_up(rpc):
    rpc.answers.update({f"{s}.ping": pong(s) for s in SERVICES})
    return rpc


@pytest.mark.parametrize("answer, state", [
    (pong("charts"), "ok"),
    (Unavailable(), "not answering"),                     # silence: the pool's timeout
    (MethodNotFound("ping"), "no ping"),                  # an answer, but not a ping
    (Unavailable("database_unavailable", "The service cannot reach its database."),
     "database unreachable"),
    (RemoteError("OperationalError", "boom"), "failing"),  # any other error reply
    ({"service": "charts", "status": "degraded"}, "failing"),
    (None, "failing"),
])
def test_probe_is_ok_only_for_an_ok_ping(app, rpc, answer, state):
    rpc.answers["charts.ping"] = (lambda: answer) if not isinstance(answer, Exception) else answer
    assert app._probe("charts") == state


def test_probe_is_bounded_in_time(app, rpc):
    seen = {}

    def ping_with(*args, timeout=None):
        seen["timeout"] = timeout
        return pong("identity")

    rpc.call = lambda service, method, *args, timeout=None: ping_with(timeout=timeout)
    assert app._probe("identity") == "ok" and seen["timeout"] == 2.0


def test_ready_when_everything_answers(app, client, all_up):
    r = client.get("/readyz")
    assert r.status_code == 200, r.json
    assert r.json == {"status": "ok", "checks": {"broker": "ok", "identity": "ok",
                                                 "charts": "ok", "notify": "ok",
                                                 "scheduling": "ok", "messaging": "ok",
                                                 "revocations": "ok"}}
    assert r.headers["Cache-Control"] == "no-store"


def test_unready_names_each_failing_service(app, client, all_up):
    all_up.answers["notify.ping"] = Unavailable("database_unavailable", "No database.")
    all_up.answers["charts.ping"] = MethodNotFound("ping")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json["status"] == "unavailable"
    assert r.json["checks"] == {"broker": "ok", "identity": "ok", "charts": "no ping",
                                "notify": "database unreachable", "scheduling": "ok", "messaging": "ok",
                                "revocations": "ok"}


def test_unready_when_the_broker_is_unreachable(app, client, all_up):
    app.broker_check = lambda: False
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["checks"]["broker"] == "unreachable"
    assert r.json["checks"]["identity"] == "ok"
