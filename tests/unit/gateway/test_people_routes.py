"""Contacts and grants, staff administration, roles, one's own two-step sign-in and the
guardian settings, through the pipeline with a fake RPC: what reaches identity, what
comes back, and that bad input or a missing permission is a clear 4xx (never a 500)."""
import pytest

from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests)
from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, PRACTICE, record, token

ADMIN_PERMS = ["view_clients", "edit_clients", "manage_portal_access", "manage_staff",
               "manage_practice_settings", "view_audit_log"]
ADMIN = {"Authorization": "Bearer " + token(kind="staff", perms=ADMIN_PERMS)}
CLINICIAN = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
CONTACT = {"Authorization": "Bearer " + token(kind="contact",
                                              clients={CLIENT_ID: ["view_appointments"]})}
CONTACT_ID = "c0ffee00-0000-4000-8000-000000000001"
STAFF_ID = "5a5a5a5a-0000-4000-8000-000000000002"
GRANT = {"contact_id": CONTACT_ID, "client_id": CLIENT_ID, "client_name": "Ada Lovelace",
         "permissions": ["view_appointments"], "effective_permissions": ["view_appointments"],
         "guardian": True, "band": "full", "renewed_until": None,
         "granted_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00",
         "client_date_of_birth": "never leaves"}
CONTACT_VIEW = {"contact_id": CONTACT_ID, "email": "jane@example.org", "name": "Jane Doe",
                "status": "invited", "created_at": "2026-01-01T00:00:00+00:00",
                "last_sign_in_at": None, "mfa_enrolled": False, "grants": [GRANT],
                "password_hash": "never leaves"}
MEMBER = {"id": STAFF_ID, "email": "sam@example.org", "name": "Sam", "role": "clinician",
          "status": "invited"}


def last(rpc):
    return rpc.calls[-1][1], rpc.calls[-1][2]


# -- contacts and grants ---------------------------------------------------------------------
def test_add_a_contact(client, rpc):
    rpc.answers["identity.create_contact"] = lambda a, p: dict(CONTACT_VIEW)
    r = client.post("/api/v1/contacts", headers=ADMIN,
                    json={"email": "jane@example.org", "name": "Jane Doe"})
    assert r.status_code == 201 and r.json["status"] == "invited"
    assert "password_hash" not in r.json
    assert "client_date_of_birth" not in r.json["grants"][0]
    assert last(rpc) == ("create_contact", (last(rpc)[1][0],
                                            {"email": "jane@example.org", "name": "Jane Doe"}))


@pytest.mark.parametrize("body, field", [
    ({"name": "Jane"}, "email"),
    ({"email": "not an email", "name": "Jane"}, "email"),
    ({"email": "j@example.org", "name": ""}, "name"),
    ({"email": "j@example.org", "name": "x" * 201}, "name"),
])
def test_a_bad_contact_is_422_without_asking_identity(client, rpc, body, field):
    r = client.post("/api/v1/contacts", headers=ADMIN, json=body)
    assert r.status_code == 422 and field in r.json["fields"]
    assert not rpc.calls


def test_a_taken_login_is_409(client, rpc):
    rpc.answers["identity.create_contact"] = Conflict(
        "login_taken", "Someone already signs in with that email.", {"email": ["taken"]})
    r = client.post("/api/v1/contacts", headers=ADMIN,
                    json={"email": "jane@example.org", "name": "Jane"})
    assert r.status_code == 409 and r.json["error"] == "login_taken"
    assert r.json["fields"]["email"] == ["taken"]


def test_contacts_need_staff_with_the_permission(client, rpc):
    for headers in (CLIENT, CONTACT):
        r = client.post("/api/v1/contacts", headers=headers,
                        json={"email": "jane@example.org", "name": "Jane"})
        assert r.status_code == 403 and r.json["error"] == "staff_only"
        assert client.get("/api/v1/contacts", headers=headers).status_code == 403
    r = client.post("/api/v1/contacts", headers=CLINICIAN,
                    json={"email": "jane@example.org", "name": "Jane"})
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    r = client.put(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=CLINICIAN,
                   json={"permissions": ["billing"]})
    assert r.status_code == 403
    assert not rpc.calls


