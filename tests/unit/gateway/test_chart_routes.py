"""Issue 5's chart routes through the pipeline with a fake RPC: what reaches charts, what
comes back, read-your-own-write for the Basic tab, and bad input as a clear 4xx."""
import pytest

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.unit.gateway.fakes import CLIENT_ID, OTHER_CLIENT, record, token

STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients", "edit_clients",
                                                                  "manage_practice_settings"])}
CLINICIAN = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
CLIENT = {"Authorization": "Bearer " + token()}
TAB = {"tab": "details", "version": 2, "values": {"ethnicity": "declined"},
       "updated_at": "2026-01-01T00:00:00+00:00", "editable": True, "read_only_reason": None}


def tab_of(name, **changes):
    return dict(TAB, tab=name, **changes)


def test_my_chart_asks_charts_for_the_own_client(client, rpc):
    rpc.answers["charts.get_chart"] = lambda actor, cid: {
        "client_id": cid, "client_name": "Ada Lovelace",
        "tabs": {t: tab_of(t) for t in ("basic", "details", "contacts", "insurance",
                                       "communication")},
        "settings": {"allow_clients_update_insurance": False, "client_uploads_enabled": True,
                     "extra_fields": [], "secret": "x"}}
    r = client.get("/api/v1/me/chart", headers=CLIENT)
    assert r.status_code == 200, r.json
    assert r.json["client_id"] == CLIENT_ID and set(r.json["tabs"]) == {
        "basic", "details", "contacts", "insurance", "communication"}
    assert "secret" not in r.json["settings"]


def test_a_tab_save_passes_the_body_and_version(client, rpc):
    seen = {}
    rpc.answers["charts.save_tab"] = lambda actor, cid, tab, body: seen.update(
        cid=cid, tab=tab, body=body) or tab_of(tab, version=3)
    r = client.patch("/api/v1/me/chart/contacts", headers=CLIENT, json={
        "version": 2, "emergency_contact": {"name": "Ann", "phone_mobile": "555 0100"}})
    assert r.status_code == 200 and r.json["version"] == 3
    assert seen == {"cid": CLIENT_ID, "tab": "contacts", "body": {
        "version": 2, "emergency_contact": {"name": "Ann", "phone_mobile": "555 0100"}}}


def test_unknown_keys_are_refused_before_charts(client, rpc):
    r = client.patch("/api/v1/me/chart/communication", headers=CLIENT,
                     json={"email_ok": True, "fax_ok": True})
    assert r.status_code == 422 and "fax_ok" in r.json["fields"]
    r = client.patch("/api/v1/me/chart/insurance", headers=CLIENT,
                     json={"primary": {"payer": "Aetna", "colour": "red"}})
    assert r.status_code == 422 and "primary.colour" in r.json["fields"]
    assert not rpc.count("charts.save_tab")


def test_unknown_tab_is_404(client):
    assert client.get("/api/v1/me/chart/hobbies", headers=CLIENT).status_code == 404
    # the path exists for GET only
    assert client.patch("/api/v1/me/chart/hobbies", headers=CLIENT, json={}).status_code == 405


def test_charts_field_messages_and_conflicts_pass_through(client, rpc):
    rpc.answers["charts.save_tab"] = InvalidInput(
        "invalid_input", "Enter the date as YYYY-MM-DD.",
        {"primary.effective_from": ["Enter the effective from as YYYY-MM-DD."]})
    r = client.patch("/api/v1/me/chart/insurance", headers=CLIENT,
                     json={"version": 1, "primary": {"payer": "A", "member_id": "1",
                                                     "effective_from": "x"}})
    assert r.status_code == 422
    assert r.json["fields"] == {"primary.effective_from": [
        "Enter the effective from as YYYY-MM-DD."]}
    rpc.answers["charts.save_tab"] = Conflict("stale_version", "Changed meanwhile.",
                                              {"changed": ["text_ok"]})
    r = client.patch("/api/v1/me/chart/communication", headers=CLIENT,
                     json={"version": 1, "text_ok": False})
    assert r.status_code == 409 and r.json["fields"]["changed"] == ["text_ok"]


