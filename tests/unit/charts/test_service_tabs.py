"""The tab, review, settings and document entrypoints through worker_factory, on SQLite
in memory and a blob store in a temporary folder."""
import io
import os
import time

import pytest
from nameko.testing.services import worker_factory

from services.charts import dependencies
from services.charts.models import ChangeBatch, Document, Outbox, Revision
from services.charts.service import ChartsService
from services.common.blobstore import LocalBlobStore
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.unit.charts.ole2 import compound_file
from tests.unit.charts.test_service import STAFF, MemoryDb

PRACTICE = STAFF["practice_id"]
ADMIN = dict(STAFF, id="admin-1", permissions=["view_clients", "edit_clients", "upload_client_documents", "manage_practice_settings",
                                                "view_operations"])
PDF = b"%PDF-1.7\n" + b"0" * 2000


class Stream(io.RawIOBase):
    """`size` bytes made on demand: a 26 MB file never sits in memory."""

    def __init__(self, size, first=b"%PDF-1.7\n"):
        self.left, self.first = size, first

    def readable(self):
        return True

    def read(self, n=-1):
        n = min(self.left, 64 * 1024 if n is None or n < 0 else n)
        if n <= 0:
            return b""
        block, self.first = (self.first + b"0" * n)[:n], b""
        self.left -= n
        return block


@pytest.fixture
def db():
    return MemoryDb()


@pytest.fixture
def blobs(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def service(db, blobs):
    return worker_factory(ChartsService, db=db, blobs=blobs, config={},
                          scanner=dependencies.NoScanner())


@pytest.fixture
def client_id(service):
    return service.create_client(STAFF, {"first_name": "Bobby", "last_name": "Newman"})["id"]


def me(client_id, kind="client", id_="acct-1", perms=("*",)):
    return {"practice_id": PRACTICE, "kind": kind, "id": id_, "clients": {client_id: list(perms)}}


def events(db, type_):
    return [o.envelope for o in db.all(Outbox) if o.type == type_]


def put(blobs, data=PDF):
    info = blobs.put(io.BytesIO(data), namespace="charts")
    return {"blob_key": info.key, "sha256": info.sha256, "size": info.size,
            "content_type": "application/pdf", "filename": "scan.pdf"}


def enable(service, **settings):
    service.update_settings(ADMIN, {"client_uploads_enabled": True, **settings})


def test_each_tab_saves_on_its_own_and_emits_one_event(service, db, client_id):
    actor = me(client_id)
    service.save_tab(actor, client_id, "basic", {"version": 1, "pronouns": "he/him",
                                                "time_zone": "America/Chicago",
                                                "phone_mobile": "503 555 0100",
                                                "phone_mobile_texts": True})
    service.save_tab(actor, client_id, "details", {"version": 1, "marital_status": "single",
                                                  "interpreter_needed": False})
    service.save_tab(actor, client_id, "contacts", {"version": 1, "emergency_contact": {
        "name": "Mary Newman", "relationship": "mother", "phone_mobile": "503 555 0101"}})
    saved = service.save_tab(actor, client_id, "communication", {
        "version": 1, "email_ok": True, "text_ok": False})
    assert saved["version"] == 2 and saved["values"] == {"email_ok": True, "text_ok": False}
    updated = events(db, "client.updated")
    assert [e["data"]["tab"] for e in updated] == ["basic", "details", "contacts",
                                                   "communication"]
    assert updated[2]["data"]["fields"] == ["emergency_contact.name",
                                            "emergency_contact.phone_mobile",
                                            "emergency_contact.relationship"]
    assert all(e["data"]["source"] == "portal" for e in updated)
    assert "Mary" not in str(updated)
    chart = service.get_chart(actor, client_id)
    assert chart["tabs"]["basic"]["values"]["time_zone"] == "America/Chicago"
    assert chart["tabs"]["details"]["version"] == 2
    # the practice keeps insurance itself (the switch is off): the client has no such tab
    assert list(chart["tabs"]) == ["basic", "details", "contacts", "communication"]
    assert service.get_chart(STAFF, client_id)["tabs"]["insurance"]["version"] == 1


def test_a_stale_save_of_a_tab_is_refused_naming_what_changed(service, client_id):
    service.save_tab(STAFF, client_id, "contacts", {"version": 1, "legal_guardian": {
        "name": "Ann", "relationship": "mother"}})
    with pytest.raises(Conflict) as exc:
        service.save_tab(me(client_id), client_id, "contacts", {
            "version": 1, "legal_guardian": {"name": "Bob"}})
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["legal_guardian.name",
                                            "legal_guardian.relationship"]}
    # another tab is not blocked by it
    service.save_tab(me(client_id), client_id, "details", {"version": 1,
                                                           "smoking_status": "never"})


