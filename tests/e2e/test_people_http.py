"""Issue 4's people over HTTP through the whole stack: Jane's contact network (a guardian
with per-client grants, what each grant reaches and what it does not, access removed from
one child), staff administration and role permissions, and two-step sign-in for staff,
clients and contacts.

Jane signs in twice: identity keeps contacts as an account kind of their own, and one
email is the portal login of at most one person per practice, so a client login cannot
hold grants yet (docs/identity.md, "Not built yet"). Jane's own login (her chart, and her
son's linked to it) is her client account; as her daughters' guardian she holds a contact
login with a second address.
"""
import time

import pyotp
import pytest

from tests.e2e.practice import (add_client, give_login, mail_count, new_practice,
                                staff_sign_in, totp_code, wait_for_mail)
from tests.e2e.test_story_http import Browserless, staff_session, wait_until

JANE_PASSWORD = "lantern meadow copper sparrow"
GUARDIAN_PASSWORD = "harbour lights over the quiet bay"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def practice(haven_stack):
    return new_practice(haven_stack)


def portal(base, practice, login, password):
    person = Browserless(base)
    r = person.call("POST", "/api/v1/session", json={
        "practice_code": practice.code, "login": login, "password": password,
        "audience": "portal"})
    return person, r


def choose_password_from_mail(stack, email, password, after):
    path, message = wait_for_mail(stack, email, "reset", after=after)
    token = path.rsplit("/", 1)[1]
    r = Browserless(stack.base_url).call("POST", "/api/v1/password-resets/complete",
                                         json={"token": token, "new_password": password})
    assert r.status_code == 200, r.text
    return message


