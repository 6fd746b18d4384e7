"""Issue 4's routes in a real GatewayService on the real broker, with a fake identity:
errors cross RabbitMQ as their own class, invitations sign in with cookies only, and
identity's events reach the gateway's read models."""
import uuid

import requests

from tests.integration.gateway import fakes
from tests.integration.gateway.fakes import (CLIENT_ID, DOB, INVITE_TOKEN, OTHER_CLIENT,
                                             PRACTICE, FakeAccessIdentity, FakeCharts,
                                             FakeNotify, FakeScheduling, State, make_token)
from tests.integration.gateway.test_gateway import (base_config, bearer,  # noqa: F401 (fixtures)
                                                    start_gateway, wait_for)

import pytest

ADMIN = ["view_clients", "manage_portal_access", "manage_practice_settings", "view_audit_log"]


@pytest.fixture
def gateway(container_factory, base_config, start_gateway):  # noqa: F811
    State.revoked.clear()
    State.records.clear()
    State.calls.clear()
    saved = dict(PRACTICE)
    for cls in (FakeAccessIdentity, FakeCharts, FakeNotify, FakeScheduling):
        container_factory(cls, base_config).start()
    yield start_gateway()
    PRACTICE.clear()
    PRACTICE.update(saved)


def staff():
    return bearer(make_token(str(uuid.uuid4()), kind="staff", clients={}, perms=ADMIN))


def test_invitation_acceptance_signs_in_with_cookies_only(gateway):
    visitor = requests.Session()
    r = visitor.post(gateway + "/api/v1/invitations/lookup", json={"token": INVITE_TOKEN},
                     timeout=10)
    assert r.status_code == 200 and r.json()["attempts_left"] == 5
    r = visitor.post(gateway + "/api/v1/invitations/accept", timeout=10, json={
        "token": INVITE_TOKEN, "date_of_birth": "1990-01-03", "password": "p" * 20})
    assert r.status_code == 422 and r.json()["fields"]["attempts_left"] == 4
    assert not visitor.cookies
    r = visitor.post(gateway + "/api/v1/invitations/accept", timeout=10, json={
        "token": INVITE_TOKEN, "date_of_birth": DOB, "password": "p" * 20})
    assert r.status_code == 201 and "access_token" not in r.json()
    assert visitor.cookies.get("haven_access") and visitor.cookies.get("haven_csrf")
    assert ("accept_invitation", "127.0.0.1") in State.calls  # the caller's address
    assert visitor.get(gateway + "/api/v1/me/details", timeout=10).json()["id"] == CLIENT_ID
    r = visitor.post(gateway + "/api/v1/invitations/lookup", json={"token": "x" * 40},
                     timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "invitation_not_found"


def test_resend_too_soon_crosses_rabbitmq_as_429_with_its_time(gateway):
    r = requests.post(f"{gateway}/api/v1/clients/{CLIENT_ID}/invitation", headers=staff(),
                      timeout=10)
    assert r.status_code == 429 and r.json()["error"] == "resend_too_soon"
    assert r.json()["fields"]["retry_at"] == "2026-01-01T10:05:00+00:00"
    assert r.headers["Retry-After"] == "240"


def test_forgot_password_answer(gateway):
    r = requests.post(gateway + "/api/v1/password-resets", timeout=10,
                      json={"practice_code": "demo", "email": "who@example.org"})
    assert r.status_code == 202 and r.json()["accepted"] is True
    r = requests.post(gateway + "/api/v1/password-resets", timeout=10,
                      json={"practice_code": "demo"})
    assert r.status_code == 422 and "email" in r.json()["fields"]


def test_practice_updated_reaches_the_branding_read_model(gateway, start_gateway):  # noqa: F811
    other = start_gateway()   # a second replica hears the event too
    for url in (gateway, other):
        assert requests.get(url + "/api/v1/practices/demo", timeout=5).json()["title"] == \
            "Welcome"
    r = requests.patch(gateway + "/api/v1/practice/settings", headers=staff(), timeout=10,
                       json={"title": "Hello again", "idle_timeout_minutes": 20})
    assert r.status_code == 200, r.text
    assert wait_for(lambda: requests.get(other + "/api/v1/practices/demo", timeout=5).json()
                    .get("title") == "Hello again", timeout=3)
    assert requests.get(other + "/api/v1/practices/demo", timeout=5).json()[
        "idle_timeout_minutes"] == 20


def test_link_and_audit(gateway):
    r = requests.post(gateway + "/api/v1/portal-accounts/acc-1/clients", headers=staff(),
                      json={"client_id": OTHER_CLIENT}, timeout=10)
    assert r.status_code == 201 and len(r.json()["clients"]) == 2
    r = requests.get(gateway + "/api/v1/audit?action=sign_in&since=2026-01-01T00:00:00Z",
                     headers=staff(), timeout=10)
    assert r.status_code == 200 and r.json() == {"entries": []}
    audit = [c for c in State.calls if isinstance(c, tuple) and c[0] == "list_audit"]
    assert audit[0][1]["action"] == "sign_in"
    r = requests.get(gateway + "/api/v1/audit?since=not-a-time", headers=staff(), timeout=10)
    assert r.status_code == 422


def test_static_files_revalidate(gateway):
    r = requests.get(gateway + "/static/js/api.js", timeout=5)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    again = requests.get(gateway + "/static/js/api.js", timeout=5,
                         headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
