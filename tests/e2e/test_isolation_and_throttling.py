"""Security over HTTP with the whole stack.

Tenant isolation: every gateway route with an id in its path, called with tokens of
practice A (an administrator holding every staff permission, and a portal client)
against REAL ids of practice B (each made in B through the API or its services), answers
403 or 404 and never B's data; ids sent in a body or a query string likewise. The routes
are read from the router itself, so a new route is covered (or fails here until it is
taught which id and body to use) without anyone remembering to add it.

Brute force: sign-in is throttled after a handful of failures (429 with retry_after),
and an unknown email gets exactly the answers a wrong password gets.
"""
import datetime
import time
import uuid

import pytest
import requests
import requests.adapters

from gateway.router import PUBLIC, Router
from gateway.api import TABLES
from tests.e2e.practice import give_login, new_practice, staff_sign_in
from tests.e2e.test_story_http import Browserless, wait_until
from tests.support.events import EventTap

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
    ("PUT", "/api/v1/clients/<client_id>/safe-word"): {"safe_word": "lighthouse"},
    ("PATCH", "/api/v1/clients/<client_id>/chart/basic"): {"version": 1, "city": "Leaked"},
    ("PATCH", "/api/v1/clients/<client_id>/chart/details"): {"version": 1,
                                                             "smoking_status": "never"},
    ("PATCH", "/api/v1/clients/<client_id>/chart/contacts"): {"version": 1,
                                                              "emergency_contact": None},
    ("PATCH", "/api/v1/clients/<client_id>/chart/insurance"): {"version": 1, "primary": None},
    ("PATCH", "/api/v1/clients/<client_id>/chart/communication"): {"version": 1,
                                                                   "email_ok": False},
    ("PATCH", "/api/v1/document-types/<type_id>"): {"show_in_portal": False},
    ("POST", "/api/v1/ops/failed-deliveries/<service>/<event_id>/replay"): {
        "handler": "notify.on_client_updated"},
    ("POST", "/api/v1/appointments/<appointment_id>/cancel"): {"version": 1,
                                                               "reason": "Leaked"},
    # one's own practice's email texts (the kind is a name): never B's, edited below
    ("PUT", "/api/v1/email-templates/<kind>"): {"subject": "Hello from {{ practice_name }}"},
    ("POST", "/api/v1/email-templates/<kind>/preview"): {},
    ("POST", "/api/v1/email-templates/<kind>/sample"): {},
    # scheduling: B's service, location, clinician, block and appointment
    ("PUT", "/api/v1/scheduling/services/<service_id>"): {
        "name": "Leaked", "duration_minutes": 50, "version": 1},
    ("PUT", "/api/v1/scheduling/locations/<location_id>"): {
        "kind": "telehealth", "name": "Leaked", "time_zone": "UTC", "version": 1},
    ("PUT", "/api/v1/scheduling/clinicians/<clinician_id>/work-schedule"): {"periods": []},
    ("POST", "/api/v1/me/appointment-requests/<appointment_id>/withdraw"): {"version": 1},
    ("POST", "/api/v1/me/appointments/<appointment_id>/cancel"): {"version": 1},
    ("POST", "/api/v1/appointment-requests/<appointment_id>/approve"): {"version": 1},
    ("POST", "/api/v1/appointment-requests/<appointment_id>/deny"): {"version": 1,
                                                                    "reason": "Leaked"},
    ("POST", "/api/v1/appointments/<appointment_id>/attended"): {"version": 1},
    ("POST", "/api/v1/appointments/<appointment_id>/no-show"): {"version": 1},
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# Path parameters that are names, not ids.
# secure messages: B's conversation, and B's client's messaging switch and clinicians
BODIES.update({
    ("POST", "/api/v1/conversations/<conversation_id>/messages"): {"body": "Leaked"},
    ("POST", "/api/v1/conversations/<conversation_id>/read"): {},
    ("POST", "/api/v1/conversations/<conversation_id>/archive"): {},
    ("POST", "/api/v1/conversations/<conversation_id>/participants"): {"staff_id": "x"},
    ("POST", "/api/v1/conversations/<conversation_id>/notes"): {"body": "Leaked"},
    ("PUT", "/api/v1/clients/<client_id>/messaging"): {"enabled": False},
    ("POST", "/api/v1/clients/<client_id>/message-clinicians"): {"clinician_id": "x"},
})
NAMES = {"tab": "basic", "role": "intern", "service": "notify", "kind": "invitation"}


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
    tap = EventTap(haven_stack.amqp_uri, "charts")   # to learn the id of B's event
    try:
        assert b_bobby.call("PATCH", "/api/v1/me/details", json={
            "city": "Bristol", "version": record["version"]}).status_code == 200
        b_event = tap.wait_for("client.updated",
                               lambda e: e["data"]["client_id"] == b.bobby_id)
    finally:
        tap.close()
    b_intake = bearer_sign_in(base, {"login": b.intake_login, "password": b.staff_password,
                                     "audience": "staff"})
    alerts = wait_until(lambda: b_intake.get(base + "/api/v1/alerts", timeout=10).json())
    assert alerts, "practice B has no alert to aim at"
    ids = {"client_id": b.bobby_id, "account_id": b_account["account_id"],
           "alert_id": alerts[0]["id"], "event_id": b_event["id"]}
    # B's chart revision and review batch, document type and a document shared with Bobby
    [revision] = b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}/chart-revisions",
                              timeout=10).json()
    [batch] = b_intake.get(f"{base}/api/v1/changes-to-review", timeout=10).json()
    b_admin = bearer_sign_in(base, {"login": b.admin_login, "password": b.staff_password,
                                    "audience": "staff"})
    b_type = b_admin.post(f"{base}/api/v1/document-types", timeout=10,
                          json={"name": "Bristol letters", "show_in_portal": True})
    assert b_type.status_code == 201, b_type.text
    b_doc = b_admin.post(f"{base}/api/v1/documents", timeout=10, files={
        "file": ("bristol-letter.pdf", PDF)}, data={
        "client_id": b.bobby_id, "type_id": b_type.json()["id"], "title": "Bristol letter"})
    assert b_doc.status_code == 201, b_doc.text
    ids.update(revision_id=revision["id"], type_id=b_type.json()["id"],
               document_id=b_doc.json()["id"])
    # a contact and a staff member of practice B (identity's RPCs, as the seed would)
    from services.common.actor import Actor
    with haven_stack.rpc() as rpc:
        b_system = Actor.system(practice_id=b.id).to_wire()
        b_contact = rpc.identity.create_contact(b_system, {
            "email": f"contact-{b.code}@example.org", "name": "Bea Contact"})
        ids["contact_id"] = b_contact["contact_id"]
        ids["staff_id"] = rpc.identity.list_staff(b_system)[0]["id"]
    # an appointment of B's Bobby, booked by B's staff
    b_clinician = b_admin.get(f"{base}/api/v1/clinicians", timeout=10).json()[0]
    starts = (datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
              + datetime.timedelta(days=3))
    b_appointment = b_admin.post(f"{base}/api/v1/clients/{b.bobby_id}/appointments",
                                 timeout=10, json={"clinician_id": b_clinician["id"],
                                                   "starts_at": starts.isoformat(),
                                                   "title": "Bristol session"})
    assert b_appointment.status_code == 201, b_appointment.text
    ids["appointment_id"] = b_appointment.json()["id"]
    # B's scheduling setup: a location, a service and a clinician's time off
    with haven_stack.rpc() as rpc:
        b_place = rpc.scheduling.create_location(b_system, {
            "kind": "office", "name": "Bristol office", "address": "1 Bristol Row",
            "time_zone": "Europe/London"})
        b_service = rpc.scheduling.create_service(b_system, {
            "name": "Bristol session", "duration_minutes": 50,
            "clinician_ids": [b_clinician["id"]]})
        b_block = rpc.scheduling.create_block(b_system, {
            "clinician_id": b_clinician["id"], "starts_at": "2031-01-01T00:00",
            "ends_at": "2031-01-02T00:00", "time_zone": "Europe/London",
            "label": "Bristol leave"})
    ids.update(location_id=b_place["id"], service_id=b_service["id"],
               block_id=b_block["id"], clinician_id=b_clinician["id"])
    # B's conversation with its Bobby (messaging on for B), started by B's clinician
    with haven_stack.rpc() as rpc:
        rpc.messaging.update_messaging_settings(b_system, {"enabled": True})
        b_staff = {"practice_id": b.id, "kind": "staff", "id": b_clinician["id"],
                   "permissions": ["view_clients"]}
        ids["conversation_id"] = rpc.messaging.start_conversation(b_staff, {
            "client_id": b.bobby_id, "subject": "Bristol subject",
            "body": "Bristol message"})["id"]
    # B's own invitation text: A's administrator, reading or previewing hers, never sees it
    assert b_admin.put(f"{base}/api/v1/email-templates/invitation", timeout=10, json={
        "subject": "Bristol welcomes you to {{ practice_name }}"}).status_code == 200
    # an email notify sent for B (Bobby's welcome): its id in B's delivery log
    b_emails = wait_until(lambda: b_admin.get(f"{base}/api/v1/ops/emails", timeout=10).json())
    assert b_emails, "practice B has no email to aim at"
    ids["email_id"] = b_emails[0]["id"]
    secrets = [b.bobby_email, "Bristol", "Bea Contact", "bristol-letter"]

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
    a_clinician = callers["A's administrator"].get(f"{base}/api/v1/clinicians",
                                                   timeout=10).json()[0]
    BODIES[("POST", "/api/v1/clients/<client_id>/appointments")] = {
        "clinician_id": a_clinician["id"], "starts_at": starts.isoformat()}

    routes = [r for r in Router(TABLES).routes if r.path_params and r.auth != PUBLIC]
    assert len(routes) >= 10
    # a route whose id or body this test does not know fails here until it is taught one
    untaught = [f"{r.method} {r.path} <{n}>" for r in routes for n in r.path_params
                if n not in ids and n not in NAMES]
    untaught += [f"{r.method} {r.path} (no sample body)" for r in routes
                 if r.request is not None and (r.method, r.path) not in BODIES]
    assert not untaught, untaught
    checked = 0
    for route in routes:
        path = route.path
        for name in route.path_params:
            path = path.replace(f"<{name}>", ids.get(name) or NAMES[name])
        body = BODIES.get((route.method, route.path))
        for who, http in callers.items():
            r = http.request(route.method, base + path, json=body, timeout=10)
            allowed = (403, 404)
            if not any(n in ids for n in route.path_params):
                allowed += (200,)   # only names in the path (e.g. a tab): one's own data
            assert r.status_code in allowed, (who, route.method, path, r.status_code, r.text)
            for secret in secrets:
                assert secret not in r.text, (who, route.method, path)
            checked += 1
    assert checked == 2 * len(routes)

    # ids in the query string and in bodies too
    admin, client = callers["A's administrator"], callers["A's client"]
    r = client.get(base + "/api/v1/me/details", params={"client_id": b.bobby_id}, timeout=10)
    assert r.status_code == 404
    r = client.get(base + "/api/v1/me/appointments", params={"client_id": b.bobby_id},
                   timeout=10)
    assert r.status_code == 404 and ids["appointment_id"] not in r.text
    r = admin.get(base + "/api/v1/clinicians", timeout=10)
    assert r.status_code == 200 and b_clinician["id"] not in r.text
    r = client.post(base + "/api/v1/me/uploads", params={"client_id": b.bobby_id},
                    files={"file": ("a.pdf", PDF)}, timeout=10)
    assert r.status_code in (403, 404), r.text
    r = admin.get(base + "/api/v1/documents", params={"client_id": b.bobby_id}, timeout=10)
    assert r.status_code == 404, r.text
    r = admin.post(base + "/api/v1/documents", files={"file": ("a.pdf", PDF)}, timeout=10,
                   data={"client_id": b.bobby_id, "type_id": ids["type_id"]})
    assert r.status_code in (404, 422), r.text
    r = admin.get(base + "/api/v1/changes-to-review", params={"client_id": b.bobby_id},
                  timeout=10)
    assert r.status_code == 200 and r.json() == [], r.text
    r = admin.post(base + "/api/v1/changes-to-review/reviewed", timeout=10,
                   json={"batch_ids": [batch["batch_id"]]})
    assert r.status_code == 200 and r.json() == {"reviewed": 0}, r.text
    for r in (admin.get(base + "/api/v1/documents", timeout=10),
              admin.get(base + "/api/v1/document-types", timeout=10)):
        assert not [s for s in secrets if s in r.text], r.text

    # and nothing of B's changed
    assert b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}", timeout=10).json()["city"] == \
        "Bristol"
    access = b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}/portal-access", timeout=10)
    assert access.json()["status"] == "active" and access.json()["login"] == b.bobby_email
    assert b_bobby.call("GET", "/api/v1/me/details").status_code == 200
    assert [c["batch_id"] for c in b_intake.get(f"{base}/api/v1/changes-to-review",
                                                 timeout=10).json()] == [batch["batch_id"]]
    b_docs = b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}/documents", timeout=10).json()
    assert [d["id"] for d in b_docs if d["kind"] == "shared"] == [ids["document_id"]]
    [b_seen] = b_intake.get(f"{base}/api/v1/clients/{b.bobby_id}/appointments",
                            timeout=10).json()["items"]
    assert (b_seen["status"], b_seen["version"]) == ("scheduled", 1)


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

    # a handful of refusals, then a wait — the same for both. (The first wait is one second:
    # on a loaded machine a request may arrive after it and be refused as a failure
    # instead, so the count may differ by one; what each answer says may not.)
    for seen in (known, unknown):
        statuses = [s for s, _, _ in seen]
        assert statuses[-1] == 429 and set(statuses[:-1]) == {401}, statuses
        assert 4 <= len(statuses) - 1 <= 8, statuses
    failures_known = [body for s, body, _ in known if s == 401]
    failures_unknown = [body for s, body, _ in unknown if s == 401]
    assert failures_known[:4] == failures_unknown[:4]
    assert {str(b) for b in failures_known} == {str(b) for b in failures_unknown}
    assert failures_known[0]["error"] == "invalid_credentials"
    for _, body, retry_after in (known[-1], unknown[-1]):
        assert body["error"] == known[-1][1]["error"]
        assert body["fields"]["retry_after"] >= 1 and int(retry_after) >= 1


