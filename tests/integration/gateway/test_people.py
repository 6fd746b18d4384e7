"""The people routes in a real GatewayService on the real broker with a fake identity:
identity's refusals cross RabbitMQ as their own class and keep their status and fields
(422/403/404/409/429), and a narrowed grant's `session.revoked` reaches the gateway, which
then refuses the contact's token."""
import uuid

import pytest
import requests
from nameko.events import EventDispatcher

from services.common.errors import (
    EXPECTED,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)
from services.common.rpc import rpc
from tests.integration.gateway.fakes import (
    CLIENT_ID,
    OTHER_CLIENT,
    FakeAccessIdentity,
    FakeCharts,
    FakeNotify,
    FakeScheduling,
    State,
    envelope,
    make_token,
    time_now,
)
from tests.integration.gateway.test_gateway import base_config, bearer, start_gateway, wait_for  # noqa: F401

CONTACT_ID = str(uuid.uuid4())
ADMIN = ["view_clients", "manage_portal_access", "manage_staff", "manage_practice_settings"]


def contact_view(grants=()):
    return {"contact_id": CONTACT_ID, "email": "jane@example.org", "name": "Jane",
            "status": "active", "created_at": "2026-01-01T00:00:00+00:00",
            "last_sign_in_at": None, "mfa_enrolled": False, "grants": list(grants)}


class FakePeopleIdentity(FakeAccessIdentity):
    name = "identity"
    dispatch = EventDispatcher()

    @rpc(expected_exceptions=EXPECTED)
    def create_contact(self, actor, payload):
        if payload["email"] == "taken@example.org":
            raise Conflict("login_taken", "Someone already signs in with that email.",
                           {"email": ["This email is already used to sign in."]})
        return contact_view()

    @rpc(expected_exceptions=EXPECTED)
    def list_contacts(self, actor, payload):
        return {"items": [contact_view()]}

    @rpc(expected_exceptions=EXPECTED)
    def grant_access(self, actor, payload):
        if payload["client_id"] == OTHER_CLIENT:
            raise NotFound("not_found", "That record does not exist.")
        return {"contact_id": payload["contact_id"], "client_id": payload["client_id"],
                "client_name": "Ada", "permissions": payload["permissions"],
                "effective_permissions": payload["permissions"], "guardian": True,
                "band": "full", "renewed_until": None, "granted_at": time_now(),
                "updated_at": time_now()}

    @rpc(expected_exceptions=EXPECTED)
    def revoke_access(self, actor, payload):
        # as identity does: taking access away revokes the contact's sessions
        sid = "contact-session"
        State.revoked[sid] = time_now()
        self.dispatch("session.revoked", envelope("session.revoked", {
            "session_ids": [sid], "account_id": CONTACT_ID, "revoked_at": time_now(),
            "reason": "grant_narrowed"}))
        return contact_view()

    @rpc(expected_exceptions=EXPECTED)
    def resend_contact_invitation(self, actor, payload):
        raise TooManyRequests("resend_too_soon", "You can send it again at 10:05 UTC.",
                              {"retry_at": "2026-01-01T10:05:00+00:00", "retry_after": 120})

    @rpc(expected_exceptions=EXPECTED)
    def set_staff_role(self, actor, payload):
        raise Conflict("last_administrator", "The practice would have no administrator left.")

    @rpc(expected_exceptions=EXPECTED)
    def get_mfa_status(self, actor):
        return {"enrolled": True, "required": actor["kind"] == "staff",
                "enrolled_at": time_now(), "recovery_codes_left": 10}

    @rpc(expected_exceptions=EXPECTED)
    def disable_mfa(self, actor, payload):
        if actor["kind"] == "staff":
            raise Forbidden("mfa_required", "Two-step sign-in cannot be turned off here.")
        return {"enrolled": False}

    @rpc(expected_exceptions=EXPECTED)
    def confirm_mfa_enrolment(self, actor, payload):
        raise InvalidInput("invalid_code", "That code is not right.", {"code": ["wrong"]})


