"""Issue 5's story over HTTP, through the gateway of the whole stack as `make run` starts it.

Bobby Newman saves each tab of his chart in turn, uploads a photo of his insurance card and
a PDF; the intake staff member sees one alert per saved tab (and one for the upload when
identity grants `receives_portal_uploads` to intake), reviews the changes and reverts one;
Bobby sees the reverted value. With insurance updates turned off the Insurance tab is
read-only and the API refuses a change with 403 and a clear message. Hostile uploads
leave nothing in the blob store.
"""
import base64
import hashlib

import pytest

from tests.e2e.practice import give_login, new_practice
from tests.e2e.test_story_http import Browserless, staff_session, wait_until

PASSWORD = "quiet meadow lantern 7731"
# a 1×1 PNG: a phone's photo of the card, as far as the content check is concerned
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                       "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def story(haven_stack):
    practice = new_practice(haven_stack)
    bobby_record = {"id": practice.bobby_id, "email": practice.bobby_email,
                    "first_name": "Bobby", "last_name": "Newman"}
    give_login(haven_stack, practice, bobby_record, PASSWORD)
    bobby = Browserless(haven_stack.base_url)
    r = bobby.call("POST", "/api/v1/session", json={
        "practice_code": practice.code, "login": practice.bobby_email, "password": PASSWORD,
        "audience": "portal"})
    assert r.status_code == 200, r.text
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    return practice, bobby, admin, intake


