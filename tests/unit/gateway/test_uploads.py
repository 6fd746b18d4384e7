"""Uploads streamed into a real local blob store and downloads streamed out of it, through
the pipeline with a fake charts: hostile files are a clear 4xx and leave nothing behind."""
import hashlib
import io
import uuid

import pytest
from werkzeug.test import EnvironBuilder

from gateway import uploads
from services.common import blobstore
from services.common.errors import Conflict, InvalidInput, NotFound, Unavailable
from tests.unit.gateway.fakes import CLIENT_ID, token

CLIENT = {"Authorization": "Bearer " + token()}
STAFF = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients", "edit_clients", "upload_client_documents"])}
PDF = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
BOUNDARY = "haven-test-boundary"


@pytest.fixture
def store(app, tmp_path):
    app.blobs = blobstore.LocalBlobStore(tmp_path / "blobs")
    return app.blobs


def blobs_left(store):
    return [p for p in store.root.rglob("*") if p.is_file()]


class FakeCharts:
    """register_upload / share_document as charts answers: refuses what is not a PDF (and,
    unlike charts, leaves the blob: the gateway must delete it)."""

    def __init__(self, store):
        self.store = store
        self.docs = {}
        self.payloads = []

    def register(self, actor, client_id, payload):
        self.payloads.append((client_id, payload))
        head = self.store.head(payload["blob_key"])
        if not head.startswith(b"%PDF"):
            raise InvalidInput("file_type_refused", "This kind of file cannot be uploaded.",
                               {"file": ["Only PDF, JPEG, PNG, HEIC or Word files."]})
        doc_id = str(uuid.uuid4())
        self.docs[doc_id] = payload
        return {"id": doc_id, "kind": "upload", "title": payload.get("title") or "t",
                "filename": payload["filename"], "content_type": "application/pdf",
                "size": payload["size"], "client_id": client_id,
                "contact_id": payload.get("contact_id"), "type_id": payload.get("type_id"),
                "status": "available", "uploaded_by_kind": "client",
                "uploaded_by_id": actor["id"], "created_at": "2026-01-01T00:00:00+00:00"}

    def share(self, actor, payload):
        return self.register(actor, payload.get("client_id"), payload)

    def for_download(self, actor, document_id):
        if document_id not in self.docs:
            raise NotFound("not_found", "That document does not exist.")
        p = self.docs[document_id]
        return {"document_id": document_id, "blob_key": p["blob_key"], "sha256": p["sha256"],
                "filename": "Insurance card – front.pdf", "content_type": "application/pdf",
                "size": p["size"]}


@pytest.fixture
def charts(rpc, store):
    fake = FakeCharts(store)
    rpc.answers["charts.register_upload"] = fake.register
    rpc.answers["charts.share_document"] = fake.share
    rpc.answers["charts.get_document_for_download"] = fake.for_download
    rpc.answers["charts.report_integrity_failure"] = lambda actor, d: {"document_id": d,
                                                                       "damaged": True}
    return fake


def upload(client, content, filename="scan.pdf", headers=CLIENT, extra=None,
           path="/api/v1/me/uploads"):
    data = {"file": (io.BytesIO(content), filename), **(extra or {})}
    return client.post(path, headers=headers, data=data, content_type="multipart/form-data")


