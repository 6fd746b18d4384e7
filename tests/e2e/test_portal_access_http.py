"""Issue 4's story over HTTP through the whole stack: Jane is invited by email, proves her
date of birth, chooses a password and is signed in; resets her password; her son's chart
is linked to her account and staff grant her, as guardian of her daughter, "view
appointments" only — one sign-in, three profiles, each allowing exactly what it should:
staff book appointments for all three, and she sees her daughter's appointments but not
her details; staff remove her access to her son and he (and his appointments) are then out
of her reach by every route. A holder without `view_appointments` reaches no appointment
by ANY appointment route of the route table, nor at scheduling with that actor."""
import datetime
import re
import time
import uuid

import pytest
import requests

from services.common.errors import Forbidden, NotFound

from tests.e2e.practice import add_client, give_login, mail_count, new_practice, wait_for_mail
from tests.e2e.practice import staff_sign_in
from tests.e2e.test_story_http import Browserless, staff_session, wait_until

JANE_DOB = "1984-07-21"
JANE_PASSWORD = "lantern meadow copper sparrow"
NEW_PASSWORD = "quiet river under the old bridge"


@pytest.fixture
def practice(haven_stack):
    return new_practice(haven_stack)


def portal_sign_in(base, practice, login, password):
    jane = Browserless(base)
    r = jane.call("POST", "/api/v1/session", json={
        "practice_code": practice.code, "login": login, "password": password,
        "audience": "portal"})
    return jane, r


def token_of(path):
    return path.rsplit("/", 1)[1]