def test_list_contacts_of_a_client(client, rpc):
    rpc.answers["identity.list_contacts"] = lambda a, p: {"items": [dict(CONTACT_VIEW)]}
    r = client.get(f"/api/v1/clients/{CLIENT_ID}/contacts", headers=CLINICIAN)
    assert r.status_code == 200 and r.json["items"][0]["name"] == "Jane Doe"
    assert last(rpc)[1][1] == {"client_id": CLIENT_ID}
    r = client.get(f"/api/v1/contacts?client_id={CLIENT_ID}", headers=CLINICIAN)
    assert r.status_code == 200 and last(rpc)[1][1] == {"client_id": CLIENT_ID}
    r = client.get("/api/v1/contacts", headers=CLINICIAN)
    assert r.status_code == 200 and last(rpc)[1][1] == {}


def test_contacts_of_another_practice_s_client_are_404_before_identity_is_asked(client, rpc):
    rpc.answers["charts.get_client"] = NotFound("not_found", "That record does not exist.")
    r = client.get(f"/api/v1/clients/{OTHER_CLIENT}/contacts", headers=ADMIN)
    assert r.status_code == 404
    r = client.get(f"/api/v1/contacts?client_id={OTHER_CLIENT}", headers=ADMIN)
    assert r.status_code == 404
    assert rpc.count("identity.list_contacts") == 0


def test_get_a_contact_and_an_unknown_one(client, rpc):
    rpc.answers["identity.get_contact"] = lambda a, cid: dict(CONTACT_VIEW)
    r = client.get(f"/api/v1/contacts/{CONTACT_ID}", headers=CLINICIAN)
    assert r.status_code == 200 and r.json["grants"][0]["band"] == "full"
    rpc.answers["identity.get_contact"] = NotFound("no_contact", "There is no such contact.")
    r = client.get("/api/v1/contacts/someone-else", headers=CLINICIAN)
    assert r.status_code == 404 and r.json["error"] == "no_contact"


def test_grant_passes_permissions_and_renewal(client, rpc):
    rpc.answers["identity.grant_access"] = lambda a, p: dict(GRANT, permissions=p["permissions"])
    r = client.put(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=ADMIN,
                   json={"permissions": ["view_appointments", "billing"],
                         "renewed_until": "2030-01-31"})
    assert r.status_code == 200 and r.json["permissions"] == ["view_appointments", "billing"]
    assert last(rpc)[1][1] == {"contact_id": CONTACT_ID, "client_id": CLIENT_ID,
                               "permissions": ["view_appointments", "billing"],
                               "renewed_until": "2030-01-31"}
    client.put(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=ADMIN,
               json={"permissions": ["billing"]})
    assert "renewed_until" not in last(rpc)[1][1]


@pytest.mark.parametrize("body, field", [
    ({}, "permissions"),
    ({"permissions": []}, "permissions"),
    ({"permissions": ["read_minds"]}, "permissions"),
    ({"permissions": "billing"}, "permissions"),
    ({"permissions": ["billing"], "renewed_until": "31/01/2030"}, "renewed_until"),
])
def test_a_bad_grant_is_422(client, rpc, body, field):
    r = client.put(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=ADMIN, json=body)
    assert r.status_code == 422 and any(k.startswith(field) for k in r.json["fields"])
    assert not rpc.calls


@pytest.mark.parametrize("error, status", [
    (NotFound("no_contact", "There is no such contact."), 404),
    (NotFound("not_found", "That record does not exist."), 404),
    (InvalidInput("permissions_required", "Choose one.", {"permissions": ["Choose one."]}), 422),
])
def test_grant_refusals_keep_their_status(client, rpc, error, status):
    rpc.answers["identity.grant_access"] = error
    r = client.put(f"/api/v1/contacts/{CONTACT_ID}/grants/{OTHER_CLIENT}", headers=ADMIN,
                   json={"permissions": ["billing"]})
    assert r.status_code == status and r.json["error"] == error.code


def test_revoke_a_grant(client, rpc):
    rpc.answers["identity.revoke_access"] = lambda a, p: dict(CONTACT_VIEW, grants=[])
    r = client.delete(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=ADMIN)
    assert r.status_code == 200 and r.json["grants"] == []
    assert last(rpc)[1][1] == {"contact_id": CONTACT_ID, "client_id": CLIENT_ID}
    rpc.answers["identity.revoke_access"] = NotFound("no_grant", "No access to that client.")
    r = client.delete(f"/api/v1/contacts/{CONTACT_ID}/grants/{CLIENT_ID}", headers=ADMIN)
    assert r.status_code == 404 and r.json["error"] == "no_grant"


ACCOUNT_ID = "acc0acc0-0000-4000-8000-000000000003"


