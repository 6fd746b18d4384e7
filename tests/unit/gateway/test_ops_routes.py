"""Failed event deliveries for a practice's administrators: list and replay."""
from tests.unit.gateway.fakes import PRACTICE_ID, token


def bearer(**claims):
    # made per test: a token made at import would expire during a long run
    return {"Authorization": "Bearer " + token(**claims)}


ROW = {"event_id": "e1", "handler": "notify.on_client_updated", "event_type": "client.updated",
       "practice_id": PRACTICE_ID, "attempts": 5, "last_error": "TimeoutError",
       "parked": True, "first_failed_at": "2026-01-01T00:00:00+00:00",
       "parked_at": "2026-01-01T00:01:00+00:00"}


def test_administrators_list_their_practice_failed_deliveries(client, rpc):
    ops = bearer(kind="staff", perms=["view_operations"])
    identity_row = dict(ROW, event_id="e2", handler="identity.on_client_updated",
                        first_failed_at="2026-01-02T00:00:00+00:00")
    rpc.answers["identity.ops_list_failed_deliveries"] = lambda actor, payload: [identity_row]
    rpc.answers["notify.ops_list_failed_deliveries"] = lambda actor, payload: [ROW]
    r = client.get("/api/v1/ops/failed-deliveries?parked_only=true", headers=ops)
    assert r.status_code == 200
    assert r.json == [  # every service with handlers, newest first
        {k: v for k, v in dict(row, service=service).items() if k != "practice_id"}
        for service, row in (("identity", identity_row), ("notify", ROW))]
    assert sorted(service for service, _, _ in rpc.calls) == ["identity", "notify"]
    for _, _, (actor, payload) in rpc.calls:
        assert actor["practice_id"] == PRACTICE_ID and payload == {"parked_only": True}


def test_staff_without_the_permission_and_clients_are_refused(client, rpc):
    clinician = bearer(kind="staff", perms=["view_clients"])
    assert client.get("/api/v1/ops/failed-deliveries", headers=clinician).status_code == 403
    client_token = bearer()
    assert client.get("/api/v1/ops/failed-deliveries", headers=client_token).status_code == 403
    assert client.post("/api/v1/ops/failed-deliveries/notify/e1/replay", headers=clinician,
                       json={"handler": "notify.on_client_updated"}).status_code == 403
    assert rpc.calls == []


def test_a_replay_names_the_service_and_handler(client, rpc):
    ops = bearer(kind="staff", perms=["view_operations"])
    rpc.answers["notify.ops_replay_delivery"] = lambda actor, event_id, handler: {
        "event_id": event_id, "handler": handler, "replayed": True}
    r = client.post("/api/v1/ops/failed-deliveries/notify/e1/replay", headers=ops,
                    json={"handler": "notify.on_client_updated"})
    assert r.status_code == 200
    assert r.json == {"service": "notify", "event_id": "e1",
                      "handler": "notify.on_client_updated", "replayed": True}


def test_a_replay_of_an_unknown_service_or_without_a_handler_is_refused(client, rpc):
    ops = bearer(kind="staff", perms=["view_operations"])
    r = client.post("/api/v1/ops/failed-deliveries/billing/e1/replay", headers=ops,
                    json={"handler": "x"})
    assert r.status_code == 404 and r.json["error"] == "not_found"
    r = client.post("/api/v1/ops/failed-deliveries/notify/e1/replay", headers=ops, json={})
    assert r.status_code == 422 and "handler" in r.json["fields"]
    assert rpc.calls == []
