"""Issue 4's people over HTTP through the whole stack: Jane's one sign-in (her own chart,
her son linked, guardian grants over her daughters — what each grant reaches and what it
does not, access removed from one child), a contact besides (the girls' father with his
own login), staff administration and role permissions, and two-step sign-in for staff,
clients and contacts.

A client who is also a guardian holds her grants with her own portal account
(docs/identity.md, "One sign-in, several clients"): the token's `clients` carries her
chart and her son (`["*"]`) and each daughter with exactly what her grant allows.
"""
import time

import pyotp
import pytest

from tests.e2e.practice import (add_client, give_login, mail_count, new_practice,
                                staff_sign_in, totp_code, wait_for_mail)
from tests.e2e.test_story_http import Browserless, staff_session, wait_until

JANE_PASSWORD = "lantern meadow copper sparrow"
FATHER_PASSWORD = "harbour lights over the quiet bay"
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


def test_jane_holds_her_chart_her_son_and_guardian_grants_in_one_sign_in(haven_stack,
                                                                          practice):
    base, stack = haven_stack.base_url, haven_stack
    api = f"{base}/api/v1"
    email = f"jane-{practice.code}@example.org"
    father_email = f"tom-{practice.code}@example.org"
    jane_chart = add_client(stack, practice, "Jane", "Doe", "1984-07-21", email)
    son = add_client(stack, practice, "Sam", "Doe", "2015-03-02", email)
    daughter = add_client(stack, practice, "Mia", "Doe", "2017-09-14")
    lily = add_client(stack, practice, "Lily", "Doe", "2019-01-30")
    teen = add_client(stack, practice, "Ava", "Doe", f"{time.gmtime().tm_year - 15}-06-15")
    account = give_login(stack, practice, jane_chart, JANE_PASSWORD)["account_id"]
    intake = staff_session(stack, practice.intake_login, practice.staff_password)
    assert intake.post(f"{api}/portal-accounts/{account}/clients", timeout=10,
                       json={"client_id": son["id"]}).status_code == 201

    # -- one person, one sign-in: her email is not made a second (contact) login ------------
    taken = intake.post(f"{api}/contacts", json={"email": email, "name": "Jane"}, timeout=10)
    assert taken.status_code == 409 and taken.json()["error"] == "login_taken"
    assert "portal account" in taken.json()["message"]

    # -- staff grant her account, as guardian, per daughter ------------------------------------
    grants = f"{api}/portal-accounts/{account}/grants"
    grant = intake.put(f"{grants}/{daughter['id']}", timeout=10,
                       json={"permissions": ["view_appointments"]})
    assert grant.status_code == 200, grant.text
    assert grant.json() == dict(grant.json(), holder_kind="client", account_id=account,
                                contact_id=None, guardian=True, band="full")
    r = intake.put(f"{grants}/{lily['id']}", timeout=10,
                   json={"permissions": ["manage_information", "manage_documentation"]})
    assert r.status_code == 200
    # a teenager's confidential paperwork stays hers (the practice's default bands)
    r = intake.put(f"{grants}/{teen['id']}", timeout=10,
                   json={"permissions": ["view_appointments", "manage_documentation"]})
    assert r.status_code == 200 and r.json()["band"] == "partial"
    assert r.json()["effective_permissions"] == ["view_appointments"]
    assert intake.put(f"{grants}/{daughter['id']}", timeout=10,
                      json={"permissions": []}).status_code == 422
    for full in (jane_chart, son):              # she already acts for them with full rights
        r = intake.put(f"{grants}/{full['id']}", json={"permissions": ["billing"]}, timeout=10)
        assert r.status_code == 409 and r.json()["error"] == "already_linked"
    listed = intake.get(f"{api}/clients/{daughter['id']}/contacts", timeout=10).json()
    assert listed["items"] == [] and [a["account_id"] for a in listed["accounts"]] == [account]
    held_by_account = intake.get(f"{api}/portal-accounts/{account}", timeout=10).json()
    assert [g["client_id"] for g in held_by_account["grants"]] == [
        daughter["id"], lily["id"], teen["id"]]

    # -- one sign-in: the profile switcher lists all five, each with what it allows -------------
    jane, r = portal(base, practice, email, JANE_PASSWORD)
    assert r.status_code == 200, r.text
    principal = jane.call("GET", "/api/v1/session").json()
    assert principal["kind"] == "client"
    held = {c["client_id"]: c["permissions"] for c in principal["clients"]}
    assert held == {jane_chart["id"]: ["*"], son["id"]: ["*"],
                    daughter["id"]: ["view_appointments"],
                    lily["id"]: ["manage_information", "manage_documentation"],
                    teen["id"]: ["view_appointments"]}
    for own in (jane_chart, son):
        r = jane.call("GET", f"/api/v1/me/details?client_id={own['id']}")
        assert r.status_code == 200 and r.json()["first_name"] == own["first_name"]

    # Mia's grant is view appointments only: nothing else answers, by any route
    mia = daughter["id"]
    refused_for_mia = [
        ("GET", f"/api/v1/me/details?client_id={mia}", None),
        ("PATCH", f"/api/v1/me/details?client_id={mia}", {"city": "X", "version": 1}),
        ("GET", f"/api/v1/clients/{mia}", None),
        ("PATCH", f"/api/v1/clients/{mia}", {"city": "X", "version": 1}),
        ("GET", f"/api/v1/me/chart?client_id={mia}", None),
        ("GET", f"/api/v1/me/chart/basic?client_id={mia}", None),
        ("PATCH", f"/api/v1/me/chart/basic?client_id={mia}", {"city": "X", "version": 1}),
        ("GET", f"/api/v1/me/documents?client_id={mia}", None)]
    for method, path, body in refused_for_mia:
        r = jane.call(method, path, json=body)
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
            "client_id": child["id"], "contact_id": account, "type_id": letters,
            "title": f"Letter {child['id'][:4]}"},
            files={"file": ("letter.pdf", PDF, "application/pdf")})
        assert r.status_code == 201, r.text
        shared[child["id"]] = r.json()["id"]
    r = jane.call("GET", f"/api/v1/me/documents?client_id={mia}")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted", r.text
    r = jane.call("GET", f"/api/v1/documents/{shared[mia]}/download")
    assert r.status_code in (403, 404), r.status_code
    r = jane.call("GET", f"/api/v1/me/documents?client_id={lily['id']}")
    assert shared[lily["id"]] in [d["id"] for d in r.json()]
    assert jane.call("GET", f"/api/v1/documents/{shared[lily['id']]}/download"
                     ).status_code == 200
    # her own chart's documents are the client's own: a paper shared with her as Lily's
    # guardian is not among them
    r = jane.call("GET", f"/api/v1/me/documents?client_id={jane_chart['id']}")
    assert r.status_code == 200 and shared[lily["id"]] not in [d["id"] for d in r.json()]
    r = jane.call("POST", f"/api/v1/me/uploads?client_id={mia}",
                  files={"file": ("card.pdf", PDF, "application/pdf")})
    assert r.status_code == 403 and r.json()["error"] == "not_permitted", r.text
    for path in (f"/api/v1/clients/{mia}/revisions", f"/api/v1/clients/{mia}/contacts",
                 "/api/v1/contacts", "/api/v1/staff", "/api/v1/clients"):
        assert jane.call("GET", path).status_code == 403, path

    # Lily's grant has no "view appointments": her details and documents answer, and no
    # route lists her appointments
    r = jane.call("GET", f"/api/v1/me/details?client_id={lily['id']}")
    assert r.status_code == 200 and r.json()["first_name"] == "Lily"
    for path in (f"/api/v1/me/appointments?client_id={lily['id']}",
                 f"/api/v1/clients/{lily['id']}/appointments"):
        r = jane.call("GET", path)
        assert r.status_code == 403 and r.json()["error"] == "not_permitted", (path, r.text)

    # -- the girls' father: a contact with his own login, his own paperwork --------------------
    before = mail_count(stack)
    r = intake.post(f"{api}/contacts", json={"email": father_email, "name": "Tom Doe"},
                    timeout=10)
    assert r.status_code == 201, r.text
    tom_id = r.json()["contact_id"]
    message = choose_password_from_mail(stack, father_email, FATHER_PASSWORD, before)
    assert "Lily" not in message["body"] and "Doe" not in message["body"]  # names no client
    assert intake.put(f"{api}/contacts/{tom_id}/grants/{lily['id']}", timeout=10, json={
        "permissions": ["manage_documentation"]}).status_code == 200
    tom, r = portal(base, practice, father_email, FATHER_PASSWORD)
    assert r.status_code == 200 and r.json()["principal"]["kind"] == "contact"
    r = tom.call("GET", f"/api/v1/me/documents?client_id={lily['id']}")
    assert r.status_code == 200 and shared[lily["id"]] not in [d["id"] for d in r.json()]
    assert tom.call("GET", f"/api/v1/documents/{shared[lily['id']]}/download"
                    ).status_code in (403, 404)
    listed = intake.get(f"{api}/clients/{lily['id']}/contacts", timeout=10).json()
    assert [c["contact_id"] for c in listed["items"]] == [tom_id]
    assert [a["account_id"] for a in listed["accounts"]] == [account]

    # -- staff remove her access to Mia: her sessions end within a second ------------------------
    removed = intake.delete(f"{grants}/{mia}", timeout=10)
    assert removed.status_code == 200, removed.text
    assert mia not in {g["client_id"] for g in removed.json()["grants"]}
    started = time.monotonic()
    assert wait_until(lambda: jane.call("GET", "/api/v1/session").status_code == 401,
                      timeout=3, step=0.02)
    assert time.monotonic() - started < 1.2
    jane, r = portal(base, practice, email, JANE_PASSWORD)
    assert r.status_code == 200
    assert mia not in {c["client_id"] for c in r.json()["principal"]["clients"]}
    for method, path, body in refused_for_mia + [
            ("GET", f"/api/v1/documents/{shared[mia]}/download", None)]:
        r = jane.call(method, path, json=body)
        assert r.status_code in (403, 404), (method, path, r.status_code)
    assert jane.call("GET", f"/api/v1/me/details?client_id={son['id']}").status_code == 200
    assert intake.delete(f"{grants}/{mia}", timeout=10).status_code == 404
    admin = staff_session(stack, practice.admin_login, practice.staff_password)
    audit = admin.get(f"{api}/audit", params={"action": "grant_changed",
                                              "subject_id": account}, timeout=10).json()
    assert {e["detail"]["change"] for e in audit["entries"]} == {"granted", "revoked"}
    assert {e["subject_kind"] for e in audit["entries"]} == {"client"}

    # -- suspending the contact ends everything; reactivating lets him back in -----------------
    r = intake.patch(f"{api}/contacts/{tom_id}", json={"status": "suspended"}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert wait_until(lambda: tom.call("GET", "/api/v1/session").status_code == 401,
                      timeout=3)
    _, r = portal(base, practice, father_email, FATHER_PASSWORD)
    assert r.status_code == 401 and r.json()["error"] == "account_inactive"
    assert intake.patch(f"{api}/contacts/{tom_id}", json={"status": "active"},
                        timeout=10).status_code == 200
    assert portal(base, practice, father_email, FATHER_PASSWORD)[1].status_code == 200

    # -- another practice's staff reach none of it ----------------------------------------------
    other = new_practice(stack)
    outsider = staff_session(stack, other.intake_login, other.staff_password)
    assert outsider.get(f"{api}/contacts/{tom_id}", timeout=10).status_code == 404
    assert outsider.get(f"{api}/clients/{lily['id']}/contacts", timeout=10).status_code == 404
    for holder in (f"contacts/{tom_id}", f"portal-accounts/{account}"):
        r = outsider.put(f"{api}/{holder}/grants/{lily['id']}", timeout=10,
                         json={"permissions": ["billing"]})
        assert r.status_code == 404, holder
    assert outsider.delete(f"{grants}/{lily['id']}", timeout=10).status_code == 404
    assert outsider.patch(f"{api}/contacts/{tom_id}", json={"status": "suspended"},
                          timeout=10).status_code == 404
    assert tom_id not in [c["contact_id"] for c in outsider.get(f"{api}/contacts",
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
    used = totp_code(practice.admin_login)
    codes = admin.post(f"{api}/security/two-factor/recovery-codes", timeout=10,
                       json={"code": used})
    assert codes.status_code == 200 and len(codes.json()["recovery_codes"]) == 10
    # the same code again: already used, wait for the next one (not "check your clock")
    again = admin.post(f"{api}/security/two-factor/recovery-codes", json={"code": used},
                       timeout=10)
    assert again.status_code == 422 and again.json()["error"] == "code_already_used"
    assert "already used" in again.json()["message"]
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