def test_a_clients_own_account_holds_a_grant(client, rpc):
    """A client who is also a guardian: the grant rides on her portal account."""
    account_grant = dict(GRANT, holder_kind="client", contact_id=None, account_id=ACCOUNT_ID)
    rpc.answers["identity.grant_access"] = lambda a, p: dict(account_grant)
    path = f"/api/v1/portal-accounts/{ACCOUNT_ID}/grants/{CLIENT_ID}"
    r = client.put(path, headers=ADMIN, json={"permissions": ["view_appointments"]})
    assert r.status_code == 200 and r.json["holder_kind"] == "client"
    assert r.json["account_id"] == ACCOUNT_ID and "client_date_of_birth" not in r.json
    assert last(rpc) == ("grant_access", (last(rpc)[1][0], {
        "account_id": ACCOUNT_ID, "client_id": CLIENT_ID, "permissions": ["view_appointments"]}))
    rpc.answers["identity.grant_access"] = Conflict(
        "already_linked", "This account already acts for that client.", {"client_id": ["x"]})
    r = client.put(path, headers=ADMIN, json={"permissions": ["billing"]})
    assert r.status_code == 409 and r.json["error"] == "already_linked"
    rpc.answers["identity.revoke_access"] = lambda a, p: {
        "account_id": ACCOUNT_ID, "login": "jane@example.org", "status": "active",
        "name": "Jane Doe", "last_sign_in_at": None, "grants": [], "password_hash": "no",
        "clients": [{"client_id": "own", "name": "Jane Doe", "own": True, "linked_at": None}]}
    r = client.delete(path, headers=ADMIN)
    assert r.status_code == 200 and r.json["grants"] == [] and "password_hash" not in r.json
    assert last(rpc)[1][1] == {"account_id": ACCOUNT_ID, "client_id": CLIENT_ID}
    calls = len(rpc.calls)
    for headers in (CLINICIAN, CLIENT, CONTACT):
        assert client.put(path, headers=headers,
                          json={"permissions": ["billing"]}).status_code == 403
        assert client.delete(path, headers=headers).status_code == 403
    assert len(rpc.calls) == calls        # refused before identity is asked


def test_suspend_a_contact(client, rpc):
    rpc.answers["identity.set_contact_status"] = lambda a, p: dict(CONTACT_VIEW, status=p["status"])
    r = client.patch(f"/api/v1/contacts/{CONTACT_ID}", headers=ADMIN, json={"status": "suspended"})
    assert r.status_code == 200 and r.json["status"] == "suspended"
    r = client.patch(f"/api/v1/contacts/{CONTACT_ID}", headers=ADMIN, json={"status": "gone"})
    assert r.status_code == 422 and "status" in r.json["fields"]
    rpc.answers["identity.set_contact_status"] = Conflict("not_signed_up", "Not yet.")
    r = client.patch(f"/api/v1/contacts/{CONTACT_ID}", headers=ADMIN, json={"status": "active"})
    assert r.status_code == 409 and r.json["error"] == "not_signed_up"


def test_resend_a_contact_invitation_too_soon_is_429(client, rpc):
    rpc.answers["identity.resend_contact_invitation"] = TooManyRequests(
        "resend_too_soon", "Later.", {"retry_at": "2026-01-01T10:05:00+00:00", "retry_after": 200})
    r = client.post(f"/api/v1/contacts/{CONTACT_ID}/invitation", headers=ADMIN)
    assert r.status_code == 429 and r.headers["Retry-After"] == "200"


def test_reset_a_contact_s_two_factor(client, rpc):
    rpc.answers["identity.reset_mfa"] = lambda a, p: {"reset": True}
    r = client.post(f"/api/v1/contacts/{CONTACT_ID}/two-factor/reset", headers=ADMIN)
    assert r.status_code == 200 and last(rpc)[1][1] == {"contact_id": CONTACT_ID}


# -- a contact's grants on the portal routes ------------------------------------------------------
def test_a_contact_without_manage_information_reaches_no_details(client, rpc):
    for path in (f"/api/v1/me/details?client_id={CLIENT_ID}", "/api/v1/me/details",
                 f"/api/v1/clients/{CLIENT_ID}"):
        assert client.get(path, headers=CONTACT).status_code == 403, path
    r = client.patch(f"/api/v1/clients/{CLIENT_ID}", headers=CONTACT,
                     json={"city": "X", "version": 1})
    assert r.status_code == 403
    for path in (f"/api/v1/me/details?client_id={OTHER_CLIENT}", f"/api/v1/clients/{OTHER_CLIENT}"):
        assert client.get(path, headers=CONTACT).status_code == 404, path
    # contacts are not staff: none of the staff routes answer them
    for path in ("/api/v1/contacts", "/api/v1/staff", "/api/v1/roles", "/api/v1/clients"):
        assert client.get(path, headers=CONTACT).status_code == 403, path
    assert rpc.count("charts.get_client") == 0


