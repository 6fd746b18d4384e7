"""charts and notify in real containers on the real RabbitMQ, SQLite and PostgreSQL
(schemas made by their migrations), a blob store in a temporary folder: one event and one
alert per saved tab, upload → document.uploaded → alert, contact isolation, document
shared → email, tamper detection → alert, orphan sweep. The stack is conftest.py's."""
import io
import json
import os
import time
import uuid

import eventlet
import pytest

from services.common.errors import Conflict, Forbidden, NotFound
from tests.integration.charts.support import PDF, STAFF, alerts, me, put, wait_for
from tests.support.events import EventTap

def test_published_events_name_no_one_and_alerts_still_do(stack, amqp_uri):
    """What other practice systems receive on charts.events carries ids and field names,
    never a value of the chart; notify asks charts for the name its staff alert shows."""
    rpc, blobs, _ = stack
    tap = EventTap(amqp_uri, "charts")
    try:
        client = rpc.charts.create_client(STAFF, {
            "first_name": "Bobby", "last_name": "Newman", "date_of_birth": "1984-03-02",
            "email": "bobby@example.com", "phone_mobile": "+1 555 010 2030",
            "address_line1": "12 Harbour Street", "city": "Portland", "country": "US"})
        cid, bobby = client["id"], me(client["id"])
        rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True,
                                           "allow_clients_update_insurance": True})
        rpc.charts.save_tab(bobby, cid, "basic", {"version": 1, "city": "Salem"})
        rpc.charts.save_tab(bobby, cid, "insurance", {"version": 1, "primary": {
            "payer": "Aetna", "member_id": "W123456789", "subscriber": {
                "relationship": "spouse", "name": "Maria Newman",
                "date_of_birth": "1956-07-08"}}})
        rpc.charts.register_upload(bobby, cid, put(blobs, name="letter.pdf"))
        rpc.charts.share_document(STAFF, dict(put(blobs, name="letter.pdf"), client_id=cid))
        mine = (lambda e: e["data"].get("client_id") == cid)
        published = [tap.wait_for(type_, mine) for type_ in (
            "client.created", "client.updated", "insurance.updated", "document.uploaded",
            "document.shared")]
    finally:
        tap.close()
    for event in published:
        text = json.dumps(event["data"])
        assert event["version"] == 2 and "client_name" not in event["data"]
        for value in ("Bobby", "Newman", "1984-03-02", "bobby@example.com", "555 010 2030",
                      "Harbour", "Portland", "Salem", "Aetna", "W123456789", "Maria",
                      "1956-07-08", "letter.pdf"):
            assert value not in text, (event["type"], value)
    wanted = {"demographics_changed", "portal_upload"}

    def named_alerts():  # both alerts, each named: they arrive in either order
        found = [a for a in alerts(rpc, cid) if a["client_name"]]
        return found if {a["kind"] for a in found} >= wanted else None
    named = wait_for(named_alerts)
    assert named, f"alerts so far: {[a['kind'] for a in alerts(rpc, cid)]}"
    assert {a["client_name"] for a in named} == {"Bobby Newman"}


def test_two_tries_of_one_upload_at_once_make_one_document(stack):
    """The gateway timed out and asked again (or the person sent the file again with the
    same Idempotency-Key) while the first try was still being checked: one document, one
    document.uploaded, and the second copy of the file removed."""
    rpc, blobs, _ = stack
    client = rpc.charts.create_client(STAFF, {"first_name": "Bobby", "last_name": "Newman"})
    rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True})
    bobby, upload_id = me(client["id"]), str(uuid.uuid4())
    tries = [rpc.charts.register_upload.call_async(bobby, client["id"],
                                                   dict(put(blobs), upload_id=upload_id))
             for _ in range(3)]
    ids = {reply.result()["id"] for reply in tries}
    assert len(ids) == 1
    [doc] = [d for d in rpc.charts.list_documents(bobby, {"client_id": client["id"]})]
    assert doc["id"] in ids and len(blobs.list_older_than("charts", -1)) == 1