def test_insurance_read_only_is_403_with_the_sentence(client, rpc):
    rpc.answers["charts.save_tab"] = Forbidden(
        "insurance_read_only", "Insurance details can only be changed by the practice. "
        "Please call the practice to update them.")
    r = client.patch("/api/v1/me/chart/insurance", headers=CLIENT,
                     json={"version": 1, "primary": None})
    assert r.status_code == 403 and r.json["error"] == "insurance_read_only"
    assert "call the practice" in r.json["message"]


def test_basic_save_feeds_the_read_model(client, rpc):
    rpc.answers["charts.update_demographics"] = lambda actor, cid, body: dict(
        record(cid, version=5), city="Portland", pronouns="he/him")
    assert client.get("/api/v1/me/details", headers=CLIENT).json["version"] == 1
    r = client.patch("/api/v1/me/chart/basic", headers=CLIENT,
                     json={"version": 1, "city": "Portland", "pronouns": "he/him"})
    assert r.status_code == 200, r.json
    assert r.json["tab"] == "basic" and r.json["version"] == 5
    assert r.json["values"]["pronouns"] == "he/him" and "id" not in r.json["values"]
    assert "primary_language" not in r.json["values"]  # the Details tab's
    calls = rpc.count("charts.get_client")
    again = client.get("/api/v1/me/details", headers=CLIENT).json
    assert again["version"] == 5 and again["city"] == "Portland"  # read your own write
    assert rpc.count("charts.get_client") == calls                # from the read model
    assert not rpc.count("charts.save_tab")


def test_a_details_save_of_the_language_is_read_back_on_my_details(client, rpc):
    language = {"value": None}
    rpc.answers["charts.get_client"] = lambda actor, cid: dict(
        record(cid), primary_language=language["value"])
    assert client.get("/api/v1/me/details", headers=CLIENT).json["primary_language"] is None

    def save_details(actor, cid, tab, body):
        language["value"] = body["primary_language"]
        return tab_of(tab, version=3, values={"primary_language": body["primary_language"],
                                              "interpreter_needed": True})
    rpc.answers["charts.save_tab"] = save_details
    r = client.patch("/api/v1/me/chart/details", headers=CLIENT, json={
        "version": 2, "primary_language": "Spanish", "interpreter_needed": True})
    assert r.status_code == 200, r.json
    assert rpc.count("charts.save_tab") == 1 and not rpc.count("charts.update_demographics")
    # the record shows the language: this replica's copy was dropped, charts is asked
    assert client.get("/api/v1/me/details", headers=CLIENT).json["primary_language"] == "Spanish"
    # Basic no longer takes it: it is the Details tab's
    r = client.patch("/api/v1/me/chart/basic", headers=CLIENT,
                     json={"version": 1, "primary_language": "French"})
    assert r.status_code == 422 and "primary_language" in r.json["fields"]
    assert not rpc.count("charts.update_demographics")


def test_a_contact_without_manage_information_may_not_save(client, rpc):
    contact = {"Authorization": "Bearer " + token(kind="contact",
                                                  clients={CLIENT_ID: ["manage_documentation"]})}
    r = client.patch("/api/v1/me/chart/details", headers=contact,
                     json={"version": 1, "race": ["asian"]})
    assert r.status_code == 403 and r.json["error"] == "not_permitted"
    assert client.get("/api/v1/me/chart", headers=contact).status_code == 403


def test_linked_clients_choose_with_client_id(client, rpc):
    linked = {"Authorization": "Bearer " + token(clients={CLIENT_ID: ["*"],
                                                          OTHER_CLIENT: ["*"]})}
    rpc.answers["charts.get_tab"] = lambda actor, cid, tab: tab_of(tab, values={"cid": cid})
    assert client.get("/api/v1/me/chart/details", headers=linked).status_code == 422
    r = client.get(f"/api/v1/me/chart/details?client_id={OTHER_CLIENT}", headers=linked)
    assert r.status_code == 200 and r.json["values"]["cid"] == OTHER_CLIENT
    assert client.get("/api/v1/me/chart/details?client_id=nope",
                      headers=linked).status_code == 404