def test_jane_is_invited_resets_her_password_and_switches_profiles(haven_stack, practice):
    base = haven_stack.base_url
    email = f"jane-{practice.code}@example.org"
    jane_chart = add_client(haven_stack, practice, "Jane", "Doe", JANE_DOB, email)
    son_chart = add_client(haven_stack, practice, "Sam", "Doe", "2015-03-02", email)
    daughter = add_client(haven_stack, practice, "Mia", "Doe", "2017-09-14")
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    api = f"{base}/api/v1"

    status = intake.get(f"{api}/clients/{jane_chart['id']}/portal-status", timeout=10)
    assert status.status_code == 200 and status.json()["status"] == "never_invited"

    # a chart without a date of birth cannot be invited: the answer says what is missing
    nodob = add_client(haven_stack, practice, "No", "Birthday", None, f"nodob-{practice.code}@example.org")
    r = intake.post(f"{api}/clients/{nodob['id']}/invitation", timeout=10)
    assert r.status_code == 422 and r.json()["error"] == "client_details_missing"
    assert "date_of_birth" in r.json()["fields"]

    before = mail_count(haven_stack)
    sent = intake.post(f"{api}/clients/{jane_chart['id']}/invitation", timeout=10)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["resend_at"]

    # resending at once is refused, saying when it becomes possible
    again = intake.post(f"{api}/clients/{jane_chart['id']}/invitation", timeout=10)
    assert again.status_code == 429 and again.json()["error"] == "resend_too_soon"
    assert again.json()["fields"]["retry_at"] and int(again.headers["Retry-After"]) > 0
    assert re.search(r"\d\d:\d\d", again.json()["message"])

    listed = intake.get(f"{api}/portal-access", params={"status": "sent"}, timeout=10).json()
    assert [i["first_name"] for i in listed["items"]] == ["Jane"]
    # never invited: every other chart of the practice (charts asked page by page), in
    # pages by name
    never = intake.get(f"{api}/portal-access", timeout=10,
                       params={"status": "never_invited", "limit": 2, "offset": 2}).json()
    assert never["total"] == 4
    assert [i["first_name"] for i in never["items"]] == ["Sam", "Bobby"]

    path, message = wait_for_mail(haven_stack, email, "invite", after=before)
    assert path.startswith(f"/p/{practice.code}/invite/")
    assert JANE_DOB not in message["body"] and "Jane" not in message["body"]  # no PHI
    token = token_of(path)

    visitor = Browserless(base)
    looked = visitor.call("POST", "/api/v1/invitations/lookup", json={"token": token})
    assert looked.status_code == 200, looked.text
    assert looked.json()["login"] == email and looked.json()["attempts_left"] == 5

    wrong = visitor.call("POST", "/api/v1/invitations/accept", json={
        "token": token, "date_of_birth": "1984-07-22", "password": JANE_PASSWORD})
    assert wrong.status_code == 422 and wrong.json()["error"] == "date_of_birth_mismatch"
    assert wrong.json()["fields"]["attempts_left"] == 4
    assert not visitor.http.cookies.get("haven_access")

    accepted = visitor.call("POST", "/api/v1/invitations/accept", json={
        "token": token, "date_of_birth": JANE_DOB, "password": JANE_PASSWORD})
    assert accepted.status_code == 201, accepted.text
    assert "access_token" not in accepted.json() and "refresh_token" not in accepted.json()
    assert visitor.http.cookies.get("haven_access")
    mine = visitor.call("GET", "/api/v1/me/details")
    assert mine.status_code == 200 and mine.json()["id"] == jane_chart["id"]

    used = visitor.call("POST", "/api/v1/invitations/lookup", json={"token": token})
    assert used.status_code == 409 and used.json()["error"] == "invitation_used"
    status = intake.get(f"{api}/clients/{jane_chart['id']}/portal-status", timeout=10).json()
    assert status["status"] == "signed_up" and status["login"] == email
    account_id = status["account_id"]

    # -- password reset: the same answer for an unknown email; the link works once ----
    before = mail_count(haven_stack)
    asked = requests.post(f"{api}/password-resets", timeout=10, json={
        "practice_code": practice.code, "email": email})
    unknown = requests.post(f"{api}/password-resets", timeout=10, json={
        "practice_code": practice.code, "email": f"nobody-{practice.code}@example.org"})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()
    path, _ = wait_for_mail(haven_stack, email, "reset", after=before)
    reset_token = token_of(path)
    link = requests.post(f"{api}/password-resets/lookup", json={"token": reset_token}, timeout=10)
    assert link.status_code == 200 and link.json()["kind"] == "client"
    done = requests.post(f"{api}/password-resets/complete", timeout=10, json={
        "token": reset_token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json()["login"] == email
    twice = requests.post(f"{api}/password-resets/complete", timeout=10, json={
        "token": reset_token, "new_password": NEW_PASSWORD + " again"})
    assert twice.status_code == 404 and twice.json()["error"] == "reset_link_invalid"
    # the reset ended every session
    assert wait_until(lambda: visitor.call("GET", "/api/v1/me/details").status_code == 401,
                      timeout=3)
    _, old = portal_sign_in(base, practice, email, JANE_PASSWORD)
    assert old.status_code == 401
    jane, new = portal_sign_in(base, practice, email, NEW_PASSWORD)
    assert new.status_code == 200, new.text

    # staff can send a reset link too
    r = intake.post(f"{api}/clients/{jane_chart['id']}/password-reset", timeout=10)
    assert r.status_code == 201 and r.json()["sent_to"] == email

    # -- linked clients: Sam's chart carries the same email --------------------------
    linked = intake.post(f"{api}/portal-accounts/{account_id}/clients", timeout=10,
                         json={"client_id": son_chart["id"]})
    assert linked.status_code == 201, linked.text
    assert [c["own"] for c in linked.json()["clients"]] == [True, False]
    other = add_client(haven_stack, practice, "Someone", "Else", "2000-01-01",
                       f"else-{practice.code}@example.org")
    mismatch = intake.post(f"{api}/portal-accounts/{account_id}/clients", timeout=10,
                           json={"client_id": other["id"]})
    assert mismatch.status_code == 409 and mismatch.json()["error"] == "email_mismatch"

    # ... and, as guardian of her daughter, she may view appointments only
    grant = intake.put(f"{api}/portal-accounts/{account_id}/grants/{daughter['id']}",
                       json={"permissions": ["view_appointments"]}, timeout=10)
    assert grant.status_code == 200 and grant.json()["band"] == "full", grant.text

    # her session picks both up at its next refresh: three profiles in one sign-in
    assert jane.call("POST", "/api/v1/session/refresh").status_code == 200
    principal = jane.call("GET", "/api/v1/session").json()
    assert [(c["name"], c["permissions"]) for c in principal["clients"]] == [
        ("Jane Doe", ["*"]), ("Sam Doe", ["*"]), ("Mia Doe", ["view_appointments"])]
    mia = daughter["id"]
    for method, path, body in [
            ("GET", f"/api/v1/me/details?client_id={mia}", None),
            ("PATCH", f"/api/v1/me/details?client_id={mia}", {"city": "X", "version": 1}),
            ("GET", f"/api/v1/me/chart?client_id={mia}", None),
            ("GET", f"/api/v1/me/documents?client_id={mia}", None),
            ("GET", f"/api/v1/clients/{mia}", None)]:
        r = jane.call(method, path, json=body)
        assert r.status_code in (403, 404), (method, path, r.status_code)
    assert jane.call("GET", "/api/v1/me/details").json()["error"] == "client_id_required"

    # -- staff book an appointment for each of the three; Jane sees each, Mia's included --
    clinician = next(c for c in intake.get(f"{api}/clinicians", timeout=10).json()
                     if c["role"] == "clinician")
    booked = {chart["id"]: book(intake, api, chart["id"], clinician["id"], hours, title)
              for chart, hours, title in [(jane_chart, 24, "Individual therapy"),
                                          (son_chart, 26, "Play therapy"),
                                          (daughter, 28, "Art therapy")]}
    for client_id, appointment in booked.items():
        listed = jane.call("GET", f"/api/v1/me/appointments?client_id={client_id}")
        assert listed.status_code == 200, listed.text
        [seen] = listed.json()["items"]
        assert seen["id"] == appointment["id"] and seen["title"] == appointment["title"]
        assert seen["clinician_name"] == clinician["name"]
        assert not {"cancel_reason", "created_by", "created_at"} & set(seen)
    one = jane.call("GET", f"/api/v1/me/appointments/{booked[mia]['id']}")
    assert one.status_code == 200 and one.json()["client_id"] == mia
    # "Add to calendar" is a plain download with the cookie session, as the portal links it
    ics = jane.call("GET", f"/api/v1/me/appointments/{booked[mia]['id']}/calendar")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    assert f"UID:{booked[mia]['id']}@haven" in ics.text and "STATUS:CONFIRMED" in ics.text
    assert jane.call("GET", f"/api/v1/clients/{mia}/appointments").json()["items"][0][
        "id"] == booked[mia]["id"]
    assert jane.call("GET", f"/api/v1/me/appointments?client_id={mia}&when=past").json() == {
        "items": []}
    # ... but still nothing else of Mia's (checked above): appointments only
    assert jane.call("GET", f"/api/v1/me/details?client_id={mia}").status_code == 403
    for chart in (jane_chart, son_chart):
        r = jane.call("GET", f"/api/v1/me/details?client_id={chart['id']}")
        assert r.status_code == 200 and r.json()["first_name"] == chart["first_name"]
    sam = jane.call("GET", f"/api/v1/me/details?client_id={son_chart['id']}").json()
    saved = jane.call("PATCH", f"/api/v1/me/details?client_id={son_chart['id']}",
                      json={"city": "Portland", "version": sam["version"]})
    assert saved.status_code == 200 and saved.json()["city"] == "Portland"
    assert jane.call("GET", f"/api/v1/me/details?client_id={jane_chart['id']}").json()[
        "city"] != "Portland"

    # -- staff remove her access to Sam: every session ends, and Sam is out of reach ------
    removed = intake.delete(f"{api}/portal-accounts/{account_id}/clients/{son_chart['id']}",
                            timeout=10)
    assert removed.status_code == 200, removed.text
    assert [c["client_id"] for c in removed.json()["clients"]] == [jane_chart["id"]]
    started = time.monotonic()
    assert wait_until(lambda: jane.call("GET", "/api/v1/session").status_code == 401,
                      timeout=3, step=0.02)
    assert time.monotonic() - started < 1.2
    jane, r = portal_sign_in(base, practice, email, NEW_PASSWORD)
    assert r.status_code == 200
    sam_id = son_chart["id"]
    assert [c["client_id"] for c in jane.call("GET", "/api/v1/session").json()["clients"]] == [
        jane_chart["id"], mia]
    for method, path, body in [
            ("GET", f"/api/v1/me/details?client_id={sam_id}", None),
            ("PATCH", f"/api/v1/me/details?client_id={sam_id}", {"city": "X", "version": 1}),
            ("GET", f"/api/v1/clients/{sam_id}", None),
            ("PATCH", f"/api/v1/clients/{sam_id}", {"city": "X", "version": 1})]:
        r = jane.call(method, path, json=body)
        assert r.status_code in (403, 404), (method, path, r.status_code)
    # ... and every other route with a client id refuses her too (staff only)
    for route_path in ("revisions", "portal-access", "portal-status"):
        r = jane.call("GET", f"/api/v1/clients/{sam_id}/{route_path}")
        assert r.status_code in (403, 404)
    # Sam's appointments are out of her reach too, by the gateway and at scheduling
    sam_appointment = booked[sam_id]["id"]
    for path in (f"/api/v1/me/appointments?client_id={sam_id}",
                 f"/api/v1/me/appointments/{sam_appointment}",
                 f"/api/v1/clients/{sam_id}/appointments"):
        r = jane.call("GET", path)
        assert r.status_code in (403, 404) and sam_appointment not in r.text, (path, r.text)
    with haven_stack.rpc() as rpc:
        actor = actor_of(jane.http.cookies["haven_access"])
        with pytest.raises(NotFound):
            rpc.scheduling.list_client_appointments(actor, sam_id, {})
        with pytest.raises(NotFound):
            rpc.scheduling.get_appointment(actor, sam_appointment)
        assert rpc.scheduling.list_client_appointments(actor, mia, {})["items"]
    assert jane.call("GET", "/api/v1/me/details").json()["id"] == jane_chart["id"]

    audit = staff_session(haven_stack, practice.admin_login, practice.staff_password).get(
        f"{api}/audit", params={"action": "client_unlinked"}, timeout=10)
    assert audit.status_code == 200 and len(audit.json()["entries"]) == 1


def book(staff, api, client_id, clinician_id, hours_ahead, title):
    """An appointment booked over HTTP by staff, `hours_ahead` from now (whole hours)."""
    starts = (datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                   microsecond=0)
              + datetime.timedelta(hours=hours_ahead))
    r = staff.post(f"{api}/clients/{client_id}/appointments", timeout=10, json={
        "clinician_id": clinician_id, "starts_at": starts.isoformat(),
        "duration_minutes": 50, "title": title})
    assert r.status_code == 201, r.text
    return r.json()


def actor_of(access_token):
    """The actor context the gateway builds from this access token (gateway/auth.py)."""
    import jwt
    from gateway.auth import actor_wire
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return actor_wire(claims, "e2e-direct")


def appointment_routes():
    """Every gateway route whose path or tag concerns appointments, from the route table:
    a route added later is covered without anyone remembering it."""
    from gateway.router import Router
    from gateway.api import TABLES
    return [r for r in Router(TABLES).routes
            if "appointment" in r.path or "appointments" in r.tags]


def test_a_holder_without_view_appointments_reaches_no_appointment_by_any_route(
        haven_stack, practice):
    """Bobby's own sign-in holds a grant over Kim with everything but view_appointments.
    Every appointment route, with Kim's ids, answers 403 or 404 and never her appointment;
    scheduling refuses the same actor itself."""
    base, api = haven_stack.base_url, haven_stack.base_url + "/api/v1"
    account = give_login(haven_stack, practice, {
        "id": practice.bobby_id, "email": practice.bobby_email, "first_name": "Bobby",
        "last_name": "Newman"}, JANE_PASSWORD)
    kim = add_client(haven_stack, practice, "Kim", "Park", "2016-05-06")
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    everything_else = ["manage_information", "manage_documentation", "message_clinician",
                       "billing"]
    r = intake.put(f"{api}/portal-accounts/{account['account_id']}/grants/{kim['id']}",
                   json={"permissions": everything_else}, timeout=10)
    assert r.status_code == 200, r.text
    clinician = intake.get(f"{api}/clinicians", timeout=10).json()[0]
    secret = "Kim's confidential session"
    appointment = book(intake, api, kim["id"], clinician["id"], 30, secret)

    r = requests.post(base + "/api/v1/session", timeout=10, json={
        "practice_code": practice.code, "login": practice.bobby_email,
        "password": JANE_PASSWORD, "audience": "portal", "token_delivery": "body"})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    bobby = requests.Session()
    bobby.headers["Authorization"] = f"Bearer {token}"
    held = {c["client_id"]: c["permissions"] for c in r.json()["principal"]["clients"]}
    assert held[kim["id"]] == everything_else          # he holds Kim, without appointments

    ids = {"client_id": kim["id"], "appointment_id": appointment["id"]}
    # (a request names a service and a place too; any ids do: it is refused before)
    bodies = {"POST": {"clinician_id": clinician["id"], "version": 1,
                       "service_id": str(uuid.uuid4()), "location_id": str(uuid.uuid4())}}
    routes = appointment_routes()
    assert len(routes) >= 5
    # the calendar file is one of them (picked up from the table, refused in the loop below)
    assert ("GET", "/api/v1/me/appointments/<appointment_id>/calendar") in {
        (r.method, r.path) for r in routes}
    untaught = [f"{r.method} {r.path} <{n}>" for r in routes for n in r.path_params
                if n not in ids]
    assert not untaught, untaught
    for route in routes:
        path = route.path
        for name in route.path_params:
            path = path.replace(f"<{name}>", ids[name])
        body = None
        if route.request is not None:    # a valid body: the refusal is about Kim, not it
            fields = route.request_instance.fields
            body = {k: v for k, v in bodies["POST"].items() if k in fields}
            if "starts_at" in fields:
                body["starts_at"] = appointment["starts_at"]
        asks_whom = route.query is not None and "client_id" in route.query_instance.fields
        r = bobby.request(route.method, base + path, json=body, timeout=10,
                          params={"client_id": kim["id"]} if asks_whom else None)
        assert r.status_code in (403, 404), (route.method, path, r.status_code, r.text)
        assert appointment["id"] not in r.text and secret not in r.text, (route.method, path)
    # scheduling refuses the same actor context by itself (no gateway in between)
    actor = actor_of(token)
    with haven_stack.rpc() as rpc:
        for call in (lambda: rpc.scheduling.list_client_appointments(actor, kim["id"], {}),
                     lambda: rpc.scheduling.get_appointment(actor, appointment["id"]),
                     lambda: rpc.scheduling.cancel_appointment(actor, appointment["id"],
                                                               {"version": 1}),
                     lambda: rpc.scheduling.book_appointment(actor, kim["id"], {
                         "clinician_id": clinician["id"],
                         "starts_at": appointment["starts_at"]})):
            with pytest.raises((Forbidden, NotFound)):
                call()
    # nothing changed: the appointment is still booked, as staff see it
    [still] = intake.get(f"{api}/clients/{kim['id']}/appointments", timeout=10).json()["items"]
    assert still["status"] == "scheduled" and still["version"] == 1


def test_a_browser_sign_in_never_shows_tokens_to_scripts(haven_stack, practice):
    from tests.e2e.practice import give_login
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"},
               JANE_PASSWORD)
    sign_in = {"practice_code": practice.code, "login": practice.bobby_email,
               "password": JANE_PASSWORD, "audience": "portal"}
    r = requests.post(haven_stack.base_url + "/api/v1/session", timeout=10, json=sign_in)
    assert r.status_code == 200
    assert "access_token" not in r.json() and "refresh_token" not in r.json()
    cookies = {c.name: c for c in r.cookies}
    assert cookies["haven_access"].has_nonstandard_attr("HttpOnly")
    assert cookies["haven_refresh"].has_nonstandard_attr("HttpOnly")
    bearer = requests.post(haven_stack.base_url + "/api/v1/session", timeout=10,
                           json=dict(sign_in, token_delivery="body"))
    assert bearer.json()["access_token"] and not bearer.cookies
    # staff: the first step is a challenge, never a session (nor a cookie)
    staff = requests.post(haven_stack.base_url + "/api/v1/session", timeout=10, json={
        "login": practice.intake_login, "password": practice.staff_password,
        "audience": "staff"})
    # (a right password earns the browser its device cookie, docs/contracts.md — never a
    # session cookie before the second step)
    assert staff.status_code == 200
    assert not {"haven_access", "haven_refresh", "haven_csrf"} & set(staff.cookies.keys())
    if staff.json().get("mfa_required"):
        assert "access_token" not in staff.json()
    _, done = staff_sign_in(haven_stack.base_url, practice.intake_login,
                            practice.staff_password, delivery="cookie")
    assert "access_token" not in done.json()


