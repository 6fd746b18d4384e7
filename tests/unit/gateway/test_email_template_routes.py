"""Email templates and the delivery log over HTTP: the gateway carries administrators' requests to notify and
its refusals (422 with the line, 409, 503) back, and documents every route."""
from services.common.errors import InvalidInput, Unavailable
from tests.unit.gateway.fakes import PRACTICE_ID, token


def bearer(**claims):
    return {"Authorization": "Bearer " + token(**claims)}


def admin():
    return bearer(kind="staff", perms=["manage_practice_settings"])


TEMPLATE = {"kind": "invitation", "label": "Portal invitation", "description": "d",
            "security": False, "edited": True, "version": 1,
            "updated_at": "2026-01-02T03:04:05+00:00",
            "subject": "s", "body_text": "t", "body_html": None,
            "default": {"subject": "s", "body_text": "t", "body_html": None},
            "variables": [{"name": "practice_name", "description": "n", "sample": "ABC"}]}


def test_only_administrators_reach_email_templates(client, rpc):
    clinician = bearer(kind="staff", perms=["view_clients"])
    assert client.get("/api/v1/email-templates", headers=clinician).status_code == 403
    assert client.put("/api/v1/email-templates/invitation", headers=clinician,
                      json={"subject": "x"}).status_code == 403
    assert client.post("/api/v1/email-templates/invitation/sample", headers=bearer(),
                       json={}).status_code == 403
    assert rpc.calls == []


def test_a_save_carries_the_kind_and_body_to_notify(client, rpc):
    rpc.answers["notify.save_email_template"] = lambda actor, kind, payload: dict(
        TEMPLATE, kind=kind, subject=payload["subject"])
    r = client.put("/api/v1/email-templates/invitation", headers=admin(),
                   json={"subject": "Hi {{ practice_name }}", "version": 0})
    assert r.status_code == 200 and r.json["subject"] == "Hi {{ practice_name }}"
    assert r.json["updated_at"] == "2026-01-02T03:04:05+00:00"   # notify's ISO text, as is
    [(service, method, (actor, kind, payload))] = rpc.calls
    assert (service, method, kind) == ("notify", "save_email_template", "invitation")
    assert actor["practice_id"] == PRACTICE_ID
    assert payload == {"subject": "Hi {{ practice_name }}", "version": 0}


def test_a_refused_template_is_422_with_its_line_beside_the_field(client, rpc):
    def refuse(actor, kind, payload):
        raise InvalidInput("template_refused", "The plain-text body: Line 3: Unexpected '}'.",
                           {"body_text": ["Line 3: Unexpected '}'."]})
    rpc.answers["notify.preview_email_template"] = refuse
    r = client.post("/api/v1/email-templates/welcome/preview", headers=admin(),
                    json={"body_text": "{{ x }"})
    assert r.status_code == 422 and r.json["error"] == "template_refused"
    assert r.json["fields"] == {"body_text": ["Line 3: Unexpected '}'."]}


def test_a_sample_the_mail_server_refused_is_503_with_the_reason(client, rpc):
    def down(actor, kind, payload):
        raise Unavailable("mail_server_unreachable", "The mail server at 127.0.0.1:1025 "
                          "could not be reached (ConnectionRefusedError).")
    rpc.answers["notify.send_sample_email"] = down
    r = client.post("/api/v1/email-templates/welcome/sample", headers=admin(), json={})
    assert r.status_code == 503 and "127.0.0.1:1025" in r.json["message"]


def test_unknown_fields_are_refused_before_notify(client, rpc):
    r = client.put("/api/v1/email-templates/welcome", headers=admin(),
                   json={"subject": "x", "client_name": "y"})
    assert r.status_code == 422 and "client_name" in r.json["fields"]
    assert rpc.calls == []


def test_the_openapi_description_has_every_email_template_route(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/email-templates/{kind}"]) >= {"get", "put"}
    for suffix in ("reset", "preview", "sample"):
        assert "post" in paths[f"/api/v1/email-templates/{{kind}}/{suffix}"]
    assert "get" in paths["/api/v1/email-templates"]


DELIVERY = {"id": "e1", "kind": "welcome", "to": "ana@example.com", "status": "failed",
            "attempts": 8, "last_error": "smtp_550", "created_at": "2026-01-01T00:00:00+00:00",
            "sent_at": None, "next_attempt_at": None}


def test_the_delivery_log_is_for_operations_staff_and_carries_no_content(client, rpc):
    ops = bearer(kind="staff", perms=["view_operations"])
    rpc.answers["notify.list_email_deliveries"] = lambda actor, payload: [DELIVERY]
    r = client.get("/api/v1/ops/emails?status=failed", headers=ops)
    assert r.status_code == 200 and r.json == [DELIVERY]
    [(_, _, (actor, payload))] = rpc.calls
    assert payload == {"status": "failed"}
    assert client.get("/api/v1/ops/emails", headers=admin()).status_code == 403
    rpc.answers["notify.retry_email"] = lambda actor, email_id: dict(DELIVERY, status="pending",
                                                                      attempts=0)
    r = client.post("/api/v1/ops/emails/e1/retry", headers=ops)
    assert r.status_code == 200 and r.json["status"] == "pending"
