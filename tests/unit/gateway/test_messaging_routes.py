"""The secure-messaging routes through the pipeline with a fake RPC: the caller's actor
reaches messaging as it is, the display name and the Idempotency-Key come from the
session and the header (never the body), messaging's refusals become their 4xx with
their sentence, and the OpenAPI description lists every route."""
import uuid

import pytest

from gateway.api import TABLES
from gateway.openapi import OpenApi
from gateway.router import Router
from services.common.errors import Forbidden, NotFound
from tests.unit.gateway.fakes import CLIENT_ID, token

STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
CONV = str(uuid.uuid4())
NOT_ASSIGNED = Forbidden("clinician_not_assigned", "You can start a conversation only "
                         "with a clinician assigned to you.")


def conversation(**extra):
    return dict({"id": CONV, "client_id": CLIENT_ID, "subject": None,
                 "started_by": {"kind": "client", "id": CLIENT_ID},
                 "created_at": "2030-01-01T00:00:00+00:00",
                 "last_message_at": "2030-01-01T00:00:00+00:00", "message_count": 1,
                 "unread": 0, "archived": False, "participants": [],
                 "you": {"kind": "client", "id": CLIENT_ID},
                 "messages": [{"id": "m1", "conversation_id": CONV, "seq": 1,
                               "sender": {"kind": "client", "id": CLIENT_ID},
                               "body": "<b>hi</b>", "sent_at": "2030-01-01T00:00:00+00:00"}]},
                **extra)


@pytest.fixture
def msg(rpc):
    seen = {}

    def start(actor, payload):
        seen["start"] = (actor, payload)
        if payload.get("clinician_id") == "sam":
            raise NOT_ASSIGNED
        return conversation()

    def send(actor, cid, payload):
        seen["send"] = (actor, cid, payload)
        return conversation()["messages"][0]

    def get(actor, cid):
        if cid != CONV:
            raise NotFound("not_found", "That conversation does not exist.")
        return conversation()

    rpc.answers.update({
        "messaging.start_conversation": start, "messaging.send_message": send,
        "messaging.get_conversation": get,
        "messaging.list_conversations": lambda a, p: {"items": [], "unread_total": 3},
        "messaging.count_unread": lambda a: {"unread": 3, "enabled": True},
        "messaging.mark_read": lambda a, c, p: {"conversation_id": c, "read_up_to_seq": 1,
                                                "unread": 0},
        "messaging.get_messaging_settings": lambda a: {"enabled": True,
                                                       "emergency_notice": "Call 911.",
                                                       "updated_at": None},
    })
    rpc.seen = seen
    return rpc


def test_a_client_starts_a_conversation_for_the_person_they_act_for(client, msg):
    key = str(uuid.uuid4())
    r = client.post("/api/v1/conversations", headers=dict(CLIENT, **{"Idempotency-Key": key}),
                    json={"clinician_id": "maya", "body": "Hello", "sender_name": "Evil"})
    assert r.status_code == 422          # the display name is not the caller's to set
    r = client.post("/api/v1/conversations", headers=dict(CLIENT, **{"Idempotency-Key": key}),
                    json={"clinician_id": "maya", "body": "Hello"})
    assert r.status_code == 201, r.json
    actor, payload = msg.seen["start"]
    assert actor["kind"] == "client" and payload == {
        "clinician_id": "maya", "body": "Hello", "client_id": CLIENT_ID,
        "sender_name": "Someone", "id": key}
    assert r.json["messages"][0]["body"] == "<b>hi</b>"   # text, as stored


def test_a_clinician_not_assigned_is_a_403_with_its_sentence(client, msg):
    r = client.post("/api/v1/conversations", headers=CLIENT,
                    json={"clinician_id": "sam", "body": "Hello"})
    assert r.status_code == 403
    assert r.json["error"] == "clinician_not_assigned"
    assert r.json["message"].startswith("You can start a conversation only")