def test_one_alert_per_saved_tab_and_per_upload(stack):
    rpc, blobs, _ = stack
    client = rpc.charts.create_client(STAFF, {"first_name": "Bobby", "last_name": "Newman"})
    cid, bobby = client["id"], me(client["id"])
    rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True,
                                       "allow_clients_update_insurance": True})
    rpc.charts.save_tab(bobby, cid, "basic", {"version": 1, "pronouns": "he/him",
                                              "city": "Portland"})
    # the language is part of Details: saved with the tab, one batch and one alert
    rpc.charts.save_tab(bobby, cid, "details", {"version": 1, "primary_language": "Spanish",
                                                "education": "bachelor"})
    rpc.charts.save_tab(bobby, cid, "contacts", {"version": 1, "emergency_contact": {
        "name": "Mary Newman", "phone_mobile": "503 555 0101"}})
    card = rpc.charts.register_upload(bobby, cid, put(blobs, b"\x89PNG\r\n\x1a\n" + b"0" * 100,
                                                      "card.png"))
    rpc.charts.save_tab(bobby, cid, "insurance", {"version": 1, "primary": {
        "payer": "Aetna", "member_id": "W1", "card_front_document_id": card["id"]}})
    rpc.charts.save_tab(bobby, cid, "communication", {"version": 1, "text_ok": True})
    with pytest.raises(Conflict) as exc:
        rpc.charts.save_tab(bobby, cid, "details", {"version": 1, "education": "master"})
    assert exc.value.fields == {"changed": ["education", "primary_language"]}

    changed = wait_for(lambda: len(alerts(rpc, cid, "demographics_changed")) >= 5 and
                       alerts(rpc, cid, "demographics_changed"))
    assert sorted(a["tab"] for a in changed) == ["basic", "communication", "contacts",
                                                 "details", "insurance"]
    assert next(a for a in changed if a["tab"] == "basic")["fields"] == ["city", "pronouns"]
    assert next(a for a in changed if a["tab"] == "details")["fields"] == [
        "primary_language", "education"]
    assert rpc.charts.get_client(bobby, cid)["primary_language"] == "Spanish"
    [upload] = wait_for(lambda: alerts(rpc, cid, "portal_upload"))
    assert upload["subject_id"] == card["id"]

    # staff review and revert one change: Bobby sees the old value back
    pending = rpc.charts.list_changes_to_review(STAFF, {"client_id": cid})
    assert len(pending) == 5
    basic = next(b for b in pending if b["tab"] == "basic")
    city = next(r for r in basic["revisions"] if r["field"] == "city")
    rpc.charts.revert_change(STAFF, {"revision_id": city["id"]})
    assert rpc.charts.get_tab(bobby, cid, "basic")["values"]["city"] is None
    eventlet.sleep(0.5)
    assert len(alerts(rpc, cid, "demographics_changed")) == 5  # staff saves raise none

    # the foundation's "my details" save of the language moves Details' version too
    record = rpc.charts.get_client(bobby, cid)
    rpc.charts.update_demographics(bobby, cid, {"version": record["version"],
                                                "primary_language": "French"})
    with pytest.raises(Conflict) as exc:
        rpc.charts.save_tab(bobby, cid, "details", {"version": 2, "primary_language": "Hmong"})
    assert exc.value.fields == {"changed": ["primary_language"]}
    # staff revert it from the review list: a Details change, Bobby sees Spanish again
    mine = next(b for b in rpc.charts.list_changes_to_review(STAFF, {"client_id": cid})
                if b["fields"] == ["primary_language"])
    [language] = mine["revisions"]
    assert (language["tab"], language["new_value"]) == ("details", "French")
    reverted = rpc.charts.revert_change(STAFF, {"revision_id": language["id"]})
    assert (reverted["tab"], reverted["version"]) == ("details", 4)
    assert rpc.charts.get_tab(bobby, cid, "details")["values"]["primary_language"] == "Spanish"
    # "my details" opened before that revert (a Details change) cannot overwrite it …
    with pytest.raises(Conflict) as exc:
        rpc.charts.update_demographics(bobby, cid, {"version": record["version"] + 1,
                                                    "primary_language": "Hmong"})
    assert exc.value.fields == {"changed": ["primary_language"]}
    # … while a save of Basic's fields read before it is not stale
    rpc.charts.update_demographics(bobby, cid, {"version": record["version"] + 1,
                                                "city": "Salem"})
    assert rpc.charts.get_client(bobby, cid)["primary_language"] == "Spanish"

    rpc.charts.update_settings(STAFF, {"allow_clients_update_insurance": False})
    with pytest.raises(Forbidden) as exc:
        rpc.charts.save_tab(bobby, cid, "insurance", {"version": 2, "primary": None})
    assert exc.value.code == "insurance_read_only"


def test_contacts_isolation_sharing_email_tamper_and_sweep(stack):
    rpc, blobs, notify = stack
    client = rpc.charts.create_client(STAFF, {"first_name": "Kim", "last_name": "Lee",
                                              "email": "kim@example.com"})
    cid = client["id"]
    rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True})
    mum = me(cid, "contact", perms=["manage_documentation"])
    dad = me(cid, "contact", perms=["manage_documentation"])
    mums = rpc.charts.register_upload(mum, cid, put(blobs))
    dads = rpc.charts.register_upload(dad, cid, put(blobs))
    assert [d["id"] for d in rpc.charts.list_documents(mum, {"client_id": cid})] == [mums["id"]]
    with pytest.raises(NotFound):
        rpc.charts.get_document_for_download(mum, dads["id"])
    with pytest.raises(Forbidden):
        rpc.charts.sweep_orphan_blobs(mum, {})

    letters = rpc.charts.create_document_type(STAFF, {"name": "Letters", "show_in_portal": True})
    rpc.charts.share_document(STAFF, dict(put(blobs), client_id=cid, type_id=letters["id"]))
    mailer = next(d for d in notify.dependencies if type(d).__name__ == "Mailer")
    sent = wait_for(lambda: mailer.backend.sent)
    assert sent[0].to == "kim@example.com"
    assert "something new" in sent[0].text and "Kim" not in sent[0].text
    assert "https://portal.haven.test/p/oak" in sent[0].text   # the practice's portal
    assert "Letters" not in sent[0].text + sent[0].subject

    key = rpc.charts.get_document_for_download(STAFF, mums["id"])["blob_key"]
    blobs._path(key).write_bytes(PDF.replace(b"1", b"2"))
    with pytest.raises(Conflict) as exc:
        rpc.charts.get_document_for_download(mum, mums["id"])
    assert exc.value.code == "document_damaged"
    [damaged] = wait_for(lambda: alerts(rpc, cid, "document_integrity_failed"))
    assert damaged["subject_id"] == mums["id"]

    orphan = blobs.put(io.BytesIO(PDF), namespace="charts")
    past = time.time() - 7200
    os.utime(blobs._path(orphan.key), (past, past))
    dads_key = rpc.charts.get_document_for_download(STAFF, dads["id"])["blob_key"]
    os.utime(blobs._path(dads_key), (past, past))
    assert rpc.charts.sweep_orphan_blobs(STAFF, {"older_than_minutes": 60}) == {"removed": 1}
    assert rpc.charts.get_document_for_download(dad, dads["id"])["document_id"] == dads["id"]
