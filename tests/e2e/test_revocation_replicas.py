"""Revocation across gateway processes (issue 4, done when): with two gateway processes
running, staff removing Jane's access through one makes her token fail on the other within
a second — also when the other was restarted meanwhile, from its very first answer.

The session's stack is gateway 1; gateway 2 is one more `python -m services.common.run
gateway` process on the same vhost, services and token key (Stack.start_gateway), stopped
by this module whatever happens."""
import time
import uuid

import pytest
import requests

from tests.e2e.practice import add_client, give_login, new_practice
from tests.e2e.test_story_http import staff_session

PASSWORD = "lantern meadow copper sparrow"
POLL_SECONDS = 0.05
REVOKED_WITHIN_SECONDS = 1.0


@pytest.fixture
def practice(haven_stack):
    return new_practice(haven_stack)


@pytest.fixture
def second_gateway(haven_stack):
    """(name, URL) of a second gateway process; stopped at the end, restarted or not."""
    name = f"gateway-replica-{uuid.uuid4().hex[:6]}"
    try:
        yield name, haven_stack.start_gateway(name=name)
    finally:
        haven_stack.stop_process(name)


def sign_in(base, practice, login):
    r = requests.post(base + "/api/v1/session", timeout=10, json={
        "practice_code": practice.code, "login": login, "password": PASSWORD,
        "audience": "portal", "token_delivery": "body"})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def details(base, token):
    return requests.get(base + "/api/v1/me/details", headers=token, timeout=10)


def set_access(staff, base, client_id, status):
    r = staff.patch(f"{base}/api/v1/clients/{client_id}/portal-access",
                    json={"status": status}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == status, r.text
    return r


def answers_until_refused(base, token, timeout=10.0):
    """Every status gateway `base` gives `token`, polled every 50 ms until a 401 (or the
    deadline); connection refusals (a process still starting) are not answers."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = details(base, token)
        except requests.ConnectionError:
            time.sleep(POLL_SECONDS)
            continue
        seen.append((r.status_code, r.json().get("error")))
        if r.status_code == 401:
            return seen, time.monotonic()
        time.sleep(POLL_SECONDS)
    return seen, None


def test_removing_access_through_one_gateway_ends_the_session_on_another(
        haven_stack, practice, second_gateway, record_property):
    first = haven_stack.base_url
    name, second = second_gateway
    jane = add_client(haven_stack, practice, "Jane", "Doe", "1984-07-21",
                      f"jane-{practice.code}@example.org")
    give_login(haven_stack, practice, jane, PASSWORD)
    bobby = {"id": practice.bobby_id, "email": practice.bobby_email,
             "first_name": "Bobby", "last_name": "Newman"}
    give_login(haven_stack, practice, bobby, PASSWORD)
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)

    # Jane signs in through gateway 1 and uses her token on gateway 2
    token = sign_in(first, practice, jane["email"])
    r = details(second, token)
    assert r.status_code == 200 and r.json()["id"] == jane["id"], r.text

    # staff remove her access through gateway 1; gateway 2 refuses her within a second
    set_access(intake, first, jane["id"], "inactive")
    replied = time.monotonic()
    seen, refused_at = answers_until_refused(second, token)
    assert refused_at is not None, f"gateway 2 still serves Jane: {seen}"
    assert seen[-1] == (401, "session_ended")
    assert all(status in (200, 401) for status, _ in seen), seen
    latency = refused_at - replied
    record_property("revocation_latency_seconds", round(latency, 3))
    print(f"\nrevocation reached gateway 2 {latency * 1000:.0f} ms after the staff reply "
          f"({len(seen)} polls)")
    assert latency <= REVOKED_WITHIN_SECONDS, f"{latency:.3f} s: {seen}"

    # -- the restart case: a revocation made while gateway 2 is down ---------------------
    set_access(intake, first, jane["id"], "active")          # staff restore her access
    token = sign_in(first, practice, jane["email"])           # a new session
    control = sign_in(first, practice, bobby["email"])        # nobody revokes this one
    assert details(second, token).status_code == 200

    haven_stack.stop_process(name)
    set_access(intake, first, jane["id"], "inactive")
    second = haven_stack.start_gateway(name=name, wait=False)
    seen, refused_at = answers_until_refused(second, token, timeout=60.0)
    assert refused_at is not None, f"gateway 2 never refused Jane after its restart: {seen}"
    # never served: only "starting up" (503 with Retry-After) before the 401
    assert all(s == (503, "unavailable") for s in seen[:-1]), seen
    assert seen[-1] == (401, "session_ended"), seen
    print(f"restarted gateway 2 answered Jane's revoked token {seen}")
    r = details(second, control)                               # and it does serve others
    assert r.status_code == 200 and r.json()["id"] == bobby["id"], r.text