# -- staff administration --------------------------------------------------------------------------
def test_staff_list_and_invite(client, rpc):
    rpc.answers["identity.list_staff"] = lambda a: [dict(MEMBER, password_hash="x")]
    r = client.get("/api/v1/staff", headers=ADMIN)
    assert r.status_code == 200 and r.json == [MEMBER]
    rpc.answers["identity.invite_staff"] = lambda a, p: dict(MEMBER, **p)
    r = client.post("/api/v1/staff", headers=ADMIN,
                    json={"email": "sam@example.org", "name": "Sam", "role": "clinician"})
    assert r.status_code == 201 and r.json["status"] == "invited"
    r = client.post("/api/v1/staff", headers=ADMIN,
                    json={"email": "sam@example.org", "name": "Sam", "role": "overlord"})
    assert r.status_code == 422 and "role" in r.json["fields"]
    rpc.answers["identity.invite_staff"] = Conflict("email_taken", "Taken.", {"email": ["used"]})
    r = client.post("/api/v1/staff", headers=ADMIN,
                    json={"email": "sam@example.org", "name": "Sam", "role": "clinician"})
    assert r.status_code == 409 and r.json["error"] == "email_taken"


def test_staff_administration_needs_manage_staff(client, rpc):
    for method, path, body in (("GET", "/api/v1/staff", None),
                               ("POST", "/api/v1/staff", {"email": "a@example.org", "name": "A",
                                                         "role": "intern"}),
                               ("PATCH", f"/api/v1/staff/{STAFF_ID}", {"role": "intern"}),
                               ("GET", "/api/v1/roles", None),
                               ("PUT", "/api/v1/roles/intern", {"permissions": []}),
                               ("POST", f"/api/v1/staff/{STAFF_ID}/two-factor/reset", None)):
        r = client.open(path, method=method, json=body, headers=CLINICIAN)
        assert r.status_code == 403 and r.json["error"] == "not_permitted", path
    assert not rpc.calls


def test_change_role_and_status(client, rpc):
    rpc.answers["identity.set_staff_role"] = lambda a, p: dict(MEMBER, role=p["role"])
    rpc.answers["identity.set_staff_status"] = lambda a, p: dict(MEMBER, role="intern",
                                                                 status=p["status"])
    r = client.patch(f"/api/v1/staff/{STAFF_ID}", headers=ADMIN, json={"role": "intern"})
    assert r.status_code == 200 and r.json["role"] == "intern"
    r = client.patch(f"/api/v1/staff/{STAFF_ID}", headers=ADMIN,
                     json={"role": "intern", "status": "suspended"})
    assert r.status_code == 200 and r.json["status"] == "suspended"
    assert [c[1] for c in rpc.calls] == ["set_staff_role", "set_staff_role", "set_staff_status"]
    r = client.patch(f"/api/v1/staff/{STAFF_ID}", headers=ADMIN, json={})
    assert r.status_code == 422
    rpc.answers["identity.set_staff_status"] = Conflict("last_administrator", "None left.")
    r = client.patch(f"/api/v1/staff/{STAFF_ID}", headers=ADMIN, json={"status": "inactive"})
    assert r.status_code == 409 and r.json["error"] == "last_administrator"
    rpc.answers["identity.set_staff_role"] = NotFound("no_staff", "No such staff member.")
    r = client.patch("/api/v1/staff/nobody", headers=ADMIN, json={"role": "intern"})
    assert r.status_code == 404


def test_role_matrix(client, rpc):
    matrix = {"permissions": ["view_clients", "manage_staff"],
              "roles": [{"role": "intern", "permissions": ["view_clients"],
                         "defaults": ["view_clients"]}]}
    rpc.answers["identity.get_role_permissions"] = lambda a: matrix
    rpc.answers["identity.set_role_permissions"] = lambda a, p: matrix
    assert client.get("/api/v1/roles", headers=ADMIN).json == matrix
    r = client.put("/api/v1/roles/intern", headers=ADMIN,
                   json={"permissions": ["view_clients", "edit_clients"]})
    assert r.status_code == 200
    assert last(rpc)[1][1] == {"role": "intern", "permissions": ["view_clients", "edit_clients"]}
    assert client.put("/api/v1/roles/overlord", headers=ADMIN,
                      json={"permissions": []}).status_code == 404
    r = client.put("/api/v1/roles/intern", headers=ADMIN, json={"permissions": ["fly"]})
    assert r.status_code == 422
    rpc.answers["identity.set_role_permissions"] = Conflict("admin_lockout", "Keep it.")
    r = client.put("/api/v1/roles/practice_admin", headers=ADMIN, json={"permissions": []})
    assert r.status_code == 409 and r.json["error"] == "admin_lockout"