def test_settings_move_the_portal_and_branding_follows(haven_stack, practice):
    api = haven_stack.base_url + "/api/v1"
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    assert requests.get(f"{api}/practices/{practice.code}", timeout=10).status_code == 200
    settings = admin.get(f"{api}/practice/settings", timeout=10)
    assert settings.status_code == 200 and settings.json()["idle_timeout_minutes"] == 15
    new_code = practice.code + "-moved"
    r = admin.patch(f"{api}/practice/settings", timeout=10, json={
        "code": new_code, "title": "A new welcome", "theme_color": "#7a2f5f",
        "idle_timeout_minutes": 30, "password_help": "Call 555-0100."})
    assert r.status_code == 200, r.text
    branding = requests.get(f"{api}/practices/{new_code}", timeout=10).json()
    assert branding["title"] == "A new welcome" and branding["idle_timeout_minutes"] == 30
    assert branding["password_help"] == "Call 555-0100."
    assert requests.get(f"{api}/practices/{practice.code}", timeout=10).status_code == 404
    bad = admin.patch(f"{api}/practice/settings", json={"theme_color": "red"}, timeout=10)
    assert bad.status_code == 422 and "theme_color" in bad.json()["fields"]
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    assert intake.patch(f"{api}/practice/settings", json={"title": "x"},
                        timeout=10).status_code == 403
    assert intake.get(f"{api}/audit", timeout=10).status_code == 403
    entries = admin.get(f"{api}/audit", params={"action": "practice_settings_changed"},
                        timeout=10).json()["entries"]
    assert entries and "code" in entries[0]["detail"]["fields"]