def test_jane_as_guardian_sees_exactly_what_each_grant_allows(haven_stack, practice):
    base, stack = haven_stack.base_url, haven_stack
    api = f"{base}/api/v1"
    email = f"jane-{practice.code}@example.org"
    guardian_email = f"jane.guardian-{practice.code}@example.org"
    jane_chart = add_client(stack, practice, "Jane", "Doe", "1984-07-21", email)
    son = add_client(stack, practice, "Sam", "Doe", "2015-03-02", email)
    daughter = add_client(stack, practice, "Mia", "Doe", "2017-09-14")
    lily = add_client(stack, practice, "Lily", "Doe", "2019-01-30")
    teen = add_client(stack, practice, "Ava", "Doe", f"{time.gmtime().tm_year - 15}-06-15")
    account = give_login(stack, practice, jane_chart, JANE_PASSWORD)
    intake = staff_session(stack, practice.intake_login, practice.staff_password)
    assert intake.post(f"{api}/portal-accounts/{account['account_id']}/clients", timeout=10,
                       json={"client_id": son["id"]}).status_code == 201

    # -- staff add Jane as a contact; she chooses a password from the emailed link --------
    before = mail_count(stack)
    r = intake.post(f"{api}/contacts", json={"email": guardian_email, "name": "Jane Doe"},
                    timeout=10)
    assert r.status_code == 201, r.text
    contact = r.json()
    assert contact["status"] == "invited" and contact["grants"] == []
    taken = intake.post(f"{api}/contacts", json={"email": email, "name": "Jane"}, timeout=10)
    assert taken.status_code == 409 and taken.json()["error"] == "login_taken"
    message = choose_password_from_mail(stack, guardian_email, GUARDIAN_PASSWORD, before)
    assert "Mia" not in message["body"] and "Doe" not in message["body"]   # names no client

    cid = contact["contact_id"]
    grant = intake.put(f"{api}/contacts/{cid}/grants/{daughter['id']}", timeout=10,
                       json={"permissions": ["view_appointments"]})
    assert grant.status_code == 200, grant.text
    assert grant.json()["guardian"] is True and grant.json()["band"] == "full"
    r = intake.put(f"{api}/contacts/{cid}/grants/{lily['id']}", timeout=10,
                   json={"permissions": ["manage_information", "manage_documentation"]})
    assert r.status_code == 200
    # a teenager's confidential paperwork stays hers (the practice's default bands)
    r = intake.put(f"{api}/contacts/{cid}/grants/{teen['id']}", timeout=10,
                   json={"permissions": ["view_appointments", "manage_documentation"]})
    assert r.status_code == 200 and r.json()["band"] == "partial"
    assert r.json()["effective_permissions"] == ["view_appointments"]
    bad = intake.put(f"{api}/contacts/{cid}/grants/{daughter['id']}", timeout=10,
                     json={"permissions": []})
    assert bad.status_code == 422
    listed = intake.get(f"{api}/clients/{daughter['id']}/contacts", timeout=10).json()
    assert [c["contact_id"] for c in listed["items"]] == [cid]

    # -- Jane's own login: herself and her son, everything -------------------------------------
    jane, r = portal(base, practice, email, JANE_PASSWORD)
    assert r.status_code == 200 and r.json()["principal"]["kind"] == "client"
    assert {c["client_id"]: c["permissions"] for c in r.json()["principal"]["clients"]} == {
        jane_chart["id"]: ["*"], son["id"]: ["*"]}

    # -- Jane as guardian: the profile switcher lists each child with what it allows ----------
    guardian, r = portal(base, practice, guardian_email, GUARDIAN_PASSWORD)
    assert r.status_code == 200, r.text
    principal = guardian.call("GET", "/api/v1/session").json()
    assert principal["kind"] == "contact"
    held = {c["client_id"]: c["permissions"] for c in principal["clients"]}
    assert held == {daughter["id"]: ["view_appointments"],
                    lily["id"]: ["manage_information", "manage_documentation"],
                    teen["id"]: ["view_appointments"]}

    # Mia's grant is view appointments only: nothing else answers, by any route
    mia = daughter["id"]
    for method, path, body in [
            ("GET", f"/api/v1/me/details?client_id={mia}", None),
            ("PATCH", f"/api/v1/me/details?client_id={mia}", {"city": "X", "version": 1}),
            ("GET", f"/api/v1/clients/{mia}", None),
            ("PATCH", f"/api/v1/clients/{mia}", {"city": "X", "version": 1}),
            ("GET", f"/api/v1/me/chart?client_id={mia}", None),
            ("GET", f"/api/v1/me/chart/basic?client_id={mia}", None),
            ("PATCH", f"/api/v1/me/chart/basic?client_id={mia}", {"city": "X", "version": 1})]:
        r = guardian.call(method, path, json=body)
        assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
    # documents need manage_documentation (never Mia's papers, even one shared with Jane
    # herself); Lily's, shared with Jane, she sees
    shared = {}
    r = intake.post(f"{api}/document-types", json={"name": "Letters", "show_in_portal": True},
                    timeout=10)
    assert r.status_code == 201, r.text
    letters = r.json()["id"]
    for child in (daughter, lily):
        r = intake.post(f"{api}/documents", timeout=10, data={
            "client_id": child["id"], "contact_id": cid, "type_id": letters,
            "title": f"Letter {child['id'][:4]}"},
            files={"file": ("letter.pdf", PDF, "application/pdf")})
        assert r.status_code == 201, r.text
        shared[child["id"]] = r.json()["id"]
    # her grant lacks manage_documentation: the gateway refuses before charts is asked
    r = guardian.call("GET", f"/api/v1/me/documents?client_id={mia}")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted", r.text
    r = guardian.call("GET", f"/api/v1/documents/{shared[mia]}/download")
    assert r.status_code in (403, 404), r.status_code
    r = guardian.call("GET", f"/api/v1/me/documents?client_id={lily['id']}")
    assert shared[lily["id"]] in [d["id"] for d in r.json()]
    assert guardian.call("GET", f"/api/v1/documents/{shared[lily['id']]}/download"
                         ).status_code == 200
    r = guardian.call("POST", f"/api/v1/me/uploads?client_id={mia}",
                      files={"file": ("card.pdf", PDF, "application/pdf")})
    assert r.status_code == 403 and r.json()["error"] == "not_permitted", r.text
    for path in (f"/api/v1/clients/{mia}/revisions", f"/api/v1/clients/{mia}/contacts",
                 "/api/v1/contacts", "/api/v1/staff", "/api/v1/clients"):
        assert guardian.call("GET", path).status_code == 403, path

    # Lily's grant has no "view appointments": her details and documents answer, and no
    # route lists appointments (scheduling does not exist yet: nothing answers at all)
    r = guardian.call("GET", f"/api/v1/me/details?client_id={lily['id']}")
    assert r.status_code == 200 and r.json()["first_name"] == "Lily"
    for path in ("/api/v1/me/appointments", f"/api/v1/clients/{lily['id']}/appointments"):
        assert guardian.call("GET", f"{path}?client_id={lily['id']}").status_code in (403, 404)
    assert "view_appointments" not in held[lily["id"]]

    # -- staff remove her access to Mia: her sessions end within a second ------------------------
    removed = intake.delete(f"{api}/contacts/{cid}/grants/{mia}", timeout=10)
    assert removed.status_code == 200, removed.text
    assert mia not in {g["client_id"] for g in removed.json()["grants"]}
    started = time.monotonic()
    assert wait_until(lambda: guardian.call("GET", "/api/v1/session").status_code == 401,
                      timeout=3, step=0.02)
    assert time.monotonic() - started < 1.2
    guardian, r = portal(base, practice, guardian_email, GUARDIAN_PASSWORD)
    assert r.status_code == 200
    assert mia not in {c["client_id"] for c in r.json()["principal"]["clients"]}
    for method, path in [("GET", f"/api/v1/me/details?client_id={mia}"),
                         ("GET", f"/api/v1/clients/{mia}"),
                         ("GET", f"/api/v1/me/chart?client_id={mia}"),
                         ("GET", f"/api/v1/me/documents?client_id={mia}")]:
        r = guardian.call(method, path)
        assert r.status_code in (403, 404), (path, r.status_code)
    assert intake.delete(f"{api}/contacts/{cid}/grants/{mia}", timeout=10).status_code == 404

    # -- suspending the contact ends everything; reactivating lets her back in -----------------
    r = intake.patch(f"{api}/contacts/{cid}", json={"status": "suspended"}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert wait_until(lambda: guardian.call("GET", "/api/v1/session").status_code == 401,
                      timeout=3)
    _, r = portal(base, practice, guardian_email, GUARDIAN_PASSWORD)
    assert r.status_code == 401 and r.json()["error"] == "account_inactive"
    assert intake.patch(f"{api}/contacts/{cid}", json={"status": "active"},
                        timeout=10).status_code == 200
    assert portal(base, practice, guardian_email, GUARDIAN_PASSWORD)[1].status_code == 200

    # -- another practice's staff reach none of it ----------------------------------------------
    other = new_practice(stack)
    outsider = staff_session(stack, other.intake_login, other.staff_password)
    assert outsider.get(f"{api}/contacts/{cid}", timeout=10).status_code == 404
    assert outsider.get(f"{api}/clients/{lily['id']}/contacts", timeout=10).status_code == 404
    r = outsider.put(f"{api}/contacts/{cid}/grants/{lily['id']}", timeout=10,
                     json={"permissions": ["billing"]})
    assert r.status_code == 404
    assert outsider.patch(f"{api}/contacts/{cid}", json={"status": "suspended"},
                          timeout=10).status_code == 404
    assert cid not in [c["contact_id"] for c in outsider.get(f"{api}/contacts",
                                                             timeout=10).json()["items"]]


def test_administrators_invite_staff_change_roles_and_role_permissions(haven_stack, practice):
    stack, base = haven_stack, haven_stack.base_url
    api = f"{base}/api/v1"
    admin = staff_session(stack, practice.admin_login, practice.staff_password)
    intake = staff_session(stack, practice.intake_login, practice.staff_password)
    assert intake.get(f"{api}/staff", timeout=10).status_code == 403
    staff = admin.get(f"{api}/staff", timeout=10).json()
    assert {m["role"] for m in staff} == {"practice_admin", "clinician", "intake"}

    new_email = f"newhire-{practice.code}@example.org"
    before = mail_count(stack)
    r = admin.post(f"{api}/staff", json={"email": new_email, "name": "New Hire",
                                         "role": "scheduler"}, timeout=10)
    assert r.status_code == 201 and r.json()["status"] == "invited", r.text
    hire_id = r.json()["id"]
    dup = admin.post(f"{api}/staff", json={"email": new_email, "name": "Again",
                                           "role": "scheduler"}, timeout=10)
    assert dup.status_code == 409 and dup.json()["error"] == "email_taken"
    path, _ = wait_for_mail(stack, new_email, "reset", after=before)
    assert path.startswith(f"/staff/{practice.code}/reset/")
    r = Browserless(base).call("POST", "/api/v1/password-resets/complete", json={
        "token": path.rsplit("/", 1)[1], "new_password": "tidal orchard 77"})
    assert r.status_code == 200, r.text
    # the first sign-in adds an authenticator (staff_sign_in enrols with pyotp)
    _, done = staff_sign_in(base, new_email, "tidal orchard 77")
    assert done.json()["principal"]["roles"] == ["scheduler"]

    # a role change ends the clinician's sessions; suspending refuses sign-in
    clinician_id = next(m["id"] for m in staff if m["role"] == "clinician")
    clinician = staff_session(stack, practice.clinician_login, practice.staff_password)
    assert clinician.get(f"{api}/clients", timeout=10).status_code == 200
    r = admin.patch(f"{api}/staff/{clinician_id}", json={"role": "supervisor"}, timeout=10)
    assert r.status_code == 200 and r.json()["role"] == "supervisor"
    assert wait_until(lambda: clinician.get(f"{api}/clients", timeout=10).status_code == 401,
                      timeout=3)
    r = admin.patch(f"{api}/staff/{hire_id}", json={"status": "suspended"}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    refused = Browserless(base).call("POST", "/api/v1/session", json={
        "login": new_email, "password": "tidal orchard 77", "audience": "staff"})
    assert refused.status_code == 401 and refused.json()["error"] == "account_inactive"
    admin_id = next(m["id"] for m in staff if m["role"] == "practice_admin")
    own = admin.patch(f"{api}/staff/{admin_id}", json={"status": "suspended"}, timeout=10)
    assert own.status_code == 409 and own.json()["error"] == "own_account"

    # role permissions: intake staff may change settings in this practice, and lose it again
    matrix = admin.get(f"{api}/roles", timeout=10).json()
    intake_row = next(r for r in matrix["roles"] if r["role"] == "intake")
    wanted = sorted(set(intake_row["permissions"]) | {"manage_practice_settings"})
    r = admin.put(f"{api}/roles/intake", json={"permissions": wanted}, timeout=10)
    assert r.status_code == 200
    assert "manage_practice_settings" in next(
        x for x in r.json()["roles"] if x["role"] == "intake")["permissions"]
    intake = staff_session(stack, practice.intake_login, practice.staff_password)
    assert intake.get(f"{api}/practice/settings", timeout=10).status_code == 200
    r = admin.put(f"{api}/roles/intake", json={"permissions": intake_row["permissions"]},
                  timeout=10)
    assert r.status_code == 200
    assert wait_until(lambda: intake.get(f"{api}/practice/settings",
                                         timeout=10).status_code == 401, timeout=3)
    lockout = admin.put(f"{api}/roles/practice_admin", json={"permissions": ["view_clients"]},
                        timeout=10)
    assert lockout.status_code == 409 and lockout.json()["error"] == "admin_lockout"
    assert admin.put(f"{api}/roles/wizard", json={"permissions": []},
                     timeout=10).status_code == 404


def test_two_step_sign_in_for_staff_clients_and_contacts(haven_stack, practice):
    stack, base = haven_stack, haven_stack.base_url
    api = f"{base}/api/v1"
    admin = staff_session(stack, practice.admin_login, practice.staff_password)
    # staff: always on; they may replace their recovery codes, never turn it off
    status = admin.get(f"{api}/security/two-factor", timeout=10).json()
    assert status["enrolled"] is True and status["required"] is True
    wrong = admin.post(f"{api}/security/two-factor/recovery-codes", json={"code": "000000"},
                       timeout=10)
    assert wrong.status_code == 422 and wrong.json()["error"] == "invalid_code"
    codes = admin.post(f"{api}/security/two-factor/recovery-codes", timeout=10,
                       json={"code": totp_code(practice.admin_login)})
    assert codes.status_code == 200 and len(codes.json()["recovery_codes"]) == 10
    off = admin.post(f"{api}/security/two-factor/disable", timeout=10,
                     json={"code": codes.json()["recovery_codes"][0]})
    assert off.status_code == 403 and off.json()["error"] == "mfa_required"
    # a recovery code signs staff in once
    first = Browserless(base).call("POST", "/api/v1/session", json={
        "login": practice.admin_login, "password": practice.staff_password, "audience": "staff"})
    assert first.json()["mfa_required"] is True and first.json()["mfa_enrol"] is False
    assert "haven_access" not in first.cookies
    recovery = codes.json()["recovery_codes"][1]
    done = Browserless(base).call("POST", "/api/v1/session/mfa", json={
        "mfa_token": first.json()["mfa_token"], "code": recovery, "token_delivery": "body"})
    assert done.status_code == 200 and done.json()["access_token"]

    # a client turns it on, signs in with a code, turns it off again
    bobby = {"id": practice.bobby_id, "email": practice.bobby_email, "first_name": "Bobby",
             "last_name": "Newman"}
    give_login(stack, practice, bobby, JANE_PASSWORD)
    client, r = portal(base, practice, practice.bobby_email, JANE_PASSWORD)
    assert r.status_code == 200 and not r.json().get("mfa_required")
    assert client.call("GET", "/api/v1/security/two-factor").json()["enrolled"] is False
    secret = client.call("POST", "/api/v1/security/two-factor/enrolment").json()["secret"]
    key = f"bobby-{practice.code}"
    bad = client.call("POST", "/api/v1/security/two-factor/enrolment/confirm",
                      json={"code": "12345"})
    assert bad.status_code == 422
    on = client.call("POST", "/api/v1/security/two-factor/enrolment/confirm",
                     json={"code": totp_code(key, secret)})
    assert on.status_code == 200 and len(on.json()["recovery_codes"]) == 10
    again = client.call("POST", "/api/v1/security/two-factor/enrolment")
    assert again.status_code == 409 and again.json()["error"] == "mfa_already_enrolled"
    fresh, r = portal(base, practice, practice.bobby_email, JANE_PASSWORD)
    assert r.json()["mfa_required"] is True and not fresh.http.cookies.get("haven_access")
    r = fresh.call("POST", "/api/v1/session/mfa", json={
        "mfa_token": r.json()["mfa_token"], "code": totp_code(key, secret)})
    assert r.status_code == 200 and fresh.http.cookies.get("haven_access")
    r = client.call("POST", "/api/v1/security/two-factor/disable",
                    json={"code": on.json()["recovery_codes"][0]})
    assert r.status_code == 200 and r.json() == {"enrolled": False}
    assert portal(base, practice, practice.bobby_email, JANE_PASSWORD)[1].json().get(
        "mfa_required") in (None, False)

    # the practice requires it: the next portal sign-in enrols first; it can't be turned off
    r = admin.patch(f"{api}/practice/settings", json={"mfa_required_for_clients": True},
                    timeout=10)
    assert r.status_code == 200 and r.json()["mfa_required_for_clients"] is True
    visitor, r = portal(base, practice, practice.bobby_email, JANE_PASSWORD)
    assert r.json()["mfa_required"] is True and r.json()["mfa_enrol"] is True
    challenge = r.json()["mfa_token"]
    enrolment = visitor.call("POST", "/api/v1/session/mfa/enrolment",
                             json={"mfa_token": challenge})
    assert enrolment.status_code == 200
    new_secret = enrolment.json()["secret"]
    key = f"bobby2-{practice.code}"
    r = visitor.call("POST", "/api/v1/session/mfa",
                     json={"mfa_token": challenge, "code": totp_code(key, new_secret)})
    assert r.status_code == 200 and len(r.json()["recovery_codes"]) == 10
    status = visitor.call("GET", "/api/v1/security/two-factor").json()
    assert status == dict(status, enrolled=True, required=True)
    r = visitor.call("POST", "/api/v1/security/two-factor/disable",
                     json={"code": pyotp.TOTP(new_secret).now()})
    assert r.status_code == 403 and r.json()["error"] == "mfa_required"
    # staff reset a lost authenticator: the client enrols again at the next sign-in
    r = admin.post(f"{api}/staff/{'nobody'}/two-factor/reset", timeout=10)
    assert r.status_code in (404, 422)
    settings = admin.get(f"{api}/practice/settings", timeout=10).json()
    assert settings["guardian_full_until_age"] == 12 and settings["guardian_access_ends_at_age"] == 18
    bands = admin.patch(f"{api}/practice/settings", timeout=10,
                        json={"guardian_full_until_age": 19, "guardian_access_ends_at_age": 18})
    assert bands.status_code == 422
