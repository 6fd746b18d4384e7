"""Security over HTTP with the whole stack.

Tenant isolation: every gateway route with an id in its path, called with tokens of
practice A (an administrator holding every staff permission, and a portal client)
against the ids of practice B, answers 403 or 404 and never B's data. The routes are read
from the router itself, so a new route is covered (or fails here until it is taught which
id to use) without anyone remembering to add it.

Brute force: sign-in is throttled after a handful of failures (429 with retry_after),
and an unknown email gets exactly the answers a wrong password gets.
"""
import time
import uuid
import warnings

import pytest
import requests
import requests.adapters

from gateway.router import PUBLIC, Router
from gateway.routes import TABLES
from tests.e2e.practice import give_login, new_practice, staff_sign_in
from tests.e2e.test_story_http import Browserless, wait_until

PASSWORD = "pebble orchard winter candle"
LONG = "a long temporary phrase for nobody"

# A valid body per route (so a refusal is about whose id it is, never about the body).
BODIES = {
    ("PATCH", "/api/v1/clients/<client_id>"): {"city": "Leaked", "version": 1},
    ("PUT", "/api/v1/clients/<client_id>/portal-access"): {
        "login": "intruder@example.org", "temporary_password": LONG},
    ("PATCH", "/api/v1/clients/<client_id>/portal-access"): {"status": "inactive"},
    ("PATCH", "/api/v1/contacts/<contact_id>"): {"status": "suspended"},
    ("PUT", "/api/v1/contacts/<contact_id>/grants/<client_id>"): {"permissions": ["billing"]},
    ("PUT", "/api/v1/portal-accounts/<account_id>/grants/<client_id>"): {
        "permissions": ["billing"]},
    ("PATCH", "/api/v1/staff/<staff_id>"): {"status": "suspended"},
    ("PUT", "/api/v1/roles/<role>"): {"permissions": ["view_clients"]},
}


# Path parameters that are names, not ids.
NAMES = {"tab": "basic", "role": "intern"}


def bearer_sign_in(base, payload):
    if payload["audience"] == "staff":
        _, r = staff_sign_in(base, payload["login"], payload["password"])
    else:
        r = requests.post(base + "/api/v1/session", timeout=10,
                          json=dict(payload, token_delivery="body"))
    assert r.status_code == 200, r.text
    http = requests.Session()
    http.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    return http


