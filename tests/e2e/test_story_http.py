"""Issue 3's story over HTTP, through the gateway of the whole stack started as `make run` does.

Intake staff set up Bobby Newman's portal access with a temporary password and Change
Password at Next Login; Bobby signs in, must choose a private password first, updates his
phone, address and primary language; the staff member whose role receives demographic
changes sees an alert naming what changed and reads the revision history; a suspended
account cannot sign in, and suspending Bobby ends his open session within a second.
"""
import time

import pytest
import requests

from tests.e2e.practice import new_practice, staff_sign_in

TEMPORARY = "violet kettle gravel 2931"
PRIVATE = "my own quiet harbour at dusk"


def wait_until(predicate, timeout=5.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class Browserless:
    """A client of the JSON API that signs in with cookies and sends the CSRF header."""

    def __init__(self, base_url):
        self.base = base_url
        self.http = requests.Session()

    def call(self, method, path, **kwargs):
        headers = kwargs.pop("headers", {})
        csrf = self.http.cookies.get("haven_csrf")
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["X-CSRF-Token"] = csrf
        return self.http.request(method, self.base + path, headers=headers, timeout=10, **kwargs)


def staff_session(stack, login, password):
    _, response = staff_sign_in(stack.base_url, login, password)
    token = response.json()["access_token"]
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    return http


@pytest.fixture
def practice(haven_stack):
    return new_practice(haven_stack)


def test_bobby_story(haven_stack, practice):
    base = haven_stack.base_url
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)

    found = intake.get(f"{base}/api/v1/clients", params={"query": "Newman"}, timeout=10)
    assert found.status_code == 200, found.text
    bobby_id = next(c["id"] for c in found.json() if c["first_name"] == "Bobby")

    setup = intake.put(f"{base}/api/v1/clients/{bobby_id}/portal-access", timeout=10, json={
        "login": practice.bobby_email, "temporary_password": TEMPORARY,
        "change_password_at_next_login": True, "status": "active"})
    assert setup.status_code in (200, 201), setup.text
    access = intake.get(f"{base}/api/v1/clients/{bobby_id}/portal-access", timeout=10).json()
    assert access["must_change_password"] is True and access["status"] == "active"

    bobby = Browserless(base)
    signed_in = bobby.call("POST", "/api/v1/session", json={
        "practice_code": practice.code, "login": practice.bobby_email,
        "password": TEMPORARY, "audience": "portal"})
    assert signed_in.status_code == 200, signed_in.text
    assert bobby.call("GET", "/api/v1/session").json()["must_change_password"] is True

    # nothing else before a private password is chosen
    blocked = bobby.call("GET", "/api/v1/me/details")
    assert blocked.status_code == 403 and blocked.json()["error"] == "password_change_required"

    weak = bobby.call("POST", "/api/v1/session/password", json={
        "current_password": TEMPORARY, "new_password": "password"})
    assert weak.status_code == 422 and "new_password" in weak.json().get("fields", {})
    changed = bobby.call("POST", "/api/v1/session/password", json={
        "current_password": TEMPORARY, "new_password": PRIVATE})
    assert changed.status_code == 200, changed.text

    details = bobby.call("GET", "/api/v1/me/details")
    assert details.status_code == 200, details.text
    record = details.json()
    saved = bobby.call("PATCH", "/api/v1/me/details", json={
        "phone_mobile": "+1 555 010 2030", "address_line1": "12 Harbour Street",
        "city": "Portland", "primary_language": "Spanish", "version": record["version"]})
    assert saved.status_code == 200, saved.text
    again = bobby.call("GET", "/api/v1/me/details").json()  # reads its own write
    assert again["phone_mobile"] == "+1 555 010 2030" and again["primary_language"] == "Spanish"

    def demographic_alert():
        alerts = intake.get(f"{base}/api/v1/alerts", timeout=10).json()
        return next((a for a in alerts if a["client_id"] == bobby_id), None)

    alert = wait_until(demographic_alert, timeout=5)
    assert alert, "the intake staff member saw no alert"
    assert set(alert["fields"]) >= {"phone_mobile", "address_line1", "city", "primary_language"}

    revisions = intake.get(f"{base}/api/v1/clients/{bobby_id}/revisions", timeout=10).json()
    changed_fields = {r["field"]: r for r in revisions}
    assert changed_fields["primary_language"]["new_value"] == "Spanish"
    assert changed_fields["phone_mobile"]["actor_kind"] == "client"

    # a clinician's role does not receive demographic changes
    clinician = staff_session(haven_stack, practice.clinician_login, practice.staff_password)
    assert not [a for a in clinician.get(f"{base}/api/v1/alerts", timeout=10).json()
                if a["client_id"] == bobby_id]

    suspended = intake.patch(f"{base}/api/v1/clients/{bobby_id}/portal-access",
                             json={"status": "suspended"}, timeout=10)
    assert suspended.status_code == 200, suspended.text
    started = time.monotonic()
    ended = wait_until(lambda: bobby.call("GET", "/api/v1/me/details").status_code == 401,
                       timeout=3, step=0.02)
    assert ended, "the suspended account's session still works"
    assert time.monotonic() - started < 1.0 + 0.2  # the promise is "within a second"

    refused = Browserless(base).call("POST", "/api/v1/session", json={
        "practice_code": practice.code, "login": practice.bobby_email,
        "password": PRIVATE, "audience": "portal"})
    assert refused.status_code == 401 and refused.json()["error"] == "account_inactive"