def test_a_save_that_changes_nothing_records_nothing(service, db, client_id):
    service.save_tab(me(client_id), client_id, "communication", {"version": 1,
                                                                 "email_ok": True})
    again = service.save_tab(me(client_id), client_id, "communication", {"version": 2,
                                                                         "email_ok": True})
    assert again["version"] == 2 and len(events(db, "client.updated")) == 1


def test_insurance_is_read_only_for_clients_unless_allowed(service, db, client_id):
    primary = {"payer": "Aetna", "member_id": "W123", "subscriber": {"relationship": "self"}}
    with pytest.raises(Forbidden) as exc:
        service.save_tab(me(client_id), client_id, "insurance", {"version": 1,
                                                                 "primary": primary})
    assert exc.value.code == "insurance_read_only"
    service.save_tab(STAFF, client_id, "insurance", {"version": 1, "primary": primary})
    enable(service, allow_clients_update_insurance=True)
    service.save_tab(me(client_id), client_id, "insurance", {
        "version": 2, "secondary": dict(primary, payer="Cigna")})
    [_, insurance] = events(db, "insurance.updated")
    assert insurance["data"]["coverages"] == ["secondary"]
    assert insurance["data"]["source"] == "portal"


def test_card_photos_must_be_documents_of_the_client(service, blobs, client_id):
    enable(service, allow_clients_update_insurance=True)
    card = service.register_upload(me(client_id), client_id, put(blobs))
    primary = {"payer": "Aetna", "member_id": "W1", "card_front_document_id": card["id"],
               "card_back_document_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}
    with pytest.raises(InvalidInput) as exc:
        service.save_tab(me(client_id), client_id, "insurance", {"version": 1,
                                                                 "primary": primary})
    assert list(exc.value.fields) == ["primary.card_back_document_id"]
    del primary["card_back_document_id"]
    service.save_tab(me(client_id), client_id, "insurance", {"version": 1, "primary": primary})


def test_review_list_mark_reviewed_and_revert(service, db, client_id):
    service.update_demographics(STAFF, client_id, {"version": 1, "city": "Salem"})  # no review
    service.update_demographics(me(client_id), client_id, {"version": 2, "city": "Portland",
                                                           "sex": "male"})
    service.save_tab(me(client_id), client_id, "details", {"version": 1, "education": "master"})
    pending = service.list_changes_to_review(STAFF, {})
    assert [b["tab"] for b in pending] == ["details", "basic"]
    basic = pending[1]
    assert basic["fields"] == ["city", "sex"] and basic["client_name"] == "Bobby Newman"
    city = next(r for r in basic["revisions"] if r["field"] == "city")
    assert (city["old_value"], city["new_value"]) == ("Salem", "Portland")

    reverted = service.revert_change(STAFF, {"revision_id": city["id"]})
    assert reverted["values"]["city"] == "Salem" and reverted["values"]["sex"] == "male"
    last = events(db, "client.updated")[-1]["data"]
    assert last["source"] == "staff" and last["fields"] == ["city"]
    assert [b["tab"] for b in service.list_changes_to_review(STAFF, {})] == ["details"]
    with pytest.raises(Conflict) as exc:  # already reverted: the value moved on
        service.revert_change(STAFF, {"revision_id": city["id"]})
    assert exc.value.code == "changed_since"

    details = service.list_changes_to_review(STAFF, {})[0]
    service.revert_change(STAFF, {"revision_id": details["revisions"][0]["id"]})
    assert service.get_tab(STAFF, client_id, "details")["values"] == {}
    assert service.mark_changes_reviewed(STAFF, {"batch_ids": [details["batch_id"]]}) == \
        {"reviewed": 0}
    with pytest.raises(Forbidden):
        service.revert_change(me(client_id), {"revision_id": city["id"]})


def test_a_revert_that_would_leave_the_tab_invalid_is_refused(service, db, client_id):
    enable(service, allow_clients_update_insurance=True)
    service.save_tab(me(client_id), client_id, "insurance", {"version": 1, "primary": {
        "payer": "Aetna", "member_id": "W1", "subscriber": {
            "relationship": "parent", "name": "Mary Newman", "date_of_birth": "1960-02-03"}}})
    [batch] = service.list_changes_to_review(STAFF, {})
    by_field = {r["field"]: r for r in batch["revisions"]}
    for field in ("primary.payer", "primary.subscriber.name"):
        with pytest.raises(InvalidInput) as exc:
            service.revert_change(STAFF, {"revision_id": by_field[field]["id"]})
        assert exc.value.code == "revert_invalid" and field in exc.value.fields
        assert "Edit the tab instead" in exc.value.message
    tab = service.get_tab(STAFF, client_id, "insurance")
    assert tab["version"] == 2 and tab["values"]["primary"]["payer"] == "Aetna"
    assert len(events(db, "client.updated")) == 1


def test_uploads_need_the_setting_and_emit_document_uploaded(service, db, blobs, client_id):
    with pytest.raises(Forbidden) as exc:
        service.register_upload(me(client_id), client_id, put(blobs))
    assert exc.value.code == "uploads_disabled"
    enable(service)
    ref = put(blobs)
    ref["filename"] = "secret: draft?.pdf"
    doc = service.register_upload(me(client_id), client_id, ref)
    assert doc["filename"] == "secret_ draft_.pdf" and doc["content_type"] == "application/pdf"
    again = service.register_upload(me(client_id), client_id, ref)
    assert again["id"] == doc["id"]
    [event] = events(db, "document.uploaded")
    assert event["data"]["document_id"] == doc["id"]
    assert "client_name" not in event["data"] and event["version"] == 2


def test_a_retry_with_the_same_upload_id_returns_the_first_document(service, db, blobs,
                                                                    client_id):
    enable(service)
    upload_id = "0b7f3c1e-8f55-4c1a-9d1e-2f1c3b4a5d6e"
    ref = dict(put(blobs), upload_id=upload_id)
    first = service.register_upload(me(client_id), client_id, ref)
    # the gateway's own retry (same blob) and the person's (the file sent again)
    same_blob = service.register_upload(me(client_id), client_id, dict(ref))
    second_copy = put(blobs)
    again = service.register_upload(me(client_id), client_id, dict(second_copy,
                                                                   upload_id=upload_id))
    assert first["id"] == same_blob["id"] == again["id"] and len(db.all(Document)) == 1
    assert len(events(db, "document.uploaded")) == 1
    assert blobs.list_older_than("charts", -1) == [first_blob(db)]   # the copy is gone
    someone_else = me(client_id, "contact", "guardian-1", ["manage_documentation"])
    taken = put(blobs)
    with pytest.raises(Conflict) as exc:
        service.register_upload(someone_else, client_id, dict(taken, upload_id=upload_id))
    assert exc.value.code == "upload_id_taken"
    assert blobs.list_older_than("charts", -1) == [first_blob(db)]


def first_blob(db):
    [doc] = db.all(Document)
    return doc.blob_key


@pytest.mark.parametrize("data,code", [
    (b"<html><body>not a pdf</body></html>", "file_type_refused"),
    (b"MZ\x90\x00" + b"\x00" * 100, "file_type_refused"),
    (b"", "empty_file"),
    # OLE2 containers that are not Word: a spreadsheet, a presentation, an installer
    (compound_file("Workbook"), "file_type_refused"),
    (compound_file("PowerPoint Document", "Current User"), "file_type_refused"),
    (compound_file("\x05SummaryInformation", "Property"), "file_type_refused"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600, "file_type_refused"),  # damaged
])
def test_hostile_uploads_are_refused_and_leave_nothing(service, db, blobs, client_id, data, code):
    enable(service)
    ref = put(blobs, data)
    with pytest.raises(InvalidInput) as exc:
        service.register_upload(me(client_id), client_id, ref)
    assert exc.value.code == code
    assert blobs.list_older_than("charts", -1) == [] and db.all(Document) == []


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "C:\\Users\\bo\\scan.pdf",
                                  "scan\x00.pdf", "scan\x1b[31m.pdf", "line\nbreak.pdf",
                                  "invoice\u202efdp.exe"])