@pytest.fixture
def gateway(container_factory, base_config, start_gateway):  # noqa: F811
    State.revoked.clear()
    State.records.clear()
    State.calls.clear()
    for cls in (FakePeopleIdentity, FakeCharts, FakeNotify, FakeScheduling):
        container_factory(cls, base_config).start()
    return start_gateway()


def staff():
    return bearer(make_token(str(uuid.uuid4()), kind="staff", clients={}, perms=ADMIN))


def test_contacts_and_grants_cross_rabbitmq(gateway):
    r = requests.post(gateway + "/api/v1/contacts", headers=staff(), timeout=10,
                      json={"email": "jane@example.org", "name": "Jane"})
    assert r.status_code == 201 and r.json()["contact_id"] == CONTACT_ID
    r = requests.post(gateway + "/api/v1/contacts", headers=staff(), timeout=10,
                      json={"email": "taken@example.org", "name": "Jane"})
    assert r.status_code == 409 and r.json()["fields"] == {"email": ["This email is already used to sign in."]}
    r = requests.get(f"{gateway}/api/v1/clients/{CLIENT_ID}/contacts", headers=staff(),
                     timeout=10)
    assert r.status_code == 200 and r.json()["items"][0]["name"] == "Jane"
    r = requests.put(f"{gateway}/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}",
                     headers=staff(), json={"permissions": ["view_appointments"]}, timeout=10)
    assert r.status_code == 200 and r.json()["band"] == "full"
    r = requests.put(f"{gateway}/api/v1/contacts/{CONTACT_ID}/grants/{OTHER_CLIENT}",
                     headers=staff(), json={"permissions": ["billing"]}, timeout=10)
    assert r.status_code == 404
    r = requests.put(f"{gateway}/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}",
                     headers=staff(), json={"permissions": ["fly"]}, timeout=10)
    assert r.status_code == 422
    r = requests.post(f"{gateway}/api/v1/contacts/{CONTACT_ID}/invitation", headers=staff(),
                      timeout=10)
    assert r.status_code == 429 and r.headers["Retry-After"] == "120"
    r = requests.patch(f"{gateway}/api/v1/staff/{uuid.uuid4()}", headers=staff(),
                       json={"role": "intern"}, timeout=10)
    assert r.status_code == 409 and r.json()["error"] == "last_administrator"


def test_a_revoked_grant_ends_the_contact_s_token(gateway):
    contact = bearer(make_token("contact-session", kind="contact",
                                clients={CLIENT_ID: ["manage_information"]}))
    r = requests.get(gateway + "/api/v1/me/details", headers=contact, timeout=10)
    assert r.status_code == 200 and r.json()["id"] == CLIENT_ID
    r = requests.delete(f"{gateway}/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}",
                        headers=staff(), timeout=10)
    assert r.status_code == 200
    assert wait_for(lambda: requests.get(gateway + "/api/v1/me/details", headers=contact,
                                         timeout=10).status_code == 401, timeout=3)


def test_two_factor_routes_cross_rabbitmq(gateway):
    client = bearer(make_token(str(uuid.uuid4())))
    assert requests.get(gateway + "/api/v1/security/two-factor", headers=client,
                        timeout=10).json()["required"] is False
    r = requests.post(gateway + "/api/v1/security/two-factor/disable", headers=client,
                      json={"code": "123456"}, timeout=10)
    assert r.status_code == 200 and r.json() == {"enrolled": False}
    r = requests.post(gateway + "/api/v1/security/two-factor/disable", headers=staff(),
                      json={"code": "123456"}, timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "mfa_required"
    r = requests.post(gateway + "/api/v1/security/two-factor/enrolment/confirm",
                      headers=client, json={"code": "000000"}, timeout=10)
    assert r.status_code == 422 and r.json()["fields"]["code"] == ["wrong"]
