"""A fresh practice per test, made through the services' own RPCs (as the seed does),
so tests never depend on each other's data."""
import uuid
from dataclasses import dataclass

from services.common.actor import Actor

STAFF_PASSWORD = "amber lantern orchard 42"


@dataclass
class Practice:
    id: str
    code: str
    intake_login: str
    clinician_login: str
    admin_login: str
    bobby_email: str
    bobby_id: str
    staff_password: str = STAFF_PASSWORD


def new_practice(stack):
    suffix = uuid.uuid4().hex[:8]
    code = f"t{suffix}"
    with stack.rpc() as rpc:
        practice = rpc.identity.create_practice(Actor.system().to_wire(), {
            "code": code, "name": f"Test Practice {suffix}", "title": "Welcome to our portal",
            "instructions": "Please keep your details current."})
        system = Actor.system(practice_id=practice["id"]).to_wire()
        logins = {}
        for role in ("practice_admin", "clinician", "intake"):
            login = f"{role}-{suffix}@example.org"
            # an enrolled authenticator from the start (system only), as the seed does
            rpc.identity.create_staff(system, {"email": login, "name": f"{role.title()} {suffix}",
                                               "role": role, "password": STAFF_PASSWORD,
                                               "mfa_secret": new_secret(login)})
            logins[role] = login
        bobby_email = f"bobby-{suffix}@example.org"
        bobby = rpc.charts.create_client(system, {
            "first_name": "Bobby", "last_name": "Newman", "date_of_birth": "1990-04-12",
            "email": bobby_email, "phone_mobile": "+1 555 010 0000"})
    return Practice(id=practice["id"], code=code, intake_login=logins["intake"],
                    clinician_login=logins["clinician"], admin_login=logins["practice_admin"],
                    bobby_email=bobby_email, bobby_id=bobby["id"])


# -- issue 4: people to invite, and reading the mail catcher --------------------------------
def add_client(stack, practice, first_name, last_name, date_of_birth=None, email=None):
    """A chart in the practice (as its system actor); returns the record."""
    system = Actor.system(practice_id=practice.id).to_wire()
    payload = {"first_name": first_name, "last_name": last_name}
    if date_of_birth:
        payload["date_of_birth"] = date_of_birth
    if email:
        payload["email"] = email
    with stack.rpc() as rpc:
        return rpc.charts.create_client(system, payload)


def give_login(stack, practice, client, password):
    """A portal login set up by staff, no password change required (identity's RPC)."""
    system = Actor.system(practice_id=practice.id).to_wire()
    with stack.rpc() as rpc:
        return rpc.identity.create_client_access(system, {
            "client_id": client["id"], "login": client["email"],
            "temporary_password": password, "change_password_at_next_login": False,
            "status": "active", "client_name": f"{client['first_name']} {client['last_name']}"})


def wait_for_mail(stack, to, link_kind, after=0, timeout=10.0):
    """The newest link path `/p/<code>/<link_kind>/<token>` (or `/staff/…`) mailed to `to`
    among messages after index `after`, waiting for notify to send it."""
    import re
    import time
    pattern = re.compile(r"https?://[^/\s]+(/(?:p|staff)/[A-Za-z0-9_-]+/" + link_kind +
                         r"/[A-Za-z0-9_-]+)")
    deadline = time.monotonic() + timeout
    while True:
        messages = stack.mail_messages()
        for message in reversed(messages[after:]):
            if to in message["to"]:
                found = pattern.search(message["body"])
                if found:
                    return found.group(1), message
        if time.monotonic() > deadline:
            raise AssertionError(f"no {link_kind} email to {to}")
        time.sleep(0.1)


def mail_count(stack):
    return len(stack.mail_messages())


# -- two-step sign-in: authenticator codes, each usable once ------------------------------------
SECRETS = {}      # login (or any key) -> base32 TOTP secret
_LAST_STEP = {}   # key -> the last time step whose code was handed out


def new_secret(key):
    import pyotp
    SECRETS[key] = pyotp.random_base32()
    return SECRETS[key]


def totp_code(key, secret=None):
    """A code identity accepts now and has not seen before. identity takes each 30-s step
    once per person and allows one step of drift: hand out the current step, then the next
    one; only a third code within one window waits (at most 30 s) for the clock."""
    import time
    import pyotp
    secret = secret or SECRETS[key]
    step = max(int(time.time()) // 30, _LAST_STEP.get(key, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.2)
    _LAST_STEP[key] = step
    return pyotp.TOTP(secret).at(step * 30)


def staff_sign_in(base_url, login, password, delivery="body"):
    """Staff sign-in over HTTP through both steps: the code from the authenticator made by
    new_practice (or, for staff without one yet, enrols one first). Returns (session,
    final response): tokens in the body, or cookies on the session."""
    import requests
    http = requests.Session()
    r = http.post(base_url + "/api/v1/session", timeout=10, json={
        "login": login, "password": password, "audience": "staff", "token_delivery": delivery})
    assert r.status_code == 200, r.text
    first = r.json()
    if not first.get("mfa_required"):
        return http, r
    if first.get("mfa_enrol"):
        enrol = http.post(base_url + "/api/v1/session/mfa/enrolment", timeout=10,
                          json={"mfa_token": first["mfa_token"]})
        assert enrol.status_code == 200, enrol.text
        SECRETS[login] = enrol.json()["secret"]
        _LAST_STEP.pop(login, None)
    done = http.post(base_url + "/api/v1/session/mfa", timeout=10, json={
        "mfa_token": first["mfa_token"], "code": totp_code(login), "token_delivery": delivery})
    assert done.status_code == 200, done.text
    return http, done


def staff_browser_cookies(base_url, login, password):
    """Cookies of a signed-in staff session, for a Playwright context that need not show
    the sign-in (test_people_browser.py signs in through the console's code step)."""
    from urllib.parse import urlsplit
    http, _ = staff_sign_in(base_url, login, password, delivery="cookie")
    host = urlsplit(base_url).hostname
    return [{"name": c.name, "value": c.value, "domain": host, "path": "/",
             "httpOnly": c.name != "haven_csrf", "sameSite": "Strict"} for c in http.cookies]


CODE_LABEL = "Enter the 6-digit code from your authenticator app"


def staff_ui_sign_in(page, base_url, login, password):
    """Staff sign in through the console's page, both steps, as a person does."""
    from playwright.sync_api import expect
    page.goto(f"{base_url}/staff/sign-in")
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    page.get_by_label(CODE_LABEL).fill(totp_code(login))
    page.get_by_role("button", name="Verify").click()
