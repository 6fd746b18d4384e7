"""The device token of a sign-in: an HttpOnly cookie for browsers, a body field for API
clients, and both sent back to identity with the next sign-in."""
from tests.unit.gateway.fakes import token

SIGN_IN = {"login": "maria@example.org", "password": "b", "audience": "portal",
           "practice_code": "demo"}
FROM = {"REMOTE_ADDR": "203.0.113.7"}


def answer(device="v1.1.new.sig", **extra):
    return lambda p: dict({"access_token": "a", "refresh_token": "r", "expires_in": 300,
                           "must_change_password": False, "device_token": device,
                           "principal": {"kind": "client", "id": "x"}}, **extra)


def cookies_of(response):
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_a_browser_gets_the_device_token_as_an_httponly_cookie_only(client, rpc):
    rpc.answers["identity.authenticate"] = answer()
    r = client.post("/api/v1/session", json=SIGN_IN)
    assert r.status_code == 200 and "device_token" not in r.json
    cookie = cookies_of(r)["haven_device"]
    assert cookie.startswith("haven_device=v1.1.new.sig;")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    assert "Path=/api/v1/session" in cookie


def test_the_browsers_device_tokens_go_back_to_identity_newest_first(client, rpc):
    seen = []
    rpc.answers["identity.authenticate"] = lambda p: seen.append(p) or answer()(p)
    client.set_cookie("haven_device", "v1.1.older.sig~v1.1.oldest.sig",
                      path="/api/v1/session")
    r = client.post("/api/v1/session", json=SIGN_IN, environ_overrides=FROM)
    assert seen[0]["device_tokens"] == ["v1.1.older.sig", "v1.1.oldest.sig"]
    assert seen[0]["source_ip"] == "203.0.113.7"
    assert cookies_of(r)["haven_device"].startswith(
        "haven_device=v1.1.new.sig~v1.1.older.sig~v1.1.oldest.sig;")


def test_an_api_client_gets_and_sends_the_token_in_the_body(client, rpc):
    seen = []
    rpc.answers["identity.authenticate"] = lambda p: seen.append(p) or answer()(p)
    r = client.post("/api/v1/session", json=dict(SIGN_IN, token_delivery="body",
                                                 device_token="v1.1.mine.sig"))
    assert r.json["device_token"] == "v1.1.new.sig" and "haven_device" not in cookies_of(r)
    assert seen[0]["device_tokens"] == ["v1.1.mine.sig"]


def test_a_second_step_still_remembers_the_device(client, rpc):
    rpc.answers["identity.authenticate"] = lambda p: {
        "mfa_required": True, "mfa_token": "m", "mfa_enrol": False, "expires_in": 300,
        "must_change_password": False, "device_token": "v1.1.new.sig"}
    r = client.post("/api/v1/session", json=SIGN_IN)
    assert r.json["mfa_required"] is True and "device_token" not in r.json
    assert set(cookies_of(r)) == {"haven_device"}


def test_session_routes_pass_the_source_address(client, rpc):
    seen = {}
    rpc.answers["identity.sign_out"] = lambda actor, p: seen.update(actor=actor, payload=p)
    client.delete("/api/v1/session", headers={"Authorization": "Bearer " + token()},
                  environ_overrides=FROM)
    assert seen["payload"]["source_ip"] == "203.0.113.7"
    assert seen["actor"]["source_ip"] == "203.0.113.7"