def settings(stack, admin, **changes):
    r = admin.patch(stack.base_url + "/api/v1/practice/chart-settings", json=changes,
                    timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def blobs(stack):
    root = stack.var_dir / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_bobby_keeps_his_chart_current_and_staff_review_it(haven_stack, story):
    practice, bobby, admin, intake = story
    base = haven_stack.base_url
    settings(haven_stack, admin, allow_clients_update_insurance=True,
             client_uploads_enabled=True)

    chart = bobby.call("GET", "/api/v1/me/chart").json()
    assert set(chart["tabs"]) == {"basic", "details", "contacts", "insurance", "communication"}
    v = {tab: chart["tabs"][tab]["version"] for tab in chart["tabs"]}

    # the photo of his insurance card first, so the Insurance tab can name it
    card = bobby.call("POST", "/api/v1/me/uploads", data={"title": "Insurance card"},
                      files={"file": ("card.jpg", PNG, "image/jpeg")})
    assert card.status_code == 201, card.text
    assert card.json()["content_type"] == "image/png"           # by content, not name
    assert card.json()["filename"] == "card.jpg.png"
    letter = bobby.call("POST", "/api/v1/me/uploads",
                        files={"file": ("referral letter.pdf", PDF, "application/pdf")})
    assert letter.status_code == 201, letter.text

    saves = {
        "basic": {"pronouns": "he/him", "phone_mobile": "+1 555 010 2030",
                  "phone_mobile_texts": True, "city": "Portland", "time_zone": "America/Chicago"},
        "details": {"primary_language": "Spanish", "interpreter_needed": False, "race": ["white"],
                    "marital_status": "married", "smoking_status": "never"},
        "contacts": {"emergency_contact": {"name": "Maria Newman", "relationship": "spouse",
                                           "phone_mobile": "+1 555 010 4455"}},
        "insurance": {"primary": {"payer": "Aetna", "member_id": "W123456789",
                                  "subscriber": {"relationship": "self"},
                                  "effective_from": "2026-01-01",
                                  "card_front_document_id": card.json()["id"]}},
        "communication": {"email_ok": True, "text_ok": True, "voicemail_ok": False,
                          "appointment_reminders": True},
    }
    for tab, body in saves.items():
        r = bobby.call("PATCH", f"/api/v1/me/chart/{tab}", json=dict(body, version=v[tab]))
        assert r.status_code == 200, (tab, r.text)
        assert r.json()["version"] == v[tab] + 1
    # My details is the Basic tab, read from the read model: it reads his own write
    details = bobby.call("GET", "/api/v1/me/details").json()
    assert details["city"] == "Portland" and details["phone_mobile"] == "+1 555 010 2030"
    assert details["primary_language"] == "Spanish"     # saved with Details, shown here too

    # a stale save of one tab is a conflict naming what changed; other tabs are unaffected
    stale = bobby.call("PATCH", "/api/v1/me/chart/communication",
                       json={"text_ok": False, "version": v["communication"]})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"
    assert "text_ok" in stale.json()["fields"]["changed"]
    bad = bobby.call("PATCH", "/api/v1/me/chart/contacts", json={
        "version": v["contacts"] + 1, "legal_guardian": {
            "name": "X", "email": "not-an-email", "phone_mobile": "12"}})
    assert bad.status_code == 422
    assert {"legal_guardian.email", "legal_guardian.phone_mobile"} <= set(bad.json()["fields"])

    def alerts():
        return [a for a in intake.get(f"{base}/api/v1/alerts", timeout=10).json()
                if a["client_id"] == practice.bobby_id]

    def tab_alerts():
        return [a for a in alerts() if a["kind"] == "demographics_changed"]

    assert wait_until(lambda: len(tab_alerts()) >= 5, timeout=10), alerts()
    assert len(tab_alerts()) == 5                      # one per saved tab, not per field
    # the language is part of Details: that save is ONE alert naming it and the rest
    [details_alert] = [a for a in tab_alerts() if "primary_language" in a["fields"]]
    assert set(details_alert["fields"]) == {"primary_language", "interpreter_needed", "race",
                                            "marital_status", "smoking_status"}
    intake_perms = intake.get(f"{base}/api/v1/session", timeout=10).json()["permissions"]
    assert "receives_portal_uploads" in intake_perms    # intake hears of every upload
    assert wait_until(lambda: len([a for a in alerts() if a["kind"] == "portal_upload"])
                      == 2, timeout=10), alerts()
    assert {a["client_name"] for a in alerts()} == {"Bobby Newman"}   # asked of charts

    # staff see the uploads as the client's
    docs = intake.get(f"{base}/api/v1/clients/{practice.bobby_id}/documents", timeout=10).json()
    uploads = [d for d in docs if d["kind"] == "upload"]
    assert {d["uploaded_by_kind"] for d in uploads} == {"client"} and len(uploads) == 2
    got = intake.get(f"{base}/api/v1/documents/{letter.json()['id']}/download", timeout=10)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    # review: five batches waiting; revert Bobby's city, mark the rest reviewed
    queue = intake.get(f"{base}/api/v1/changes-to-review",
                       params={"client_id": practice.bobby_id}, timeout=10).json()
    assert sorted(b["tab"] for b in queue) == sorted(saves)
    basic = next(b for b in queue if b["tab"] == "basic")
    city = next(r for r in basic["revisions"] if r["field"] == "city")
    reverted = intake.post(f"{base}/api/v1/chart-revisions/{city['id']}/revert", timeout=10)
    assert reverted.status_code == 200, reverted.text
    assert reverted.json()["values"].get("city") == city["old_value"]
    rest = [b["batch_id"] for b in queue if b["batch_id"] != basic["batch_id"]]
    done = intake.post(f"{base}/api/v1/changes-to-review/reviewed", json={"batch_ids": rest},
                       timeout=10)
    assert done.status_code == 200 and done.json()["reviewed"] == 4
    assert intake.get(f"{base}/api/v1/changes-to-review", params={
        "client_id": practice.bobby_id}, timeout=10).json() == []

    # Bobby sees the reverted value (through the read model, after charts' event)
    assert wait_until(lambda: bobby.call("GET", "/api/v1/me/details").json().get("city")
                      == city["old_value"], timeout=5)
    assert bobby.call("GET", "/api/v1/me/chart/basic").json()["values"].get("city") == \
        city["old_value"]

    # his documents: the two uploads; the card downloads intact
    mine = bobby.call("GET", "/api/v1/me/documents").json()
    assert {d["id"] for d in mine} >= {card.json()["id"], letter.json()["id"]}
    photo = bobby.call("GET", f"/api/v1/documents/{card.json()['id']}/download")
    assert photo.status_code == 200 and hashlib.sha256(photo.content).hexdigest() == \
        hashlib.sha256(PNG).hexdigest()


def test_insurance_is_not_offered_when_the_practice_keeps_it(haven_stack, story):
    practice, bobby, admin, intake = story
    settings(haven_stack, admin, allow_clients_update_insurance=False)
    assert "insurance" not in bobby.call("GET", "/api/v1/me/chart").json()["tabs"]
    r = bobby.call("GET", "/api/v1/me/chart/insurance")
    assert r.status_code == 404 and r.json()["error"] == "tab_not_offered"
    assert "call the practice" in r.json()["message"]
    tab = intake.get(f"{haven_stack.base_url}/api/v1/clients/{practice.bobby_id}/chart",
                     timeout=10).json()["tabs"]["insurance"]     # staff always see it
    r = bobby.call("PATCH", "/api/v1/me/chart/insurance", json={
        "version": tab["version"], "primary": {
            "payer": "Aetna", "member_id": "1", "subscriber": {"relationship": "self"}}})
    assert r.status_code == 403 and r.json()["error"] == "insurance_read_only"
    assert "call the practice" in r.json()["message"]
    # staff may still change it
    r = intake.patch(f"{haven_stack.base_url}/api/v1/clients/{practice.bobby_id}/chart/insurance",
                     json={"version": tab["version"], "primary": {
                         "payer": "Aetna", "member_id": "1",
                         "subscriber": {"relationship": "self"}}}, timeout=10)
    assert r.status_code == 200, r.text


def test_legal_name_and_birth_date_are_the_practices_to_change(haven_stack, story):
    practice, bobby, admin, intake = story
    basic = bobby.call("GET", "/api/v1/me/chart/basic").json()
    assert basic["read_only_fields"] == ["first_name", "last_name", "date_of_birth"]
    for path in ("/api/v1/me/chart/basic", "/api/v1/me/details"):
        r = bobby.call("PATCH", path, json={"version": basic["version"],
                                            "date_of_birth": "1991-02-03"})
        assert r.status_code == 403 and r.json()["error"] == "identity_read_only"
        assert "contact the practice" in r.json()["message"]
        assert list(r.json()["fields"]) == ["date_of_birth"]
    # staff correct it, and Bobby then reads it
    url = f"{haven_stack.base_url}/api/v1/clients/{practice.bobby_id}/chart/basic"
    r = intake.patch(url, json={"version": basic["version"], "date_of_birth": "1991-02-03"},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert bobby.call("GET", "/api/v1/me/chart/basic").json()["values"]["date_of_birth"] == \
        "1991-02-03"


def test_hostile_uploads_leave_nothing_in_the_blob_store(haven_stack, story):
    practice, bobby, admin, intake = story
    settings(haven_stack, admin, client_uploads_enabled=False)
    refused = bobby.call("POST", "/api/v1/me/uploads", files={"file": ("a.pdf", PDF)})
    assert refused.status_code == 403 and refused.json()["error"] == "uploads_disabled"
    settings(haven_stack, admin, client_uploads_enabled=True)
    before = blobs(haven_stack)
    documents_before = len(bobby.call("GET", "/api/v1/me/documents").json())
    for name, content, code in (
            ("invoice.pdf", b"<!doctype html><script>alert(1)</script>", "file_type_refused"),
            ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 512, "file_type_refused"),
            ("empty.pdf", b"", "empty_file")):
        r = bobby.call("POST", "/api/v1/me/uploads", files={"file": (name, content)})
        assert r.status_code == 422 and r.json()["error"] == code, (name, r.text)
    for name in ("../../etc/passwd.pdf", "pass\x00wd\x1b.pdf", "invoice\u202efdp.exe"):
        r = bobby.call("POST", "/api/v1/me/uploads", files={"file": (name, PDF)})
        assert r.status_code == 422 and r.json()["error"] == "filename_refused", (name, r.text)
        assert "/ or \\" in r.json()["message"] and "control characters" in r.json()["message"]
    r = bobby.call("POST", "/api/v1/me/uploads", files={"file": ("scan.pdf", PDF)})
    assert r.status_code == 201, r.text
    r = bobby.call("POST", "/api/v1/me/uploads", files={
        "file": ("big.pdf", PDF + b"z" * (26 * 1024 * 1024))})
    assert r.status_code == 413 and "25 MB" in r.json()["message"]
    assert len(blobs(haven_stack) - before) == 1      # only the good one
    assert len(bobby.call("GET", "/api/v1/me/documents").json()) == documents_before + 1