def test_emailed_links_use_the_practice_s_own_address(haven_stack, practice):
    """A practice with its own subdomain (the stack declares HAVEN_PORTAL_BASE_DOMAIN=
    localhost): the reset email links to http://<subdomain>.localhost:<port>/reset/<token>,
    and the gateway serves that page, the practice and the reset there (Host header)."""
    base, api = haven_stack.base_url, haven_stack.base_url + "/api/v1"
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    sub = f"mail-{practice.code}"
    r = admin.patch(f"{api}/practice/settings", json={"subdomain": sub}, timeout=10)
    assert r.status_code == 200, r.text
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, JANE_PASSWORD)
    before = mail_count(haven_stack)
    asked = requests.post(f"{api}/password-resets", timeout=10, json={
        "practice_code": practice.code, "email": practice.bobby_email})
    assert asked.status_code == 202, asked.text
    port = base.rsplit(":", 1)[1]
    own_host = f"{sub}.localhost:{port}"
    link = re.compile(r"(https?)://([^/\s]+)/reset/([A-Za-z0-9_-]+)")

    def reset_link():
        for message in haven_stack.mail_messages()[before:]:
            if practice.bobby_email in message["to"] and link.search(message["body"]):
                return link.search(message["body"])
    found = wait_until(reset_link, timeout=10)
    assert found, "no reset email"
    scheme, host, token = found.groups()
    assert (scheme, host) == ("http", own_host)
    own = {"Host": own_host}
    page = requests.get(f"{base}/reset/{token}", headers=own, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert requests.get(f"{base}/sign-in", headers=own, timeout=10).status_code == 200
    here = requests.get(f"{api}/practice", headers=own, timeout=10)
    assert here.status_code == 200 and here.json()["code"] == practice.code
    looked = requests.post(f"{api}/password-resets/lookup", json={"token": token}, headers=own,
                           timeout=10)
    assert looked.status_code == 200 and looked.json()["kind"] == "client"


def test_staff_tools_cancel_safe_word_two_factor_and_the_charts_date_of_birth(haven_stack,
                                                                               practice):
    """Cancelling an invitation (a new one may follow at once), the safe word shown only
    when asked, a client's two-factor reset, and a staff-set login that carries the
    chart's date of birth: an eight-year-old cannot sign in to it yet."""
    api = f"{haven_stack.base_url}/api/v1"
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)

    email = f"cara-{practice.code}@example.org"
    cara = add_client(haven_stack, practice, "Cara", "Cancel", "1990-02-03", email)
    invitation = f"{api}/clients/{cara['id']}/invitation"
    assert intake.post(invitation, timeout=10).status_code == 201
    r = intake.delete(invitation, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    assert r.json()["resend_at"] is None
    listed = intake.get(f"{api}/portal-access", params={"status": "cancelled"}, timeout=10)
    assert listed.status_code == 200 and [i["first_name"] for i in listed.json()["items"]] == [
        "Cara"]
    r = intake.delete(invitation, timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "no_pending_invitation"
    assert intake.post(invitation, timeout=10).status_code == 201   # no five-minute wait
    r = intake.post(f"{api}/clients/{cara['id']}/two-factor/reset", timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "no_login"
    r = intake.get(f"{api}/clients/{cara['id']}/safe-word", timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "no_portal_access"

    kid_email = f"kit-{practice.code}@example.org"
    born = f"{datetime.date.today().year - 8}-01-01"
    kid = add_client(haven_stack, practice, "Kit", "Young", born, kid_email)
    password = "a long temporary passphrase"
    r = intake.put(f"{api}/clients/{kid['id']}/portal-access", timeout=10, json={
        "login": kid_email, "temporary_password": password,
        "change_password_at_next_login": False, "safe_word": "blue  heron"})
    assert r.status_code == 201, r.text
    _, r = portal_sign_in(haven_stack.base_url, practice, kid_email, password)
    assert r.json()["error"] == "account_not_yet_available", r.text

    word = f"{api}/clients/{kid['id']}/safe-word"
    assert intake.get(word, timeout=10).json()["safe_word"] == "blue heron"
    r = intake.put(word, json={"safe_word": "green kettle"}, timeout=10)
    assert r.status_code == 200 and r.json()["safe_word_set"] is True
    assert intake.get(word, timeout=10).json()["safe_word"] == "green kettle"
    assert intake.put(word, json={"safe_word": "x" * 61}, timeout=10).status_code == 422
    r = intake.delete(word, timeout=10)
    assert r.status_code == 200 and r.json()["safe_word_set"] is False
    assert intake.get(word, timeout=10).json()["safe_word"] is None
    r = intake.post(f"{api}/clients/{kid['id']}/two-factor/reset", timeout=10)
    assert r.status_code == 200 and r.json() == {"reset": True}
