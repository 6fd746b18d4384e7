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
