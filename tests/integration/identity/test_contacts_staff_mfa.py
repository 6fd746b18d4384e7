"""The rest of issue 4 below the gateway: a contact's grants, staff invitations and
two-factor sign-in — identity, notify and a stand-in for charts in real containers on
the real RabbitMQ, on SQLite and PostgreSQL, emails caught by a real SMTP server."""
import uuid

import pyotp
import pytest

from services.common.actor import Actor
from services.identity.domain import tokens
from tests.integration.identity.test_identity import SECRET
from tests.integration.identity.test_portal_access import (CHARTS, PUBLIC, new_practice,  # noqa: F401
                                                           stack)

PASSWORD = "copper kettle meadow 77"
SHORT = "maple river 8"


def link_token(body, prefix):
    import re
    match = re.search(rf"{re.escape(PUBLIC)}/{prefix}/[a-z0-9-]+/reset/(\S+)", body)
    assert match, body
    return match.group(1)


def test_contact_sign_in_carries_exactly_its_grants_and_narrowing_revokes(stack):
    identity, inbox, events, _ = stack
    practice, staff = new_practice(identity)
    kid, adult = str(uuid.uuid4()), str(uuid.uuid4())
    CHARTS[kid] = {"id": kid, "first_name": "Mia", "last_name": "Rivers",
                   "date_of_birth": "2019-05-01"}
    CHARTS[adult] = {"id": adult, "first_name": "Ann", "last_name": "Rivers",
                     "date_of_birth": "1950-05-01"}
    address = f"guardian-{uuid.uuid4().hex[:8]}@example.org"
    contact = identity.create_contact(staff, {"email": address, "name": "Jane Rivers"})
    body = inbox.wait_for(address, "client portal")
    assert "Mia" not in body and "Oak Tree Counseling" in body
    identity.complete_password_reset({"token": link_token(body, "p"), "new_password": PASSWORD})

    cid = contact["contact_id"]
    identity.grant_access(staff, {"contact_id": cid, "client_id": kid,
                                  "permissions": ["view_appointments", "message_clinician"]})
    identity.grant_access(staff, {"contact_id": cid, "client_id": adult,
                                  "permissions": ["billing"]})
    signed = identity.authenticate({"practice_code": practice["code"], "login": address,
                                    "password": PASSWORD, "audience": "portal"})
    claims = tokens.decode_access_token(signed["access_token"], SECRET)
    assert claims["kind"] == "contact"
    assert claims["clients"] == {kid: ["view_appointments", "message_clinician"],
                                 adult: ["billing"]}
    names = {c["client_id"]: c["name"] for c in signed["principal"]["clients"]}
    assert names == {kid: "Mia Rivers", adult: "Ann Rivers"}

    granted = events.wait_for("grant.changed", lambda e: e["data"]["client_id"] == kid)
    assert granted["data"]["permissions"] == ["view_appointments", "message_clinician"]
    assert "link_path" not in granted["data"]
    identity.grant_access(staff, {"contact_id": cid, "client_id": kid,
                                  "permissions": ["view_appointments"]})
    revoked = events.wait_for("session.revoked",
                              lambda e: signed["session_id"] in e["data"]["session_ids"])
    assert revoked["data"]["reason"] == "grant_narrowed"
    listed = identity.list_revocations({})["sessions"]
    assert signed["session_id"] in [s["session_id"] for s in listed]
    again = identity.authenticate({"practice_code": practice["code"], "login": address,
                                   "password": PASSWORD, "audience": "portal"})
    assert tokens.decode_access_token(again["access_token"], SECRET)["clients"][kid] == \
        ["view_appointments"]
    # nothing secret went out on the public exchange
    assert all(e["type"] not in ("contact.invited", "staff.invited") for e in events.seen)


def test_staff_invitation_email_then_two_factor_enrolment_and_sign_in(stack):
    identity, inbox, events, _ = stack
    practice, _ = new_practice(identity)
    system = Actor.system(practice_id=practice["id"]).to_wire()
    admin = identity.create_staff(system, {
        "email": f"admin-{uuid.uuid4().hex[:6]}@oak.example", "name": "Ada Admin",
        "role": "practice_admin", "password": SHORT, "mfa_secret": pyotp.random_base32()})
    admin_actor = Actor(practice_id=practice["id"], kind="staff", id=admin["id"],
                        roles=("practice_admin",), permissions=("manage_staff",)).to_wire()
    address = f"cy-{uuid.uuid4().hex[:8]}@oak.example"
    invited = identity.invite_staff(admin_actor, {"email": address, "name": "Cy Clinician",
                                                  "role": "clinician"})
    assert invited["status"] == "invited"
    body = inbox.wait_for(address, "You are invited")
    token = link_token(body, "staff")
    assert identity.get_password_reset({"token": token})["min_password_length"] == 8
    identity.complete_password_reset({"token": token, "new_password": SHORT})

    step = identity.authenticate({"practice_code": practice["code"], "login": address,
                                  "password": SHORT, "audience": "staff"})
    assert step["mfa_required"] and step["mfa_enrol"] and "access_token" not in step
    secret = identity.start_mfa_enrolment({"mfa_token": step["mfa_token"]})["secret"]
    done = identity.complete_mfa({"mfa_token": step["mfa_token"],
                                  "code": pyotp.TOTP(secret).now()})
    assert len(done["recovery_codes"]) == 10
    assert tokens.decode_access_token(done["access_token"], SECRET)["roles"] == ["clinician"]

    second = identity.authenticate({"practice_code": practice["code"], "login": address,
                                    "password": SHORT, "audience": "staff"})
    assert second["mfa_enrol"] is False
    final = identity.complete_mfa({"mfa_token": second["mfa_token"],
                                   "code": done["recovery_codes"][0]})
    assert final["principal"]["kind"] == "staff"

    identity.set_staff_status(admin_actor, {"staff_id": invited["id"], "status": "suspended"})
    revoked = events.wait_for("session.revoked",
                              lambda e: final["session_id"] in e["data"]["session_ids"])
    assert set(revoked["data"]["session_ids"]) == {done["session_id"], final["session_id"]}
    assert events.wait_for("staff.updated",
                           lambda e: e["data"]["staff_id"] == invited["id"])["data"][
        "status"] == "suspended"
