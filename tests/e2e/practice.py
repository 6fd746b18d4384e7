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
            rpc.identity.create_staff(system, {"email": login, "name": f"{role.title()} {suffix}",
                                               "role": role, "password": STAFF_PASSWORD})
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