def test_staff_routes_are_for_staff(client, rpc):
    for method, path in (("GET", f"/api/v1/clients/{CLIENT_ID}/chart"),
                         ("GET", "/api/v1/changes-to-review"),
                         ("POST", "/api/v1/chart-revisions/r1/revert"),
                         ("PATCH", "/api/v1/practice/chart-settings"),
                         ("PATCH", f"/api/v1/clients/{CLIENT_ID}/chart/details")):
        r = client.open(path, method=method, headers=CLIENT, json={})
        assert r.status_code == 403 and r.json["error"] == "staff_only", path


def test_staff_tab_save_needs_edit_clients(client, rpc):
    rpc.answers["charts.save_tab"] = lambda actor, cid, tab, body: tab_of(tab)
    r = client.patch(f"/api/v1/clients/{CLIENT_ID}/chart/details", headers=CLINICIAN,
                     json={"version": 1, "race": ["asian"]})
    assert r.status_code == 403
    r = client.patch(f"/api/v1/clients/{CLIENT_ID}/chart/details", headers=STAFF,
                     json={"version": 1, "race": ["asian"]})
    assert r.status_code == 200 and rpc.calls[-1][2][1:3] == (CLIENT_ID, "details")


def test_review_list_mark_and_revert(client, rpc):
    batch = {"batch_id": "b1", "client_id": CLIENT_ID, "client_name": "Ada Lovelace",
             "tab": "basic", "fields": ["city"], "source": "portal", "actor_kind": "client",
             "actor_id": "a1", "created_at": "2026-01-01T00:00:00+00:00",
             "revisions": [{"id": "r1", "client_id": CLIENT_ID, "batch_id": "b1",
                            "version": 2, "tab": "basic", "field": "city",
                            "old_value": "Boston", "new_value": "Portland",
                            "actor_kind": "client", "actor_id": "a1", "source": "portal",
                            "changed_at": "2026-01-01T00:00:00+00:00"}]}
    seen = {}
    rpc.answers["charts.list_changes_to_review"] = lambda actor, p: seen.update(p) or [batch]
    r = client.get(f"/api/v1/changes-to-review?client_id={CLIENT_ID}&limit=5", headers=STAFF)
    assert r.status_code == 200 and r.json[0]["fields"] == ["city"]
    assert r.json[0]["revisions"][0]["old_value"] == "Boston"
    assert seen == {"client_id": CLIENT_ID, "limit": 5}
    assert client.get("/api/v1/changes-to-review?limit=0", headers=STAFF).status_code == 422

    rpc.answers["charts.mark_changes_reviewed"] = lambda actor, p: {"reviewed": len(p["batch_ids"])}
    r = client.post("/api/v1/changes-to-review/reviewed", headers=STAFF, json={"batch_ids": ["b1"]})
    assert r.status_code == 200 and r.json == {"reviewed": 1}
    assert client.post("/api/v1/changes-to-review/reviewed", headers=STAFF,
                       json={"batch_ids": []}).status_code == 422

    rpc.answers["charts.revert_change"] = lambda actor, p: tab_of(
        "basic", values={"city": "Boston"}, version=3)
    r = client.post("/api/v1/chart-revisions/r1/revert", headers=STAFF)
    assert r.status_code == 200 and r.json["values"]["city"] == "Boston"
    assert rpc.calls[-1][2][1] == {"revision_id": "r1"}
    rpc.answers["charts.revert_change"] = Conflict("changed_since", "Changed again.")
    assert client.post("/api/v1/chart-revisions/r1/revert", headers=STAFF).status_code == 409
    r = client.post("/api/v1/chart-revisions/r1/revert", headers=CLINICIAN)
    assert r.status_code == 403


def test_chart_settings(client, rpc):
    settings = {"allow_clients_update_insurance": False, "client_uploads_enabled": False,
                "extra_fields": [], "version": 1}
    rpc.answers["charts.get_settings"] = lambda actor: settings
    rpc.answers["charts.update_settings"] = lambda actor, p: dict(settings, **dict(p, version=2))
    assert client.get("/api/v1/practice/chart-settings", headers=CLIENT).status_code == 200
    r = client.patch("/api/v1/practice/chart-settings", headers=STAFF,
                     json={"client_uploads_enabled": True, "version": 1})
    assert r.status_code == 200 and r.json["client_uploads_enabled"] is True
    r = client.patch("/api/v1/practice/chart-settings", headers=CLINICIAN,
                     json={"client_uploads_enabled": True})
    assert r.status_code == 403
    r = client.patch("/api/v1/practice/chart-settings", headers=STAFF,
                     json={"client_uploads_enabled": "maybe"})
    assert r.status_code == 422


