"""charts' events go to other practice systems on `charts.events`: they name ids, tabs and
fields, never who the client is or what the chart says. Checked on every declared event's
schema, and on the data of every event a full round of chart and document work records."""
import json

import pytest
from nameko.testing.services import worker_factory

from services.charts import dependencies, events
from services.charts.models import Document, Outbox
from services.charts.service import ChartsService
from services.common.blobstore import LocalBlobStore
from tests.unit.charts.test_service import STAFF, MemoryDb
from tests.unit.charts.test_service_tabs import ADMIN, PDF, me, put

PUBLIC = [e for e in events.ALL if not e.private]
# what would identify or describe a person, in a field's name
PERSONAL = ("name", "birth", "dob", "address", "phone", "email", "postal", "city", "street",
            "member", "subscriber", "payer", "ssn")
# the values Bobby's chart holds by the end of the round below
VALUES = ("Bobby", "Newman", "1984-03-02", "bobby@example.com", "555 010 2030", "Harbour",
          "Portland", "97201", "Maria", "555 010 4455", "maria@example.com", "Aetna",
          "W123456789", "1956-07-08", "letter.pdf", "Salem", "from a friend")


class FlagsEicar:
    """A scanner that finds a virus in any file holding the word EICAR."""
    enabled = True

    def scan(self, fileobj):
        return dependencies.Verdict(clean=b"EICAR" not in fileobj.read())


@pytest.mark.parametrize("event", PUBLIC, ids=lambda e: e.type)
def test_no_declared_event_has_a_field_about_the_person(event):
    assert event.schema is not None, f"{event.type} declares no schema"
    for field in event.schema().fields.values():
        name = (field.data_key or field.name).lower()
        assert not any(word in name for word in PERSONAL), (event.type, name)
    assert "client_name" not in event.doc.split("(v1 also")[0]


def test_no_published_event_carries_a_chart_value(tmp_path):
    db, blobs = MemoryDb(), LocalBlobStore(tmp_path / "blobs")
    service = worker_factory(ChartsService, db=db, blobs=blobs, config={}, scanner=FlagsEicar())
    client = service.create_client(STAFF, {
        "first_name": "Bobby", "last_name": "Newman", "date_of_birth": "1984-03-02",
        "email": "bobby@example.com", "phone_mobile": "+1 555 010 2030",
        "address_line1": "12 Harbour Street", "city": "Portland", "postal_code": "97201",
        "country": "US"})
    cid, bobby = client["id"], me(client["id"])
    service.update_settings(ADMIN, {"client_uploads_enabled": True,
                                    "allow_clients_update_insurance": True,
                                    "extra_fields": [{"key": "referral", "label": "Referral source"}]})
    service.update_demographics(bobby, cid, {"version": 1, "city": "Salem",
                                             "phone_home": "+1 555 010 2030",
                                             "first_name": "Bobby", "last_name": "Newman"})
    service.save_tab(bobby, cid, "details", {"version": 1, "extra": {"referral": "from a friend"}})
    service.save_tab(bobby, cid, "contacts", {"version": 1, "emergency_contact": {
        "name": "Maria Newman", "phone_mobile": "+1 555 010 4455",
        "email": "maria@example.com"}})
    service.save_tab(bobby, cid, "insurance", {"version": 1, "primary": {
        "payer": "Aetna", "member_id": "W123456789", "subscriber": {
            "relationship": "spouse", "name": "Maria Newman", "date_of_birth": "1956-07-08"}}})
    service.save_tab(bobby, cid, "communication", {"version": 1, "email_ok": True})
    upload = service.register_upload(bobby, cid, dict(put(blobs), filename="letter.pdf"))
    with pytest.raises(Exception):
        service.register_upload(bobby, cid, put(blobs, PDF + b"EICAR"))
    shared = service.share_document(ADMIN, dict(put(blobs), client_id=cid, filename="letter.pdf"))
    service.unshare_document(ADMIN, shared["id"])
    service.delete_document(ADMIN, shared["id"])
    [key] = [d.blob_key for d in db.all(Document) if d.id == upload["id"]]
    blobs.delete(key)                                   # lost at rest
    service.report_integrity_failure(ADMIN, upload["id"])

    published = [o.envelope for o in db.all(Outbox)]
    assert {e["type"] for e in published} >= {e.type for e in PUBLIC}
    for envelope in published:
        text = json.dumps(envelope["data"])
        assert not [v for v in VALUES if v in text], (envelope["type"], text)
        assert not any(word in key.lower() for key in keys(envelope["data"])
                       for word in PERSONAL), (envelope["type"], text)
        assert envelope["version"] == next(e.version for e in PUBLIC
                                           if e.type == envelope["type"])


def keys(data):
    for key, value in (data or {}).items():
        yield key
        if isinstance(value, dict):
            yield from keys(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from keys(item)


def test_only_haven_itself_asks_for_a_name_by_id(tmp_path):
    from services.common.errors import Forbidden, NotFound
    service = worker_factory(ChartsService, db=MemoryDb(), blobs=LocalBlobStore(tmp_path),
                             config={}, scanner=dependencies.NoScanner())
    cid = service.create_client(STAFF, {"first_name": "Bobby", "last_name": "Newman"})["id"]
    system = {"practice_id": STAFF["practice_id"], "kind": "system", "id": "system"}
    assert service.get_client_name(system, cid) == {"client_id": cid,
                                                     "client_name": "Bobby Newman"}
    with pytest.raises(Forbidden):
        service.get_client_name(STAFF, cid)
    with pytest.raises(NotFound):
        service.get_client_name(dict(system, practice_id="another-practice"), cid)