def test_staff_start_with_a_contact(client, msg):
    r = client.post("/api/v1/conversations", headers=STAFF,
                    json={"client_id": CLIENT_ID, "with": "contact", "with_id": "c1",
                          "body": "Hi"})
    assert r.status_code == 201
    assert msg.seen["start"][1]["with"] == "contact" and "with_kind" not in msg.seen["start"][1]


def test_a_conversation_you_are_not_in_is_404(client, msg):
    r = client.get(f"/api/v1/conversations/{uuid.uuid4()}", headers=CLIENT)
    assert r.status_code == 404 and r.json["error"] == "not_found"
    assert client.get(f"/api/v1/conversations/{CONV}", headers=CLIENT).status_code == 200


def test_send_passes_the_key_and_refuses_an_empty_body_before_messaging(client, msg):
    assert client.post(f"/api/v1/conversations/{CONV}/messages", headers=CLIENT,
                       json={"body": ""}).status_code == 422
    assert "send" not in msg.seen
    r = client.post(f"/api/v1/conversations/{CONV}/messages", headers=CLIENT,
                    json={"body": "Reply"})
    assert r.status_code == 201
    _, cid, payload = msg.seen["send"]
    assert cid == CONV and payload["body"] == "Reply" and uuid.UUID(payload["id"])
    bad = client.post(f"/api/v1/conversations/{CONV}/messages",
                      headers=dict(CLIENT, **{"Idempotency-Key": "nope"}), json={"body": "x"})
    assert bad.status_code == 422


def test_inbox_unread_read_and_settings(client, msg):
    assert client.get("/api/v1/conversations", headers=STAFF).json["unread_total"] == 3
    assert client.get("/api/v1/messaging/unread", headers=CLIENT).json == {
        "unread": 3, "enabled": True}
    assert client.post(f"/api/v1/conversations/{CONV}/read", headers=STAFF,
                       json={}).json["unread"] == 0
    assert client.get("/api/v1/messaging/settings", headers=CLIENT).json[
        "emergency_notice"] == "Call 911."


def test_staff_only_routes_refuse_clients_without_asking_messaging(client, msg):
    for path, body in ((f"/api/v1/conversations/{CONV}/notes", {"body": "x"}),
                       (f"/api/v1/conversations/{CONV}/participants", {"staff_id": "s"})):
        assert client.post(path, headers=CLIENT, json=body).status_code == 403
    assert client.patch("/api/v1/messaging/settings", headers=CLIENT,
                        json={"enabled": True}).status_code == 403
    assert not any(s == "messaging" and m in ("add_note", "add_participant",
                                              "update_messaging_settings")
                   for s, m, _ in msg.calls)


def test_every_messaging_route_is_described():
    spec = OpenApi(Router(TABLES).routes).spec
    routes = [r for t in TABLES for r in t.routes if "messages" in r.tags]
    assert len(routes) == 15
    for route in routes:
        assert route.method.lower() in spec["paths"][route.openapi_path]


def test_staff_reach_only_their_practices_clients(client, msg):
    def no_such_chart(actor, cid):
        raise NotFound("not_found", "That client does not exist.")
    msg.answers["charts.get_client"] = no_such_chart
    other = str(uuid.uuid4())
    for method, path, body in (
            ("POST", "/api/v1/conversations", {"client_id": other, "body": "hi"}),
            ("GET", f"/api/v1/clients/{other}/messaging", None),
            ("PUT", f"/api/v1/clients/{other}/messaging", {"enabled": False}),
            ("GET", f"/api/v1/clients/{other}/message-clinicians", None),
            ("POST", f"/api/v1/clients/{other}/message-clinicians", {"clinician_id": "s"})):
        r = client.open(path, method=method, headers=STAFF, json=body)
        assert r.status_code == 404, (method, path, r.json)
    assert not any(s == "messaging" for s, m, _ in msg.calls)