@pytest.mark.parametrize("tab", ["basic", "details", "contacts", "insurance", "communication"])
def test_every_tab_save_needs_the_version_read(client, rpc, tab):
    for path in (f"/api/v1/me/chart/{tab}", f"/api/v1/clients/{CLIENT_ID}/chart/{tab}"):
        r = client.patch(path, headers=CLIENT if "/me/" in path else STAFF, json={})
        assert r.status_code == 422 and list(r.json["fields"]) == ["version"], r.json
    assert not rpc.count("charts.save_tab") and not rpc.count("charts.update_demographics")


@pytest.mark.parametrize("body", [[], "x", {"version": "1"}, {"race": "asian"},
                                  {"interpreter_needed": "perhaps"}, {"extra": [1]}])
def test_bad_shapes_are_422(client, body):
    r = client.patch("/api/v1/me/chart/details", headers=CLIENT, json=body)
    assert r.status_code == 422, (body, r.json)


def test_the_legal_name_and_birth_date_stay_read_only_to_a_client(client, rpc):
    """Issue 18: charts refuses the change with its sentence, beside the fields; a
    saved Basic tab and a read one both name the fields a client only sees."""
    rpc.answers["charts.update_demographics"] = Forbidden(
        "identity_read_only", "Legal name and date of birth can only be changed by the "
        "practice. Please contact the practice to correct them.",
        {"date_of_birth": ["Only the practice can change this."]})
    for path in ("/api/v1/me/chart/basic", "/api/v1/me/details"):
        r = client.patch(path, headers=CLIENT, json={"version": 1,
                                                     "date_of_birth": "1990-01-02"})
        assert r.status_code == 403, r.json
        assert r.json["error"] == "identity_read_only"
        assert "contact the practice" in r.json["message"]
        assert r.json["fields"] == {"date_of_birth": ["Only the practice can change this."]}
    rpc.answers["charts.update_demographics"] = lambda actor, cid, body: dict(
        record(cid, version=2), city="Salem")
    saved = client.patch("/api/v1/me/chart/basic", headers=CLIENT,
                         json={"version": 1, "city": "Salem"}).json
    assert saved["read_only_fields"] == ["first_name", "last_name", "date_of_birth"]
    staff_saved = client.patch(f"/api/v1/clients/{CLIENT_ID}/chart/basic", headers=STAFF,
                               json={"version": 2, "date_of_birth": "1990-01-02"}).json
    assert staff_saved["read_only_fields"] == []
    rpc.answers["charts.get_tab"] = lambda actor, cid, tab: tab_of(
        tab, read_only_fields=["first_name", "last_name", "date_of_birth"])
    read = client.get("/api/v1/me/chart/basic", headers=CLIENT).json
    assert read["read_only_fields"] == ["first_name", "last_name", "date_of_birth"]


def test_a_chart_without_insurance_has_no_insurance_tab(client, rpc):
    """Issue 18: with insurance kept by the practice charts leaves the tab out, and
    asking for it is charts' 404 with its sentence."""
    rpc.answers["charts.get_chart"] = lambda actor, cid: {
        "client_id": cid, "client_name": "Ada Lovelace",
        "tabs": {t: tab_of(t) for t in ("basic", "details", "contacts", "communication")},
        "settings": {"allow_clients_update_insurance": False, "client_uploads_enabled": True,
                     "extra_fields": []}}
    r = client.get("/api/v1/me/chart", headers=CLIENT)
    assert r.status_code == 200 and "insurance" not in r.json["tabs"]
    rpc.answers["charts.get_tab"] = NotFound(
        "tab_not_offered", "This practice keeps insurance details itself: there is no "
        "Insurance section in the portal. Please call the practice about your insurance.")
    r = client.get("/api/v1/me/chart/insurance", headers=CLIENT)
    assert r.status_code == 404 and r.json["error"] == "tab_not_offered"