def test_staff_reset_link_and_two_factor_reset(client, rpc):
    rpc.answers["identity.send_password_reset"] = lambda a, p: {
        "sent_to": "sam@example.org", "expires_at": "2026-01-02T00:00:00+00:00"}
    r = client.post(f"/api/v1/staff/{STAFF_ID}/password-reset", headers=ADMIN)
    assert r.status_code == 201 and last(rpc)[1][1] == {"staff_id": STAFF_ID}
    rpc.answers["identity.reset_mfa"] = NotFound("no_login", "That person has no sign-in.")
    r = client.post(f"/api/v1/staff/{STAFF_ID}/two-factor/reset", headers=ADMIN)
    assert r.status_code == 404 and r.json["error"] == "no_login"


# -- one's own two-step sign-in ------------------------------------------------------------------
@pytest.mark.parametrize("headers", [ADMIN, CLIENT, CONTACT])
def test_everyone_signed_in_reads_their_two_factor_status(client, rpc, headers):
    rpc.answers["identity.get_mfa_status"] = lambda a: {
        "enrolled": False, "required": False, "enrolled_at": None, "recovery_codes_left": 0}
    r = client.get("/api/v1/security/two-factor", headers=headers)
    assert r.status_code == 200 and r.json["enrolled"] is False


def test_turn_two_factor_on_and_off(client, rpc):
    rpc.answers["identity.begin_mfa_enrolment"] = lambda a: {
        "secret": "JBSWY3DPEHPK3PXP", "otpauth_uri": "otpauth://totp/x", "digits": 6,
        "interval": 30}
    rpc.answers["identity.confirm_mfa_enrolment"] = lambda a, p: {
        "enrolled_at": "2026-01-01T00:00:00+00:00", "recovery_codes": ["abcde-fghij"] * 10}
    rpc.answers["identity.disable_mfa"] = lambda a, p: {"enrolled": False}
    r = client.post("/api/v1/security/two-factor/enrolment", headers=CLIENT)
    assert r.status_code == 200 and r.json["secret"] == "JBSWY3DPEHPK3PXP"
    r = client.post("/api/v1/security/two-factor/enrolment/confirm", headers=CLIENT,
                    json={"code": "123456"})
    assert r.status_code == 200 and len(r.json["recovery_codes"]) == 10
    assert last(rpc)[1][1] == {"code": "123456"}
    r = client.post("/api/v1/security/two-factor/disable", headers=CLIENT,
                    json={"code": "abcde-fghij"})
    assert r.status_code == 200 and r.json == {"enrolled": False}


@pytest.mark.parametrize("path, error, status", [
    ("/enrolment/confirm", InvalidInput("invalid_code", "Wrong.", {"code": ["Wrong."]}), 422),
    ("/enrolment/confirm", Conflict("mfa_enrolment_not_started", "Start first."), 409),
    ("/enrolment/confirm", TooManyRequests("too_many_attempts", "Wait.", {"retry_after": 60}), 429),
    ("/recovery-codes", NotFound("mfa_not_enrolled", "Not on."), 404),
    ("/disable", Forbidden("mfa_required", "Cannot be turned off here."), 403),
])
def test_two_factor_refusals_keep_their_status(client, rpc, path, error, status):
    method = {"/enrolment/confirm": "confirm_mfa_enrolment",
              "/recovery-codes": "regenerate_recovery_codes", "/disable": "disable_mfa"}[path]
    rpc.answers[f"identity.{method}"] = error
    r = client.post("/api/v1/security/two-factor" + path, headers=ADMIN, json={"code": "123456"})
    assert r.status_code == status and r.json["error"] == error.code


def test_a_missing_code_is_422(client, rpc):
    for path in ("/enrolment/confirm", "/recovery-codes", "/disable"):
        r = client.post("/api/v1/security/two-factor" + path, headers=CLIENT, json={})
        assert r.status_code == 422 and "code" in r.json["fields"]
        r = client.post("/api/v1/security/two-factor" + path, headers=CLIENT,
                        json={"code": "1" * 41})
        assert r.status_code == 422
    assert not rpc.calls