def test_hostile_file_names_are_refused_and_leave_nothing(service, db, blobs, client_id, name):
    enable(service)
    ref = dict(put(blobs), filename=name)
    with pytest.raises(InvalidInput) as exc:
        service.register_upload(me(client_id), client_id, ref)
    assert exc.value.code == "filename_refused" and "control characters" in exc.value.message
    assert blobs.list_older_than("charts", -1) == [] and db.all(Document) == []


def test_a_legacy_word_document_is_accepted(service, blobs, client_id):
    enable(service)
    ref = dict(put(blobs, compound_file("WordDocument", "1Table")), filename="letter.doc")
    doc = service.register_upload(me(client_id), client_id, ref)
    assert doc["content_type"] == "application/msword" and doc["filename"] == "letter.doc"


def test_a_26_mb_file_is_refused_without_being_held_in_memory(service, db, blobs, client_id):
    enable(service)
    info = blobs.put(Stream(26 * 1024 * 1024), namespace="charts")
    with pytest.raises(InvalidInput) as exc:
        service.register_upload(me(client_id), client_id, {
            "blob_key": info.key, "sha256": info.sha256, "size": info.size,
            "filename": "big.pdf"})
    assert exc.value.code == "file_too_large"
    assert blobs.list_older_than("charts", -1) == []