def test_a_pdf_is_streamed_to_the_store_and_registered(client, store, charts):
    r = upload(client, PDF, extra={"title": "Insurance card"})
    assert r.status_code == 201, r.json
    client_id, payload = charts.payloads[0]
    assert client_id == CLIENT_ID and payload["size"] == len(PDF)
    assert payload["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert payload["filename"] == "scan.pdf" and payload["title"] == "Insurance card"
    assert payload["blob_key"].startswith("charts/") and len(blobs_left(store)) == 1


def test_more_than_the_json_limit_is_fine_for_uploads(client, store, charts):
    big = PDF + b"y" * (2 * 1024 * 1024)  # the gateway's JSON limit here is 4 KB
    r = upload(client, big)
    assert r.status_code == 201 and charts.payloads[0][1]["size"] == len(big)


@pytest.mark.parametrize("content,name", [
    (b"<!doctype html><script>alert(1)</script>", "invoice.pdf"),   # HTML named .pdf
    (b"MZ\x90\x00" + b"\x00" * 200, "setup.exe"),                   # an executable
])
def test_refused_types_leave_nothing(client, store, charts, content, name):
    r = upload(client, content, name)
    assert r.status_code == 422 and r.json["error"] == "file_type_refused"
    assert "file" in r.json["fields"] and blobs_left(store) == []


def test_an_empty_file_is_refused_without_asking_charts(client, store, charts):
    r = upload(client, b"")
    assert r.status_code == 422 and r.json["error"] == "empty_file"
    assert charts.payloads == [] and blobs_left(store) == []


def test_no_file_part(client, store, charts):
    r = client.post("/api/v1/me/uploads", headers=CLIENT, data={"title": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and r.json["error"] == "file_required"
    r = client.post("/api/v1/me/uploads", headers=CLIENT, json={"file": "x"})
    assert r.status_code == 422 and r.json["error"] == "multipart_required"


def test_two_files_are_refused_and_nothing_kept(client, store, charts):
    data = {"file": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]}
    r = client.post("/api/v1/me/uploads", headers=CLIENT, data=data,
                    content_type="multipart/form-data")
    assert r.status_code == 422 and blobs_left(store) == []


def test_names_with_paths_and_control_characters_reach_charts_to_be_judged(client, store,
                                                                             charts):
    r = upload(client, PDF, "../../etc/\x00pass\x1bwd.pdf")
    assert r.status_code == 201
    # charts refuses such a name (this fake accepts it); the gateway never uses it as a path
    assert all(p.name != "pass" for p in store.root.rglob("*"))
    r = upload(client, PDF, "")  # no name at all
    assert r.status_code in (201, 422)


class Lazy(io.RawIOBase):
    """A request body made as it is read: the head, `size` bytes of a PDF-looking file,
    the tail — never held whole. `stop_after`: the client goes away after that many."""

    def __init__(self, size, stop_after=None):
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF").encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.total = len(head) + (size - 4) + len(tail)
        self.pieces = self._pieces(head, size - 4, tail)
        self.left = b""
        self.sent = 0
        self.stop_after = stop_after

    @staticmethod
    def _pieces(head, size, tail):
        yield head
        while size > 0:
            n = min(size, 64 * 1024)
            yield b"z" * n
            size -= n
        yield tail

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.stop_after is not None and self.sent >= self.stop_after:
            return 0  # the client went away
        if not self.left:
            self.left = next(self.pieces, b"")
        n = min(len(buffer), len(self.left))
        buffer[:n] = self.left[:n]
        self.left = self.left[n:]
        self.sent += n
        return n


def post_lazy(app, body, content_length):
    from werkzeug.wrappers import Request
    environ = EnvironBuilder(path="/api/v1/me/uploads", method="POST",
                             headers=CLIENT).get_environ()
    environ["CONTENT_TYPE"] = f"multipart/form-data; boundary={BOUNDARY}"
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(content_length)
    environ.pop("wsgi.input_terminated", None)  # as eventlet sends a Content-Length body
    return app.handle(Request(environ))


def test_a_26_mb_file_is_413_and_leaves_nothing(app, store, charts):
    body = Lazy(26 * 1024 * 1024)
    # the Content-Length is refused before reading…
    r = post_lazy(app, body, body.total)
    assert r.status_code == 413 and body.sent == 0
    # …and a body that lies about its length is stopped by the store while streaming
    body = Lazy(26 * 1024 * 1024)
    r = post_lazy(app, body, 25 * 1024 * 1024 + 200 * 1024)
    assert r.status_code == 413, r.get_data()
    assert b"25 MB" in r.get_data()
    assert charts.payloads == [] and blobs_left(store) == []


def test_a_request_cut_off_mid_upload_leaves_nothing(app, store, charts):
    body = Lazy(3 * 1024 * 1024, stop_after=1024 * 1024)
    r = post_lazy(app, body, body.total)
    assert r.status_code in (400, 422) and charts.payloads == []
    assert blobs_left(store) == []


def test_an_unanswered_registration_keeps_the_blob_and_asks_once_more(client, rpc, store,
                                                                      charts):
    """charts may still commit the row after the gateway stopped waiting: deleting the
    blob then would leave a document without its file. The sweep removes it only if no
    row ever names it."""
    rpc.answers["charts.register_upload"] = Unavailable()
    r = upload(client, PDF)
    assert r.status_code == 503 and r.json["error"] == "upload_unconfirmed"
    assert "will not be added twice" in r.json["message"]
    assert len(blobs_left(store)) == 1
    [first, second] = [args[2] for s, m, args in rpc.calls if m == "register_upload"]
    assert first == second and uuid.UUID(first["upload_id"])    # the same upload id


def test_a_registration_answered_on_the_second_ask_is_201(client, rpc, store, charts):
    answers = [Unavailable(), charts.register]

    def flaky(actor, client_id, payload):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(actor, client_id, payload)
    rpc.answers["charts.register_upload"] = flaky
    r = upload(client, PDF)
    assert r.status_code == 201 and len(blobs_left(store)) == 1


def test_the_clients_idempotency_key_is_the_upload_id(client, rpc, store, charts):
    key = str(uuid.uuid4())
    r = upload(client, PDF, headers=dict(CLIENT, **{"Idempotency-Key": key}))
    assert r.status_code == 201 and charts.payloads[0][1]["upload_id"] == key
    r = upload(client, PDF, headers=dict(CLIENT, **{"Idempotency-Key": "again please"}))
    assert r.status_code == 422 and r.json["error"] == "invalid_idempotency_key"
    assert len(blobs_left(store)) == 1 and len(charts.payloads) == 1


def test_charts_scanner_unavailable_is_not_asked_again(client, rpc, store, charts):
    rpc.answers["charts.register_upload"] = Unavailable("scanner_unavailable", "Try later.")
    r = upload(client, PDF)
    assert r.status_code == 503 and r.json["error"] == "scanner_unavailable"
    assert rpc.count("charts.register_upload") == 1


def test_a_refused_registration_deletes_the_blob(client, rpc, store, charts):
    from services.common.errors import Forbidden
    rpc.answers["charts.register_upload"] = Forbidden("uploads_disabled", "Not accepted.")
    r = upload(client, PDF)
    assert r.status_code == 403 and r.json["error"] == "uploads_disabled"
    assert blobs_left(store) == []


def test_staff_share_passes_the_form_fields(client, store, charts):
    r = upload(client, PDF, headers=STAFF, path="/api/v1/documents",
               extra={"title": "Fee schedule", "type_id": "t1", "client_id": CLIENT_ID})
    assert r.status_code == 201, r.json
    payload = charts.payloads[0][1]
    assert payload["title"] == "Fee schedule" and payload["type_id"] == "t1"
    assert payload["contact_id"] is None
    r = upload(client, PDF, headers=STAFF, path="/api/v1/documents", extra={"colour": "red"})
    assert r.status_code == 422 and "colour" in r.json["fields"]
    assert len(blobs_left(store)) == 1   # the refused one is gone
    assert upload(client, PDF, path="/api/v1/documents").status_code == 403


def test_download_is_an_attachment_checked_while_streamed(client, store, charts):
    doc = upload(client, PDF).json["id"]
    r = client.get(f"/api/v1/documents/{doc}/download", headers=CLIENT)
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"Insurance card _ front.pdf\"")
    assert "filename*=UTF-8''Insurance%20card%20%E2%80%93%20front.pdf" in disposition
    assert r.headers["Content-Length"] == str(len(PDF))
    assert client.get("/api/v1/documents/nope/download", headers=CLIENT).status_code == 404


def test_a_blob_altered_at_rest_is_409_and_reported(client, rpc, store, charts):
    doc = upload(client, PDF).json["id"]
    path = blobs_left(store)[0]
    path.write_bytes(PDF.replace(b"x", b"y", 1))
    r = client.get(f"/api/v1/documents/{doc}/download", headers=CLIENT)
    assert r.status_code == 409 and r.json["error"] == "document_damaged"
    reported = [c for c in rpc.calls if c[1] == "report_integrity_failure"]
    assert reported and reported[0][2][0]["kind"] == "system"


def test_a_blob_changed_while_sent_is_cut_short():
    reported = []
    blob = io.BytesIO(b"a" * (uploads.CHUNK * 2 + 10))
    pieces = uploads._verified(blob, "0" * 64, lambda: reported.append(True))
    with pytest.raises(blobstore.BlobIntegrityError):
        sent = b"".join(pieces)
    assert reported == [True]
    good = b"b" * (uploads.CHUNK + 1)
    assert b"".join(uploads._verified(io.BytesIO(good), hashlib.sha256(good).hexdigest(),
                                      lambda: None)) == good


def test_content_disposition_is_rfc_6266():
    value = uploads.content_disposition('na"me;\\%\u00e9.pdf')
    assert value == ("attachment; filename=\"na_me____.pdf\"; "
                     "filename*=UTF-8''na%22me%3B%5C%25%C3%A9.pdf")