def test_no_route_hands_practice_b_data_to_practice_a(haven_stack):
    base = haven_stack.base_url
    a, b = new_practice(haven_stack), new_practice(haven_stack)

    # practice B: Bobby with a login, his own change raising an alert for B's staff
    b_account = give_login(haven_stack, b, {"id": b.bobby_id, "email": b.bobby_email,
                                            "first_name": "Bobby", "last_name": "Newman"},
                           PASSWORD)
    b_bobby = Browserless(base)
    assert b_bobby.call("POST", "/api/v1/session", json={
        "practice_code": b.code, "login": b.bobby_email, "password": PASSWORD,
        "audience": "portal"}).status_code == 200
    record = b_bobby.call("GET", "/api/v1/me/details").json()
    assert b_bobby.call("PATCH", "/api/v1/me/details", json={
        "city": "Bristol", "version": record["version"]}).status_code == 200
    b_intake = bearer_sign_in(base, {"login": b.intake_login, "password": b.staff_password,
                                     "audience": "staff"})
    alerts = wait_until(lambda: b_intake.get(base + "/api/v1/alerts", timeout=10).json())
    assert alerts, "practice B has no alert to aim at"
    ids = {"client_id": b.bobby_id, "account_id": b_account["account_id"],
           "alert_id": alerts[0]["id"]}
    # a contact and a staff member of practice B (identity's RPCs, as the seed would)
    from services.common.actor import Actor
    with haven_stack.rpc() as rpc:
        b_system = Actor.system(practice_id=b.id).to_wire()
        b_contact = rpc.identity.create_contact(b_system, {
            "email": f"contact-{b.code}@example.org", "name": "Bea Contact"})
        ids["contact_id"] = b_contact["contact_id"]
        ids["staff_id"] = rpc.identity.list_staff(b_system)[0]["id"]
    secrets = [b.bobby_email, "Bristol", "Bea Contact"]

    # practice A: its administrator (every staff permission) and a portal client
    give_login(haven_stack, a, {"id": a.bobby_id, "email": a.bobby_email,
                                "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    callers = {
        "A's administrator": bearer_sign_in(base, {
            "login": a.admin_login, "password": a.staff_password, "audience": "staff"}),
        "A's client": bearer_sign_in(base, {
            "practice_code": a.code, "login": a.bobby_email, "password": PASSWORD,
            "audience": "portal"}),
    }
    BODIES[("POST", "/api/v1/portal-accounts/<account_id>/clients")] = {"client_id": a.bobby_id}

    routes = [r for r in Router(TABLES).routes if r.path_params and r.auth != PUBLIC]
    assert len(routes) >= 10
    checked, weaker = 0, []
    for route in routes:
        path = route.path
        for name in route.path_params:
            value = ids.get(name) or NAMES.get(name)
            if value is None:
                # No practice-B object of this kind is seeded here yet: a random id still
                # proves "no data", but say so, so that someone seeds a real one.
                value = str(uuid.uuid4())
                weaker.append(f"{route.method} {route.path} <{name}>")
            path = path.replace(f"<{name}>", value)
        body = BODIES.get((route.method, route.path))
        for who, http in callers.items():
            r = http.request(route.method, base + path, json=body, timeout=10)
            allowed = (403, 404)
            if not any(n in ids or n not in NAMES for n in route.path_params):
                allowed += (200,)   # only names in the path (e.g. a tab): one's own data
            if body is None and route.request is not None:
                allowed += (422,)   # no sample body yet: at least it is not data
                weaker.append(f"{route.method} {route.path} (no sample body)")
            assert r.status_code in allowed, (who, route.method, path, r.status_code, r.text)
            for secret in secrets:
                assert secret not in r.text, (who, route.method, path)
            checked += 1
    if weaker:
        warnings.warn("tenant isolation checked with random ids or no body for: "
                      + "; ".join(sorted(set(weaker))))
    # ids in the query string too
    r = callers["A's client"].get(base + "/api/v1/me/details",
                                  params={"client_id": b.bobby_id}, timeout=10)
    assert r.status_code == 404
    assert checked == 2 * len(routes)

    # and nothing of B's changed
    assert b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}", timeout=10).json()["city"] == \
        "Bristol"
    access = b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}/portal-access", timeout=10)
    assert access.json()["status"] == "active" and access.json()["login"] == b.bobby_email
    assert b_bobby.call("GET", "/api/v1/me/details").status_code == 200


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connect from another loopback address: sign-in failures also count per source
    address (and a success does not clear that count), so each sequence here comes from
    an address of its own instead of exhausting 127.0.0.1 for every other test."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _from_fresh_address():
    http = requests.Session()
    octets = uuid.uuid4().bytes
    http.mount("http://", _FromAddress(f"127.{octets[0]}.{octets[1]}.{max(2, octets[2])}"))
    return http


def _attempts(base, practice, login, limit=10):
    """Wrong passwords until refused with 429; [(status, body)]."""
    seen = []
    http = _from_fresh_address()
    for _ in range(limit):
        r = http.post(base + "/api/v1/session", timeout=10, json={
            "practice_code": practice.code, "login": login, "password": "not the password",
            "audience": "portal"})
        seen.append((r.status_code, r.json(), r.headers.get("Retry-After")))
        if r.status_code == 429:
            break
    return seen


def _sign_in_when_allowed(base, practice, login, password, timeout=30):
    """A correct sign-in once the account's back-off has passed."""
    deadline = time.monotonic() + timeout
    http = _from_fresh_address()
    while True:
        r = http.post(base + "/api/v1/session", timeout=10, json={
            "practice_code": practice.code, "login": login, "password": password,
            "audience": "portal"})
        if r.status_code != 429 or time.monotonic() > deadline:
            return r
        time.sleep(min(float(r.json()["fields"]["retry_after"]), 5))


def test_sign_in_is_throttled_and_says_nothing_about_which_emails_exist(haven_stack):
    base = haven_stack.base_url
    practice = new_practice(haven_stack)
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)

    known = _attempts(base, practice, practice.bobby_email)
    # the right password, once allowed, still works: throttling is no lockout
    assert _sign_in_when_allowed(base, practice, practice.bobby_email,
                                 PASSWORD).status_code == 200
    unknown = _attempts(base, practice, f"nobody-{practice.code}@example.org")

    statuses = [s for s, _, _ in known]
    assert statuses[-1] == 429 and 4 <= len(statuses) - 1 <= 8, statuses  # a handful
    assert [s for s, _, _ in unknown] == statuses
    failures_known = [body for s, body, _ in known if s == 401]
    failures_unknown = [body for s, body, _ in unknown if s == 401]
    assert failures_known == failures_unknown
    assert failures_known[0]["error"] == "invalid_credentials"
    for _, body, retry_after in (known[-1], unknown[-1]):
        assert body["error"] == known[-1][1]["error"]
        assert body["fields"]["retry_after"] >= 1 and int(retry_after) >= 1
