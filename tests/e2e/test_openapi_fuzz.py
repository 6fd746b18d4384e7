"""Fuzzing the OpenAPI description with schemathesis against the running stack.

Every documented operation is called with examples generated from its own description,
valid and invalid (negative mode), as the people it is for: a client of a fresh practice,
that practice's administrator, or nobody. Each answer must be:
  - never a 5xx;
  - a status the description lists for that operation;
  - a body (and type) that conforms to the schema documented for that status;
  - a 4xx for input the description calls invalid.
New routes are covered as soon as they are documented. Examples are bounded per operation
and derandomized (the same cases every run), so a failure is reproducible.
"""
import itertools
import re

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                negative_data_rejection,
                                                response_schema_conformance,
                                                status_code_conformance)

from gateway.router import CLIENT, PUBLIC, STAFF, Router
from gateway.api import TABLES
from tests.e2e.practice import give_login, new_practice, staff_sign_in

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
CONFIG = {
    "generation": {"mode": "all", "max-examples": 2, "deterministic": True},
    # Explicit examples and bounded fuzzing; the coverage phase's boundary enumeration
    # is unbounded per operation (time) and stateful links are not described.
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "request-timeout": 10,
}
# Calls that count as failed sign-in attempts per source address (and would throttle
# this address for the tests after this one): only invalid input, refused by the gateway
# before identity counts anything.
COUNTED_ATTEMPTS = re.compile(
    r"^/api/v1/(session(/mfa.*)?|password-resets.*|invitations/.*)$")
AUTH = {(r.method, r.openapi_path): r.auth for r in Router(TABLES).routes}


@pytest.fixture(scope="module")
def people(haven_stack):
    """Bearer headers of a fresh practice's administrator and of its client Bobby (so the
    fuzz can change settings, roles and staff without touching the demo practice), and
    Bobby's chart id (real ids let reads reach the services' answers)."""
    base = haven_stack.base_url
    practice = new_practice(haven_stack)
    password = "tangerine harbour lantern 7"
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, password)
    client = requests.post(base + "/api/v1/session", timeout=10, json={
        "practice_code": practice.code, "login": practice.bobby_email, "password": password,
        "audience": "portal", "token_delivery": "body"})
    assert client.status_code == 200, client.text
    _, staff = staff_sign_in(base, practice.admin_login, practice.staff_password)
    return {"client": {"Authorization": "Bearer " + client.json()["access_token"]},
            "staff": {"Authorization": "Bearer " + staff.json()["access_token"]},
            "bobby_id": practice.bobby_id}


def _load(haven_stack, counted):
    config = SchemathesisConfig.from_dict(dict(CONFIG, generation=dict(
        CONFIG["generation"], mode="negative" if counted else "all")))
    return schemathesis.openapi.from_url(haven_stack.base_url + "/api/v1/openapi.json",
                                         config=config)


@pytest.fixture(scope="module")
def api(haven_stack):
    return _load(haven_stack, counted=False)


@pytest.fixture(scope="module")
def sign_in_api(haven_stack):
    return _load(haven_stack, counted=True)


_turn = itertools.count()


def _call(case, haven_stack, people):
    auth = AUTH[(case.operation.method.upper(), case.operation.path)]
    turn = next(_turn)
    if auth == PUBLIC:
        headers = {}
    elif auth == STAFF or (auth != CLIENT and turn % 2):
        headers = people["staff"]
    else:
        headers = people["client"]
    # Half the reads name Bobby's real chart, so their answers are checked too (writes keep
    # their generated ids: a suspended Bobby would end the client's session mid-run).
    params = case.path_parameters or {}
    if "client_id" in params and case.operation.method.upper() == "GET" and turn % 2:
        params["client_id"] = people["bobby_id"]
    case.call_and_validate(base_url=haven_stack.base_url, headers=headers, checks=CHECKS,
                           timeout=10)


# Signing out would end the session every other call uses.
api_schema = schemathesis.pytest.from_fixture("api").exclude(
    path_regex=COUNTED_ATTEMPTS.pattern).exclude(method="DELETE", path="/api/v1/session")
sign_in_schema = schemathesis.pytest.from_fixture("sign_in_api").include(
    path_regex=COUNTED_ATTEMPTS.pattern)


@api_schema.parametrize()
def test_every_documented_operation(case, haven_stack, people):
    _call(case, haven_stack, people)


@sign_in_schema.parametrize()
def test_sign_in_operations_refuse_invalid_input(case, haven_stack, people):
    _call(case, haven_stack, people)


def test_docs_page_is_swagger_ui_served_by_haven_alone(haven_stack, page):
    """/api/v1/docs renders every operation in Chromium under the page's CSP, and asks
    nothing of any other origin (no CDN, no online validator)."""
    from playwright.sync_api import expect
    base = haven_stack.base_url
    elsewhere, refused = [], []
    page.on("request", lambda r: None if r.url.startswith((base, "data:"))
            else elsewhere.append(r.url))
    page.on("console", lambda m: refused.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.goto(base + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Haven API")
    sign_in = page.locator(".opblock-summary-path[data-path='/api/v1/session']").first
    expect(sign_in).to_be_visible()
    assert page.locator(".opblock").count() >= len(
        [r for r in Router(TABLES).routes if r.documented])
    assert not elsewhere and not refused, (elsewhere, refused)
