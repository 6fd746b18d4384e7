"""GatewayService in real containers on the real broker, with fake owners of the data."""
import time
import uuid

import eventlet
import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.service import GatewayService
from services.common.errors import Unavailable
from services.common.rpc import rpc
from tests.conftest import free_port
from tests.integration.gateway import fakes
from tests.integration.gateway.fakes import (
    CLIENT_ID,
    OTHER_CLIENT,
    SECRET,
    FakeCharts,
    FakeIdentity,
    FakeNotify,
    FakeScheduling,
    State,
    make_token,
)

GOOD = {"practice_code": "demo", "login": "ada@example.org",
        "password": "correct horse battery staple", "audience": "portal"}


def wait_for(predicate, timeout=5.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(step)
    return predicate()


@pytest.fixture
def base_config(amqp_uri):
    return {"AMQP_URI": amqp_uri, "TOKEN_SECRET": SECRET, "ACCESS_TOKEN_SECONDS": 300,
            "REFRESH_TOKEN_SECONDS": 3600, "RPC_TIMEOUT": 5.0, "INSECURE_COOKIES": True,
            "MAX_BODY_BYTES": 64 * 1024, "max_workers": 10}


@pytest.fixture
def owners(container_factory, base_config):
    State.revoked.clear()
    State.records.clear()
    State.calls.clear()
    for cls in (FakeIdentity, FakeCharts, FakeNotify, FakeScheduling, fakes.FakeMessaging):
        container_factory(cls, base_config).start()


@pytest.fixture
def start_gateway(container_factory, base_config):
    def start():
        port = free_port()
        container = container_factory(GatewayService,
                                      dict(base_config, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}"))
        container.start()
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(url + "/readyz", timeout=5).json()["checks"].get(
            "revocations") == "ok", timeout=10)
        return url
    return start


@pytest.fixture
def gateway(owners, start_gateway):
    return start_gateway()


def bearer(token):
    return {"Authorization": "Bearer " + token}


def sign_in(url):
    session = requests.Session()
    r = session.post(url + "/api/v1/session", json=GOOD, timeout=10)
    assert r.status_code == 200, r.text
    return session, r.json()


def test_health_and_ready(gateway):
    assert requests.get(gateway + "/healthz", timeout=5).json() == {"status": "ok"}
    r = requests.get(gateway + "/readyz", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"broker": "ok", "identity": "ok", "charts": "ok",
                                  "notify": "ok", "scheduling": "ok", "messaging": "ok",
                                  "revocations": "ok"}


def test_ready_names_the_service_that_is_down(container_factory, base_config, start_gateway):
    State.revoked.clear()
    for cls in (FakeIdentity, FakeCharts):  # notify is not running
        container_factory(cls, base_config).start()
    url = start_gateway()
    r = requests.get(url + "/readyz", timeout=10)
    assert r.status_code == 503
    assert r.json()["checks"]["notify"] == "not answering"
    assert r.json()["checks"]["charts"] == "ok"


class NotifyWithoutPing:
    """Consumes notify's queue but answers `ping` with MethodNotFound."""
    name = "notify"

    @rpc
    def list_alerts(self, actor, payload):
        return []


def test_an_error_reply_to_ping_is_not_ready(container_factory, base_config, start_gateway):
    State.revoked.clear()
    for cls in (FakeIdentity, FakeCharts, NotifyWithoutPing):
        container_factory(cls, base_config).start()
    r = requests.get(start_gateway() + "/readyz", timeout=10)
    assert r.status_code == 503
    assert r.json()["checks"]["notify"] == "no ping"
    assert r.json()["checks"]["identity"] == "ok"


@pytest.fixture
def real_services(container_factory, base_config, database_url_factory):
    """The named services themselves, each on a database of its own (`backend`), and the
    fakes for the others; the schema is made from the models (a ping needs none of it,
    the services' background work needs the tables)."""
    from sqlalchemy import create_engine

    from services.charts.service import ChartsService
    from services.identity.service import IdentityService
    from services.messaging.service import MessagingService
    from services.notify.service import NotifyService
    from services.scheduling.service import SchedulingService

    def start(backend, real=("identity", "charts", "notify", "scheduling", "messaging")):
        urls = {}
        for cls, fake in ((IdentityService, FakeIdentity), (ChartsService, FakeCharts),
                          (NotifyService, FakeNotify), (SchedulingService, FakeScheduling),
                          (MessagingService, fakes.FakeMessaging)):
            if cls.name not in real:
                container_factory(fake, base_config).start()
                continue
            urls[cls.name] = database_url_factory(backend)
            engine = create_engine(urls[cls.name])
            cls.db.base.metadata.create_all(engine)
            engine.dispose()
            container_factory(cls, dict(base_config, DATABASE_URL=urls[cls.name],
                                        OUTBOX_POLL_SECONDS=0.2, max_workers=4)).start()
        return urls
    return start


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_service_pings_its_own_database(real_services, start_gateway, amqp_uri,
                                              backend):
    real_services(backend)
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        for name in ("identity", "charts", "notify", "scheduling", "messaging"):
            assert getattr(proxy, name).ping() == {"service": name, "status": "ok",
                                                   "database": "ok"}
    r = requests.get(start_gateway() + "/readyz", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"broker": "ok", "identity": "ok", "charts": "ok",
                                  "notify": "ok", "scheduling": "ok", "messaging": "ok",
                                  "revocations": "ok"}


def test_a_service_whose_database_is_gone_is_not_ready(real_services, start_gateway,
                                                       amqp_uri):
    from tests.conftest import _drop_pg_database
    urls = real_services("postgresql", real=("charts",))
    url = start_gateway()
    assert requests.get(url + "/readyz", timeout=10).status_code == 200
    _drop_pg_database(urls["charts"].rsplit("/", 1)[1])
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        with pytest.raises(Unavailable) as exc:
            proxy.charts.ping()
    assert exc.value.code == "database_unavailable"
    r = requests.get(url + "/readyz", timeout=10)
    assert r.status_code == 503 and r.json()["status"] == "unavailable"
    assert r.json()["checks"] == {"broker": "ok", "identity": "ok",
                                  "charts": "database unreachable", "notify": "ok",
                                  "scheduling": "ok", "messaging": "ok",
                                  "revocations": "ok"}


def test_sign_in_sets_cookies_and_me_details_is_served_from_the_read_model(gateway):
    session, body = sign_in(gateway)
    assert "access_token" not in body and "refresh_token" not in body  # HttpOnly only
    cookies = {c.name: c for c in session.cookies}
    assert {"haven_access", "haven_refresh", "haven_csrf"} <= set(cookies)
    assert cookies["haven_access"].has_nonstandard_attr("HttpOnly")
    assert not cookies["haven_access"].secure  # INSECURE_COOKIES for local http
    for _ in range(3):
        r = session.get(gateway + "/api/v1/me/details", timeout=5)
        assert r.status_code == 200 and r.json()["id"] == CLIENT_ID
        assert r.headers["Cache-Control"] == "no-store"
    assert State.calls.count("charts.get_client") == 1


def test_client_reads_its_own_write_and_event_invalidates(gateway):
    session, _ = sign_in(gateway)
    csrf = session.cookies["haven_csrf"]
    before = session.get(gateway + "/api/v1/me/details", timeout=5).json()
    r = session.patch(gateway + "/api/v1/me/details", json={"city": "London",
                                                            "version": before["version"]},
                      headers={"X-CSRF-Token": csrf}, timeout=5)
    assert r.status_code == 200, r.text
    assert session.get(gateway + "/api/v1/me/details", timeout=5).json()["city"] == "London"
    # Without CSRF the cookie-authenticated write is refused.
    r = session.patch(gateway + "/api/v1/me/details", json={"city": "Paris"}, timeout=5)
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    # A stale version is the owner's 409, passed through with its fields.
    r = session.patch(gateway + "/api/v1/me/details", json={"city": "X", "version": 1},
                      headers={"X-CSRF-Token": csrf}, timeout=5)
    assert r.status_code == 409 and r.json()["error"] == "stale_version"


def test_revoked_session_is_refused_on_every_replica_within_a_second(owners, start_gateway):
    first, second = start_gateway(), start_gateway()
    r = requests.post(first + "/api/v1/session", json=dict(GOOD, token_delivery="body"),
                      timeout=10)
    assert r.status_code == 200 and not r.cookies
    token = r.json()["access_token"]
    assert requests.get(second + "/api/v1/me/details", headers=bearer(token),
                        timeout=5).status_code == 200
    r = requests.delete(first + "/api/v1/session", headers=bearer(token), timeout=5)
    assert r.status_code == 200
    started = time.monotonic()
    refused = wait_for(lambda: requests.get(second + "/api/v1/me/details", headers=bearer(token),
                                            timeout=5).status_code == 401, timeout=3)
    assert refused and time.monotonic() - started < 1.0
    r = requests.get(second + "/api/v1/session", headers=bearer(token), timeout=5)
    assert r.json()["error"] == "session_ended"


def test_a_replica_started_later_loads_revocations(owners, start_gateway):
    sid = str(uuid.uuid4())
    State.revoked[sid] = fakes.time_now()
    url = start_gateway()
    r = requests.get(url + "/api/v1/me/details", headers=bearer(make_token(sid)), timeout=5)
    assert r.status_code == 401 and r.json()["error"] == "session_ended"


def test_practice_branding(gateway):
    r = requests.get(gateway + "/api/v1/practices/demo", timeout=5)
    assert r.status_code == 200 and r.json()["name"] == "Demo Practice"
    requests.get(gateway + "/api/v1/practices/demo", timeout=5)
    assert State.calls.count("identity.get_practice") == 1
    assert requests.get(gateway + "/api/v1/practices/nope", timeout=5).status_code == 404
    assert requests.get(gateway + "/api/v1/practices/..%2f", timeout=5).status_code == 404


def test_staff_routes(gateway):
    staff = bearer(make_token(str(uuid.uuid4()), kind="staff", clients={}, perms=["view_clients"]))
    r = requests.get(gateway + "/api/v1/clients?query=ada", headers=staff, timeout=5)
    assert r.status_code == 200 and r.json()[0]["id"] == CLIENT_ID
    r = requests.get(gateway + "/api/v1/alerts", headers=staff, timeout=5)
    assert r.status_code == 200 and r.json()[0]["kind"] == "demographics_changed"


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("post", "/api/v1/session", {"data": "{oops", "headers": {"Content-Type": "application/json"}},
     400, "invalid_json"),
    ("post", "/api/v1/session", {"json": dict(GOOD, admin=True)}, 422, "invalid_input"),
    ("post", "/api/v1/session", {"json": dict(GOOD, login=123)}, 422, "invalid_input"),
    ("post", "/api/v1/session", {"data": "x=1", "headers": {
        "Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type"),
    ("post", "/api/v1/session", {"data": b"{" + b" " * (70 * 1024) + b"}",
                                 "headers": {"Content-Type": "application/json"}},
     413, "payload_too_large"),
    ("post", "/api/v1/session", {"json": dict(GOOD, password="wrong")}, 401,
     "invalid_credentials"),
    ("get", "/api/v1/me/details", {}, 401, "unauthenticated"),
    ("get", "/api/v1/me/details", {"headers": {"Authorization": "Bearer forged.token.here"}},
     401, "invalid_token"),
    ("get", "/api/v1/me/details", {"headers": bearer(make_token("s", exp_in=-600))}, 401,
     "token_expired"),
    ("get", f"/api/v1/clients/{OTHER_CLIENT}", {"headers": bearer(make_token("s2"))}, 404,
     "not_found"),
    ("delete", "/api/v1/alerts", {}, 405, "method_not_allowed"),
    ("get", "/api/v1/no/such/thing", {}, 404, "not_found"),
    ("get", "/nothing-here", {}, 404, "not_found"),
    ("put", "/healthz", {}, 405, "method_not_allowed"),
])
def test_bad_input_is_a_clear_4xx(gateway, method, path, kwargs, status, code):
    r = getattr(requests, method)(gateway + path, timeout=10, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Correlation-Id"]


def test_unusual_method_is_json_too(gateway):
    r = requests.request("TRACE", gateway + "/api/v1/session", timeout=5)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_openapi_and_docs(gateway):
    spec = requests.get(gateway + "/api/v1/openapi.json", timeout=5).json()
    assert "/api/v1/me/details" in spec["paths"]
    r = requests.get(gateway + "/api/v1/docs", timeout=5)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]


def test_a_call_to_a_service_nobody_runs_never_fails_the_next_call(owners, base_config):
    """Unconfirmed RPC requests must not be `mandatory`: the broker's "no route" for a
    request to a service that is down arrives after the publish, and py-amqp raised it on
    the next publish of the shared producer channel — a healthy service's call then
    failed as "not running" (seen as a spurious 503 while one service was down)."""
    from gateway.rpc import RpcPool
    pool = RpcPool(base_config, size=1, timeout=2.0)
    try:
        for _ in range(3):
            with pytest.raises(Unavailable):
                pool.call("nobody_runs_this_service", "ping", timeout=0.3)
            for _ in range(3):
                assert pool.call("identity", "ping")["status"] == "ok"
    finally:
        pool.stop()
