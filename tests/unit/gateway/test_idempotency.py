"""An Idempotency-Key names one request (issue 17): its retry gets the first answer; the
same key on a different request is a 422 that says so, never the first request's answer.
The fakes keep what a key made and answer it again on a replay, as scheduling and charts
do."""
import io
import uuid

import pytest

from services.common import blobstore
from tests.unit.gateway.fakes import CLIENT_ID, token

STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients",
                                                                   "manage_appointments"])}
CLIENT = {"Authorization": "Bearer " + token()}
BOOK = f"/api/v1/clients/{CLIENT_ID}/appointments"
PDF = b"%PDF-1.4\n" + b"x" * 3000 + b"\n%%EOF\n"


class FakeScheduling:
    """book_appointment keyed by `id`: a known id answers the row it made (unchanged)."""

    def __init__(self):
        self.rows = {}

    def book(self, actor, client_id, payload):
        if payload["id"] in self.rows:
            return self.rows[payload["id"]]
        from datetime import datetime, timedelta
        starts = datetime.fromisoformat(payload["starts_at"])
        minutes = payload.get("duration_minutes", 50)
        row = {"id": payload["id"], "client_id": client_id,
               "clinician_id": payload["clinician_id"], "clinician_name": "Dr Who",
               "starts_at": starts.astimezone().isoformat(),
               "ends_at": (starts + timedelta(minutes=minutes)).isoformat(),
               "duration_minutes": minutes, "location": payload.get("location", "office"),
               "title": (payload.get("title") or "").strip() or None,
               "status": "scheduled", "version": 1}
        self.rows[payload["id"]] = row
        return row


@pytest.fixture
def sched(rpc):
    fake = FakeScheduling()
    rpc.answers["scheduling.book_appointment"] = fake.book
    return fake


def book(client, key, **body):
    body = dict({"clinician_id": "s1", "starts_at": "2030-03-04T15:00:00-05:00"}, **body)
    return client.post(BOOK, json=body, headers=dict(STAFF, **{"Idempotency-Key": key}))


def test_a_retry_with_the_same_key_gets_the_first_answer(client, sched):
    key = str(uuid.uuid4())
    first = book(client, key, title="Intake ", duration_minutes=50)
    assert first.status_code == 201
    # the same request, as another client library may spell it: the same instant in UTC,
    # the documented defaults written out, the title without its trailing blank
    again = book(client, key, starts_at="2030-03-04T20:00:00+00:00", title="Intake",
                 location="office")
    assert again.status_code == 201 and again.json == first.json
    assert len(sched.rows) == 1


@pytest.mark.parametrize("change", [
    {"starts_at": "2030-03-05T15:00:00-05:00"}, {"clinician_id": "s2"},
    {"duration_minutes": 90}, {"location": "telehealth"}, {"title": "Couples"}])
def test_the_same_key_for_another_booking_is_422_and_never_the_first_answer(client, sched,
                                                                            change):
    key = str(uuid.uuid4())
    first = book(client, key, title="Intake")
    assert first.status_code == 201
    r = book(client, key, **dict({"title": "Intake"}, **change))
    assert r.status_code == 422, r.json
    assert r.json["error"] == "idempotency_key_reused"
    assert "Idempotency-Key" in r.json["fields"]
    assert first.json["id"] not in r.data.decode()
    assert list(change)[0] in r.json["message"] or "different request" in r.json["message"]


class FakeCharts:
    """register_upload keyed by `upload_id`: a known one answers the document it made and
    deletes this try's blob (as charts does)."""

    def __init__(self, store):
        self.store = store
        self.docs = {}

    def register(self, actor, client_id, payload):
        known = self.docs.get(payload["upload_id"])
        if known is not None:
            if known["blob_key"] != payload["blob_key"]:
                self.store.delete(payload["blob_key"])
            return known["answer"]
        answer = {"id": str(uuid.uuid4()), "kind": "upload",
                  "title": " ".join((payload.get("title") or "").split()) or "scan.pdf",
                  "filename": payload["filename"], "content_type": "application/pdf",
                  "size": payload["size"], "client_id": client_id, "contact_id": None,
                  "type_id": None, "status": "available", "uploaded_by_kind": "client",
                  "uploaded_by_id": actor["id"], "created_at": "2026-01-01T00:00:00+00:00"}
        self.docs[payload["upload_id"]] = {"blob_key": payload["blob_key"], "answer": answer}
        return answer


@pytest.fixture
def charts(rpc, app, tmp_path):
    app.blobs = blobstore.LocalBlobStore(tmp_path / "blobs")
    fake = FakeCharts(app.blobs)
    rpc.answers["charts.register_upload"] = fake.register
    return fake


def upload(client, key, content=PDF, title=None):
    data = {"file": (io.BytesIO(content), "scan.pdf")}
    if title is not None:
        data["title"] = title
    return client.post("/api/v1/me/uploads", data=data, content_type="multipart/form-data",
                       headers=dict(CLIENT, **{"Idempotency-Key": key}))


def test_an_upload_retried_with_its_key_is_one_document(client, charts):
    key = str(uuid.uuid4())
    first = upload(client, key, title="Insurance card")
    again = upload(client, key, title="Insurance  card")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and len(charts.docs) == 1


@pytest.mark.parametrize("content, title", [(PDF + b"another page", "Insurance card"),
                                            (PDF, "Referral letter")])
def test_the_same_key_for_another_file_is_422(client, charts, content, title):
    key = str(uuid.uuid4())
    first = upload(client, key, title="Insurance card")
    assert first.status_code == 201
    r = upload(client, key, content=content, title=title)
    assert r.status_code == 422 and r.json["error"] == "idempotency_key_reused", r.json
    assert first.json["id"] not in r.data.decode() and len(charts.docs) == 1
    blobs = [p for p in charts.store.root.rglob("*") if p.is_file()]
    assert len(blobs) == 1      # the second try's file is not kept