def test_a_lying_checksum_or_foreign_key_is_refused(service, blobs, client_id):
    enable(service)
    ref = put(blobs)
    with pytest.raises(InvalidInput) as exc:
        service.register_upload(me(client_id), client_id, dict(ref, sha256="0" * 64))
    assert exc.value.code == "upload_incomplete"
    for key in ("../../etc/passwd", "messaging/" + "a" * 32):
        with pytest.raises(InvalidInput) as exc:
            service.register_upload(me(client_id), client_id, dict(ref, blob_key=key))
        assert exc.value.code == "blob_missing"


def test_contacts_see_only_their_own_uploads_and_what_was_shared_with_them(
        service, db, blobs, client_id):
    enable(service)
    mum = me(client_id, "contact", "mum", ["manage_documentation"])
    dad = me(client_id, "contact", "dad", ["manage_documentation"])
    mums = service.register_upload(mum, client_id, put(blobs))
    dads = service.register_upload(dad, client_id, put(blobs))
    portal = service.create_document_type(STAFF, {"name": "Letters", "show_in_portal": True})
    hidden = service.create_document_type(STAFF, {"name": "Notes", "show_in_portal": False})
    to_dad = service.share_document(STAFF, dict(put(blobs), client_id=client_id,
                                                contact_id="dad", type_id=portal["id"]))
    service.share_document(STAFF, dict(put(blobs), client_id=client_id, type_id=hidden["id"]))
    policy = service.share_document(STAFF, dict(put(blobs), type_id=portal["id"],
                                                filename="Policies.pdf"))
    ids = lambda actor: {d["id"] for d in service.list_documents(actor, {"client_id": client_id})}  # noqa: E731
    assert ids(mum) == {mums["id"], policy["id"]}
    assert ids(dad) == {dads["id"], to_dad["id"], policy["id"]}
    assert len(ids(STAFF)) == 5
    for document_id in (dads["id"], to_dad["id"]):
        with pytest.raises(NotFound):
            service.get_document_for_download(mum, document_id)
    found = service.get_document_for_download(dad, dads["id"])
    assert found["document_id"] == dads["id"] and found["sha256"]
    no_docs = me(client_id, "contact", "mum", ["manage_information"])
    with pytest.raises(Forbidden):
        service.register_upload(no_docs, client_id, put(blobs))
    [shared] = [e for e in events(db, "document.shared") if e["data"]["contact_id"] == "dad"]
    assert shared["data"]["document_id"] == to_dad["id"]