def test_a_known_device_signs_in_while_strangers_wait(haven_stack):
    """OWASP ASVS 6.3.1: others' failures cannot lock the owner out of a device they used
    before — in a browser (the haven_device cookie) and as an API client (device_token)."""
    base = haven_stack.base_url
    practice = new_practice(haven_stack)
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    body = {"practice_code": practice.code, "login": practice.bobby_email,
            "password": PASSWORD, "audience": "portal"}
    browser, app = _from_fresh_address(), _from_fresh_address()
    assert browser.post(base + "/api/v1/session", json=body, timeout=10).status_code == 200
    assert browser.cookies.get("haven_device", path="/api/v1/session")
    first = app.post(base + "/api/v1/session", json=dict(body, token_delivery="body"),
                     timeout=10).json()
    assert first["device_token"]
    _attack(base, practice, practice.bobby_email, until_wait=4)
    stranger = _from_fresh_address().post(base + "/api/v1/session", json=body, timeout=10)
    assert stranger.status_code == 429                       # a new device waits ...
    again = browser.post(base + "/api/v1/session", json=body, timeout=10)
    assert again.status_code == 200                          # ... the owner's do not
    api = app.post(base + "/api/v1/session", timeout=10, json=dict(
        body, token_delivery="body", device_token=first["device_token"]))
    assert api.status_code == 200 and api.json()["access_token"]


def _attack(base, practice, login, until_wait, limit=15):
    """Wrong passwords, each once allowed, until the account's wait is `until_wait` seconds
    (long enough for the next requests to meet it on a busy machine)."""
    http = _from_fresh_address()
    for _ in range(limit):
        r = http.post(base + "/api/v1/session", timeout=10, json={
            "practice_code": practice.code, "login": login, "password": "not the password",
            "audience": "portal"})
        if r.status_code == 429:
            wait = int(r.json()["fields"]["retry_after"])
            if wait >= until_wait:
                return
            time.sleep(wait)
    raise AssertionError("the account was never made to wait")
