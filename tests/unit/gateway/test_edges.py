"""The gateway's edges (issue 17): hostile shapes of a request get a 4xx that names the
problem, and one log line, never a 500 with a traceback."""
import logging

import pytest

from gateway.app import MAX_JSON_DEPTH



def _records(caplog):
    return [r for r in caplog.records if r.name.startswith("gateway")]


@pytest.mark.parametrize("body", ["[" * 1000 + "]" * 1000,
                                  '{"login":' + "[" * 1000 + "]" * 1000 + "}",
                                  '{"a":' * 600 + "1" + "}" * 600])
def test_deeply_nested_json_is_400_with_one_log_line(client, caplog, body):
    assert len(body) <= 8000
    caplog.set_level(logging.INFO)
    for _ in range(2):      # each time: the same answer, one line, no traceback
        caplog.clear()
        r = client.post("/api/v1/session", data=body, content_type="application/json")
        assert r.status_code == 400, r.data
        assert r.json["error"] == "json_too_deep"
        assert str(MAX_JSON_DEPTH) in r.json["message"]
        records = _records(caplog)
        assert [rec.levelno for rec in records] == [logging.WARNING], records
        assert not any(rec.exc_info or getattr(rec, "traceback", None) for rec in records)


def test_json_just_within_the_depth_is_read(client):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    r = client.post("/api/v1/session", data='{"login": %s}' % nested,
                    content_type="application/json")
    assert r.status_code == 422 and "login" in r.json["fields"]     # read, then validated
    r = client.post("/api/v1/session", data='{"login": %s}' % ("[" + nested + "]"),
                    content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "json_too_deep"


# -- behind a proxy ------------------------------------------------------------------------
def _gateway(rpc, hops):
    from werkzeug.test import Client
    from werkzeug.wrappers import Request

    from gateway.app import GatewayApp
    from tests.unit.gateway.fakes import SECRET
    config = {"TOKEN_SECRET": SECRET, "AMQP_URI": None, "INSECURE_COOKIES": False}
    if hops is not None:
        config["PROXY_HOPS"] = hops
    app = GatewayApp(config, rpc, broker_check=lambda: True)
    app.revocations.mark_loaded(app.revocations.generation)
    return Client(lambda environ, start: app.handle(Request(environ))(environ, start))


@pytest.mark.parametrize("hops, forwarded, seen", [
    (None, "203.0.113.9, 198.51.100.7", "10.0.0.1"),     # off: the socket's peer
    (0, "203.0.113.9", "10.0.0.1"),
    (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),   # what the one proxy appended
    (2, "203.0.113.9, 198.51.100.7, 10.0.0.5", "198.51.100.7"),
    (2, "198.51.100.7", "10.0.0.1"),                    # fewer entries than hops: none
])
def test_the_source_address_is_the_trusted_hop_s(rpc, hops, forwarded, seen):
    sent = []
    rpc.answers["identity.authenticate"] = lambda p: sent.append(p["source_ip"]) or {
        "access_token": "a", "refresh_token": "r", "expires_in": 300,
        "must_change_password": False, "principal": {"kind": "client", "id": "x"}}
    client = _gateway(rpc, hops)
    client.post("/api/v1/session", json={"login": "a", "password": "b", "audience": "portal",
                                         "token_delivery": "body"},
                headers={"X-Forwarded-For": forwarded},
                environ_overrides={"REMOTE_ADDR": "10.0.0.1"})
    assert sent == [seen]
