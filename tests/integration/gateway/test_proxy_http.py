"""Behind a proxy (issue 17): with HAVEN_PROXY_HOPS trusted hops the gateway takes each
person's address from X-Forwarded-For — for the throttles (identity counts failures per
`source_ip`), the audit trail (the actor's `source_ip`) and the access log — so one
address's wrong passwords never make others wait; without the setting it trusts no header.

A small forwarding proxy on loopback, started by the test, stands in front of the gateway
and appends the peer's address to X-Forwarded-For as nginx's $proxy_add_x_forwarded_for
does; the clients connect to it from several loopback addresses (127.0.0.2, .3, ...)."""
import http.client
import json
import logging
import uuid

import eventlet
import pytest

from gateway.service import GatewayService
from services.common.errors import EXPECTED, TooManyRequests, Unauthenticated
from services.common.rpc import rpc
from tests.conftest import free_port
from tests.integration.gateway.fakes import (
    FakeCharts,
    FakeIdentity,
    FakeNotify,
    FakeScheduling,
    State,
    make_token,
)
from tests.integration.gateway.test_gateway import GOOD, base_config, wait_for  # noqa: F401

FAILURES_PER_ADDRESS = 3
SEEN = []       # (rpc, source_ip) as identity received them
SEEN_BY_LOGIN = {}  # login -> source_ips identity received for it (a test's own login)


class ThrottlingIdentity(FakeIdentity):
    """identity's sign-in throttle in small: failures counted per source address."""
    name = "identity"
    failures = {}

    @rpc(expected_exceptions=EXPECTED)
    def authenticate(self, payload):
        ip = payload.get("source_ip")
        SEEN.append(("authenticate", ip))
        SEEN_BY_LOGIN.setdefault(payload.get("login"), []).append(ip)
        if self.failures.get(ip, 0) >= FAILURES_PER_ADDRESS:
            raise TooManyRequests("too_many_attempts", "Too many attempts.",
                                  {"retry_after": 60})
        if payload["password"] != GOOD["password"]:
            self.failures[ip] = self.failures.get(ip, 0) + 1
            raise Unauthenticated("invalid_credentials", "That login and password do not match.")
        sid = str(uuid.uuid4())
        return {"access_token": make_token(sid), "refresh_token": "r-" + sid,
                "expires_in": 300, "must_change_password": False,
                "principal": {"kind": "client", "id": "acc", "name": "Ada"}}

    @rpc(expected_exceptions=EXPECTED)
    def get_session(self, actor):
        SEEN.append(("get_session", actor.get("source_ip")))
        return super().get_session(actor)


def forwarding_proxy(target_port):
    """A proxy on 127.0.0.1 that forwards each request (one per connection) to the
    gateway, appending the peer's address to X-Forwarded-For. Returns (port, stop)."""
    server = eventlet.listen(("127.0.0.1", 0))

    def handle(client, peer):
        with client:
            data = b""
            while b"\r\n\r\n" not in data:
                piece = client.recv(65536)
                if not piece:
                    return
                data += piece
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            forwarded, kept, length = None, [lines[0]], 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "x-forwarded-for":
                    forwarded = value.strip()
                elif name.lower() != "connection":
                    kept.append(line)
                if name.lower() == "content-length":
                    length = int(value)
            while len(body) < length:
                body += client.recv(65536)
            kept.append("X-Forwarded-For: " + (f"{forwarded}, {peer[0]}" if forwarded
                                               else peer[0]))
            kept.append("Connection: close")
            upstream = eventlet.connect(("127.0.0.1", target_port))
            with upstream:
                upstream.sendall(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body)
                while True:
                    piece = upstream.recv(65536)
                    if not piece:
                        break
                    client.sendall(piece)

    def serve():
        while True:
            client, peer = server.accept()
            eventlet.spawn(handle, client, peer)

    thread = eventlet.spawn(serve)

    def stop():
        thread.kill()
        server.close()
    return server.getsockname()[1], stop


@pytest.fixture
def behind_proxy(container_factory, base_config):  # noqa: F811
    def start(hops):
        State.revoked.clear()
        SEEN.clear()
        ThrottlingIdentity.failures = {}
        for cls in (ThrottlingIdentity, FakeCharts, FakeNotify, FakeScheduling):
            container_factory(cls, base_config).start()
        port = free_port()
        config = dict(base_config, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}")
        if hops is not None:
            config["PROXY_HOPS"] = hops
        container_factory(GatewayService, config).start()
        proxy_port, stop = forwarding_proxy(port)
        stops.append(stop)
        assert wait_for(lambda: call(proxy_port, "127.0.0.1", "GET", "/readyz")[1].get(
            "checks", {}).get("revocations") == "ok", timeout=10)
        return proxy_port
    stops = []
    yield start
    for stop in stops:
        stop()


def call(port, source, method, path, body=None, headers=None):
    """(status, JSON answer) of one request sent from the address `source`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=(source, 0))
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers=dict(
            {"Content-Type": "application/json"} if payload else {}, **(headers or {})))
        r = conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else {}
    finally:
        conn.close()


def sign_in(port, source, password=GOOD["password"], headers=None, login=GOOD["login"]):
    return call(port, source, "POST", "/api/v1/session",
                dict(GOOD, login=login, password=password, token_delivery="body"), headers)


def test_one_address_s_failures_never_lock_out_the_others(behind_proxy, caplog):
    port = behind_proxy(1)
    caplog.set_level(logging.INFO)
    for _ in range(FAILURES_PER_ADDRESS):
        assert sign_in(port, "127.0.0.2", "wrong")[0] == 401
    assert sign_in(port, "127.0.0.2")[0] == 429          # the attacker waits
    for person in ("127.0.0.3", "127.0.0.4", "127.0.0.5"):
        status, answer = sign_in(port, person)            # everyone else signs in
        assert status == 200, answer
    assert {ip for what, ip in SEEN} == {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                         "127.0.0.5"}
    # the audit trail's address: the actor every service is asked with
    token = sign_in(port, "127.0.0.6")[1]["access_token"]
    assert call(port, "127.0.0.6", "GET", "/api/v1/session",
                headers={"Authorization": "Bearer " + token})[0] == 200
    assert ("get_session", "127.0.0.6") in SEEN
    # the access log names the person, not the proxy
    lines = [r.getMessage() for r in caplog.records if "/api/v1/session" in r.getMessage()]
    assert any(line.startswith("127.0.0.6 ") for line in lines), lines


def test_a_forged_forwarded_for_is_not_believed_past_the_trusted_hops(behind_proxy):
    port = behind_proxy(1)
    forged = {"X-Forwarded-For": "203.0.113.9"}
    for _ in range(FAILURES_PER_ADDRESS):
        sign_in(port, "127.0.0.2", "wrong", forged)
    assert {ip for what, ip in SEEN} == {"127.0.0.2"}     # the proxy's own view of it
    assert sign_in(port, "127.0.0.3", headers=forged)[0] == 200


def test_by_default_no_forwarded_header_is_trusted(behind_proxy):
    port = behind_proxy(None)
    # a login of this test's own: a late call of an earlier test's gateway on the shared
    # RPC queue cannot pass for this one
    login = f"ada-{uuid.uuid4().hex[:8]}@example.org"
    status, answer = sign_in(port, "127.0.0.2", headers={"X-Forwarded-For": "203.0.113.9"},
                             login=login)
    assert status == 200, answer
    assert SEEN_BY_LOGIN[login] == ["127.0.0.1"], SEEN   # the proxy: the socket's peer