# -- guardian age bands and the two-step rule in the practice settings --------------------------
def test_guardian_settings_read_and_write(client, rpc):
    practice = dict(PRACTICE, guardian_full_until_age=12, guardian_access_ends_at_age=18,
                    client_own_access_from_age=12, mfa_required_for_clients=False,
                    confidential_permissions=["message_clinician", "manage_documentation"])
    rpc.answers["identity.get_session"] = lambda a: {"kind": "staff", "id": "s1",
                                                     "practice": practice}
    rpc.answers["identity.get_practice"] = lambda code: dict(practice)
    r = client.get("/api/v1/practice/settings", headers=ADMIN)
    assert r.status_code == 200 and r.json["guardian_access_ends_at_age"] == 18
    assert r.json["confidential_permissions"] == ["message_clinician", "manage_documentation"]
    seen = {}
    rpc.answers["identity.update_practice_settings"] = lambda a, p: seen.update(p) or dict(
        practice, **p)
    body = {"guardian_full_until_age": 13, "guardian_access_ends_at_age": 19,
            "client_own_access_from_age": 14, "confidential_permissions": ["billing"],
            "mfa_required_for_clients": True}
    r = client.patch("/api/v1/practice/settings", headers=ADMIN, json=body)
    assert r.status_code == 200 and seen == body and r.json["mfa_required_for_clients"] is True
    r = client.get("/api/v1/practice/settings", headers=ADMIN)
    assert r.json["guardian_full_until_age"] == 13   # this replica serves its own write


@pytest.mark.parametrize("body, field", [
    ({"guardian_full_until_age": -1}, "guardian_full_until_age"),
    ({"guardian_full_until_age": "12"}, "guardian_full_until_age"),
    ({"guardian_access_ends_at_age": 99}, "guardian_access_ends_at_age"),
    ({"client_own_access_from_age": 30}, "client_own_access_from_age"),
    ({"confidential_permissions": ["everything"]}, "confidential_permissions"),
    ({"mfa_required_for_clients": "maybe"}, "mfa_required_for_clients"),
])
def test_bad_guardian_settings_are_422(client, rpc, body, field):
    r = client.patch("/api/v1/practice/settings", headers=ADMIN, json=body)
    assert r.status_code == 422 and any(k.startswith(field) for k in r.json["fields"])
    assert not rpc.calls


def test_inverted_age_bands_are_refused_by_identity_as_422(client, rpc):
    rpc.answers["identity.update_practice_settings"] = InvalidInput(
        "invalid_age_bands", "Full access must end before access ends.",
        {"guardian_full_until_age": ["too high"]})
    r = client.patch("/api/v1/practice/settings", headers=ADMIN,
                     json={"guardian_full_until_age": 20, "guardian_access_ends_at_age": 18})
    assert r.status_code == 422 and r.json["error"] == "invalid_age_bands"


def test_the_new_routes_are_described(app):
    paths = app.openapi.spec["paths"] if hasattr(app.openapi, "spec") else None
    if paths is None:
        import json
        from werkzeug.test import Client
        from werkzeug.wrappers import Request

        def wsgi(environ, start_response):
            return app.handle(Request(environ))(environ, start_response)
        paths = json.loads(Client(wsgi).get("/api/v1/openapi.json").data)["paths"]
    for path in ("/api/v1/contacts", "/api/v1/contacts/{contact_id}/grants/{client_id}",
                 "/api/v1/clients/{client_id}/contacts", "/api/v1/staff",
                 "/api/v1/staff/{staff_id}", "/api/v1/roles/{role}",
                 "/api/v1/security/two-factor", "/api/v1/security/two-factor/disable"):
        assert path in paths, path
    grant = paths["/api/v1/contacts/{contact_id}/grants/{client_id}"]["put"]
    assert "requestBody" in grant


def test_record_fixture_is_unchanged():
    assert record()["id"] == CLIENT_ID


def test_the_role_editor_accepts_exactly_identity_s_permissions():
    """The gateway validates role permissions before identity does: the two lists are one."""
    from gateway.api.team.schemas import ROLES, STAFF_PERMISSIONS
    from services.identity.domain import roles
    assert set(STAFF_PERMISSIONS) == set(roles.PERMISSIONS)
    assert set(ROLES) == set(roles.ROLES)
