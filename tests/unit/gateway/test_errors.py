"""The one error mapping: status and codes for people, never an exception's text."""
import logging

from werkzeug.exceptions import MethodNotAllowed, NotFound

from gateway import errors
from gateway.router import PUBLIC
from gateway.api.health import routes as health
from services.common.errors import Conflict, InvalidInput, TooManyRequests
from tests.unit.gateway.fakes import token


def test_haven_errors_keep_status_code_and_fields():
    status, body, _ = errors.error_body(InvalidInput("invalid_input", "Bad.", {"x": ["no"]}))
    assert (status, body) == (422, {"error": "invalid_input", "message": "Bad.",
                                    "fields": {"x": ["no"]}})
    status, body, _ = errors.error_body(Conflict("stale_version", "Someone else saved first."))
    assert status == 409 and body["error"] == "stale_version"
    status, _, headers = errors.error_body(TooManyRequests("slow_down", "Wait.",
                                                           {"retry_after": 30}))
    assert status == 429 and headers["Retry-After"] == "30"


def test_http_exceptions_become_json_sentences():
    status, body, _ = errors.error_body(NotFound())
    assert status == 404 and body == {"error": "not_found",
                                      "message": "There is nothing at this address."}
    status, body, headers = errors.error_body(MethodNotAllowed(valid_methods=["GET", "POST"]))
    assert status == 405 and headers["Allow"] == "GET, POST"


def test_unexpected_errors_never_leak_their_text(caplog):
    secret = "password=hunter2 in /srv/haven/db.py line 42"
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        try:
            raise RuntimeError(secret)
        except RuntimeError as exc:
            status, body, _ = errors.error_body(exc)
    assert status == 500
    assert body == {"error": "internal_error",
                    "message": "Something went wrong on our side. Please try again."}
    assert secret not in str(body)
    record = caplog.records[0]  # logged for us, not shown: its class and place, not its text
    assert record.error_type == "RuntimeError" and not record.exc_info
    assert "test_errors.py" in record.traceback and "hunter2" not in caplog.text


def test_a_crashing_handler_answers_500_without_detail(client, app):
    def boom(ctx):
        raise KeyError("client ssn 123-45-6789")
    route = app.router.match("/healthz", "GET")[0]
    original = route.handler
    route.handler = boom
    try:
        r = client.get("/healthz")
    finally:
        route.handler = original
    assert r.status_code == 500
    assert r.json["error"] == "internal_error" and "6789" not in r.get_data(as_text=True)
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_remote_error_without_shared_class_is_500(client, rpc):
    from nameko.exceptions import RemoteError
    rpc.answers["identity.get_session"] = RemoteError("ValueError", "secret detail")
    r = client.get("/api/v1/session", headers={"Authorization": "Bearer " + token()})
    assert r.status_code == 500 and "secret detail" not in r.get_data(as_text=True)


def test_unavailable_service_is_503(client, rpc):
    rpc.answers["identity.get_session"] = errors.Unavailable()
    r = client.get("/api/v1/session", headers={"Authorization": "Bearer " + token()})
    assert r.status_code == 503 and r.json["error"] == "unavailable"
    assert health.table and PUBLIC


def test_pool_maps_unknown_service_and_timeouts_to_unavailable(monkeypatch):
    import pytest
    from nameko.exceptions import RpcTimeout, UnknownService

    from gateway import rpc as rpc_module

    class FakePooled:
        closed = False

        def __init__(self, exc):
            self.exc = exc

        def service(self, name, timeout):
            exc = self.exc

            class Method:
                def __getattr__(self, method):
                    def call(*args):
                        raise exc
                    return call
            return Method()

        def forget_stale_replies(self):
            pass

        def close(self):
            self.closed = True

    for exc in (UnknownService("notify"), RpcTimeout(1), OSError("broker gone")):
        pool = rpc_module.RpcPool({"AMQP_URI": "memory://"}, size=2, timeout=1)
        monkeypatch.setattr(pool, "_open", lambda timeout, exc=exc: FakePooled(exc))
        with pytest.raises(errors.Unavailable):
            pool.call("notify", "ping")
