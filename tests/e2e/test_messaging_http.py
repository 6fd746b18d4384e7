"""Issue 14 over HTTP, through the gateway of the whole stack as `make run` starts it, on
the seeded demo practice "abc" (secure messaging on, Maya Rivera assigned to Bobby
Newman and a conversation from her waiting for him): Bobby writes to Maya, Maya sees the
unread count, reads and replies, Bobby sees the reply; Bobby cannot write to a clinician
not assigned to him (403 with its sentence) nor open a conversation he is not in (404)."""
import uuid

from tests.e2e.practice import SECRETS
from tests.e2e.test_story_http import Browserless, staff_session, wait_until


def bobby_session(stack):
    demo = stack.demo
    bobby = Browserless(stack.base_url)
    r = bobby.call("POST", "/api/v1/session", json={
        "practice_code": demo["practice"]["code"], "login": demo["client"]["login"],
        "password": demo["client"]["password"], "audience": "portal"})
    assert r.status_code == 200, r.text
    return bobby


def staff_by_email(stack, email):
    from services.common.actor import Actor
    with stack.rpc() as rpc:
        system = Actor.system(practice_id=stack.demo["practice"]["id"]).to_wire()
        return next(s for s in rpc.identity.list_staff(system) if s["email"] == email)


def test_bobby_writes_to_maya_and_she_replies(haven_stack):
    demo, base = haven_stack.demo, haven_stack.base_url
    maya_login, maya_password = demo["staff"][1]["email"], demo["staff"][1]["password"]
    maya = staff_by_email(haven_stack, maya_login)
    sam = staff_by_email(haven_stack, demo["staff"][2]["email"])
    bobby, bobby_id = bobby_session(haven_stack), demo["client"]["id"]

    # the seeded conversation waits for him, unread
    inbox = bobby.call("GET", "/api/v1/conversations").json()
    waiting = [c for c in inbox["items"] if c["id"] == demo["conversation"]["id"]]
    assert waiting and waiting[0]["started_by"] == {"kind": "staff", "id": maya["id"]}
    settings = bobby.call("GET", "/api/v1/messaging/settings").json()
    assert settings["enabled"] is True and "not for emergencies" in settings["emergency_notice"]
    clinicians = bobby.call("GET", f"/api/v1/clients/{bobby_id}/message-clinicians").json()
    assert maya["id"] in [c["id"] for c in clinicians["items"]]

    refused = bobby.call("POST", "/api/v1/conversations", json={
        "clinician_id": sam["id"], "body": "Hello Sam"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "clinician_not_assigned"
    assert refused.json()["message"].startswith("You can start a conversation only with")
    assert bobby.call("GET", f"/api/v1/conversations/{uuid.uuid4()}").status_code == 404

    text = "Can we move Tuesday's session? <b>not bold</b>"
    started = bobby.call("POST", "/api/v1/conversations", json={
        "clinician_id": maya["id"], "subject": "Tuesday", "body": text})
    assert started.status_code == 201, started.text
    conversation_id = started.json()["id"]

    SECRETS.setdefault(maya_login, demo["mfa_secret"])
    as_maya = staff_session(haven_stack, maya_login, maya_password)
    assert as_maya.get(base + "/api/v1/messaging/unread", timeout=10).json()["unread"] >= 1
    mine = next(c for c in as_maya.get(base + "/api/v1/conversations", timeout=10).json()[
        "items"] if c["id"] == conversation_id)
    assert mine["unread"] == 1
    read = as_maya.get(f"{base}/api/v1/conversations/{conversation_id}", timeout=10).json()
    assert read["messages"][0]["body"] == text          # stored and answered as plain text
    assert as_maya.post(f"{base}/api/v1/conversations/{conversation_id}/read", json={},
                        timeout=10).json()["unread"] == 0
    reply = as_maya.post(f"{base}/api/v1/conversations/{conversation_id}/messages",
                         json={"body": "Yes — Thursday at 10?"}, timeout=10)
    assert reply.status_code == 201, reply.text
    note = as_maya.post(f"{base}/api/v1/conversations/{conversation_id}/notes",
                        json={"body": "Prefers mornings"}, timeout=10)
    assert note.status_code == 201

    seen = bobby.call("GET", f"/api/v1/conversations/{conversation_id}").json()
    assert [m["body"] for m in seen["messages"]] == [text, "Yes — Thursday at 10?"]
    assert "notes" not in seen and "Prefers mornings" not in str(seen)
    assert seen["unread"] == 1
    assert wait_until(lambda: bobby.call("GET", "/api/v1/messaging/unread").json()[
        "unread"] >= 2)          # the reply and the seeded welcome