def test_a_tampered_blob_is_refused_and_reported_once(service, db, blobs, client_id):
    enable(service)
    doc = service.register_upload(me(client_id), client_id, put(blobs))
    key = service.get_document_for_download(STAFF, doc["id"])["blob_key"]
    blobs._path(key).write_bytes(PDF.replace(b"0", b"1"))
    for _ in range(2):
        with pytest.raises(Conflict) as exc:
            service.get_document_for_download(me(client_id), doc["id"]) if _ == 0 else \
                service.get_document_for_download(STAFF, doc["id"])
        assert exc.value.code == "document_damaged"
    assert len(events(db, "document.integrity_failed")) == 1
    assert service.report_integrity_failure(STAFF, doc["id"])["damaged"] is True
    assert len(events(db, "document.integrity_failed")) == 1


def test_orphan_blobs_are_swept(service, blobs, client_id):
    enable(service)
    kept = put(blobs)
    service.register_upload(me(client_id), client_id, kept)
    orphan = put(blobs)
    fresh = put(blobs)
    past = time.time() - 7200
    for key in (kept["blob_key"], orphan["blob_key"]):
        os.utime(blobs._path(key), (past, past))
    with pytest.raises(Forbidden):
        service.sweep_orphan_blobs(me(client_id), {})
    assert service.sweep_orphan_blobs(ADMIN, {"older_than_minutes": 60}) == {"removed": 1}
    remaining = blobs.list_older_than("charts", -1)
    assert kept["blob_key"] in remaining and fresh["blob_key"] in remaining
    assert orphan["blob_key"] not in remaining


def test_settings_and_notification_address(service, client_id):
    assert service.get_settings(me(client_id))["client_uploads_enabled"] is False
    with pytest.raises(Forbidden):
        service.update_settings(STAFF, {"client_uploads_enabled": True})
    with pytest.raises(InvalidInput):
        service.update_settings(ADMIN, {"extra_fields": [{"key": "Bad Key", "label": "x"}]})
    saved = service.update_settings(ADMIN, {"extra_fields": [
        {"key": "referral", "label": "Referral", "type": "choice", "choices": ["web"]}]})
    with pytest.raises(Conflict):
        service.update_settings(ADMIN, {"version": 1, "client_uploads_enabled": True})
    assert saved["version"] == 2
    with pytest.raises(Forbidden):
        service.get_notification_address(STAFF, client_id)
    system = {"practice_id": None, "kind": "system", "id": "system"}
    service.update_demographics(STAFF, client_id, {"version": 1, "email": "bobby@example.com"})
    assert service.get_notification_address(system, client_id) == {
        "email": "bobby@example.com", "may_email": True}
    service.save_tab(STAFF, client_id, "communication", {"version": 1, "email_ok": False})
    assert service.get_notification_address(system, client_id)["may_email"] is False
    own = dict(system, practice_id=STAFF["practice_id"])
    assert service.get_notification_address(own, client_id)["email"] == "bobby@example.com"
    with pytest.raises(NotFound):   # an event of another practice naming this client
        service.get_notification_address(dict(system, practice_id="another"), client_id)


def test_a_revision_from_before_typed_values_can_be_reverted(service, db, client_id):
    service.update_demographics(me(client_id), client_id, {"version": 1, "city": "Bend"})
    [revision] = [r for r in db.all(Revision) if r.field == "city"]
    with db.sessions.begin() as session:  # as the 0001 schema wrote it
        row = session.get(Revision, revision.id)
        row.old_json = row.new_json = None
    saved = service.revert_change(STAFF, {"revision_id": revision.id})
    assert saved["values"]["city"] is None


def test_batches_record_who_changed_what(service, db, client_id):
    contact = me(client_id, "contact", "guardian-1", ["manage_information"])
    service.save_tab(contact, client_id, "communication", {"version": 1, "voicemail_ok": False})
    [batch] = [b for b in db.all(ChangeBatch) if b.tab == "communication"]
    assert (batch.actor_kind, batch.actor_id, batch.source) == ("contact", "guardian-1", "portal")
    [revision] = [r for r in db.all(Revision) if r.tab == "communication"]
    assert (revision.field, revision.old_value, revision.new_value) == \
        ("voicemail_ok", None, "no")
