"""Issue 5 over real HTTP and RabbitMQ: a GatewayService in a container (eventlet's wsgi
server, as in production) with a fake charts that checks blobs as charts does. Hostile
uploads — HTML named .pdf, an executable, 26 MB streamed from a generator (chunked), an
empty file, odd names, a request cut off mid-upload — are a clear 4xx and leave nothing
in the blob store; the JSON body limit does not apply to uploads; downloads stream."""
import hashlib
import socket
import time
import uuid
from urllib.parse import urlparse

import eventlet
import pytest
import requests

from services.common import blobstore
from services.common.errors import EXPECTED, InvalidInput, NotFound
from services.common.rpc import rpc
from tests.integration.gateway.fakes import (
    CLIENT_ID,
    FakeCharts,
    FakeIdentity,
    FakeNotify,
    FakeScheduling,
    State,
    make_token,
)
from tests.integration.gateway.test_gateway import base_config, bearer, start_gateway, wait_for  # noqa: F401

PDF = b"%PDF-1.4\n" + b"q" * 200_000 + b"\n%%EOF\n"
BOUNDARY = "haven-integration-boundary"
CLIENT = bearer(make_token(str(uuid.uuid4())))


class DocumentCharts(FakeCharts):
    """FakeCharts plus the document RPCs, refusing what is not a PDF by its first bytes."""
    name = "charts"
    blob_dir = None
    docs = {}
    slow_calls = []     # payloads of registrations answered after the gateway gave up
    SLOW_SECONDS = 1.5  # past the impatient gateway's RPC_TIMEOUT of 1 s

    def _store(self):
        return blobstore.LocalBlobStore(self.blob_dir)

    @rpc(expected_exceptions=EXPECTED)
    def register_upload(self, actor, client_id, payload):
        store = self._store()
        if not store.head(payload["blob_key"]).startswith(b"%PDF"):
            store.delete(payload["blob_key"])
            raise InvalidInput("file_type_refused", "This kind of file cannot be uploaded.",
                               {"file": ["Only PDF, JPEG, PNG, HEIC or Word files."]})
        if payload["filename"] == "slow.pdf":   # charts is busy (a virus scan, say)
            eventlet.sleep(self.SLOW_SECONDS)
            DocumentCharts.slow_calls.append(payload)
        # as charts: one document per upload id, however often it is asked
        doc_id = next((d for d, p in DocumentCharts.docs.items()
                       if p.get("upload_id") == payload.get("upload_id")), str(uuid.uuid4()))
        DocumentCharts.docs[doc_id] = DocumentCharts.docs.get(doc_id, payload)
        return {"id": doc_id, "kind": "upload", "title": payload["filename"],
                "filename": payload["filename"], "content_type": "application/pdf",
                "size": payload["size"], "client_id": client_id, "contact_id": None,
                "type_id": None, "status": "available", "uploaded_by_kind": "client",
                "uploaded_by_id": actor["id"], "created_at": "2026-01-01T00:00:00+00:00"}

    @rpc(expected_exceptions=EXPECTED)
    def get_document_for_download(self, actor, document_id):
        payload = DocumentCharts.docs.get(document_id)
        if payload is None or client_id_of(actor) is None:
            raise NotFound("not_found", "That document does not exist.")
        return {"document_id": document_id, "blob_key": payload["blob_key"],
                "sha256": payload["sha256"], "filename": "card front.pdf",
                "content_type": "application/pdf", "size": payload["size"]}

    @rpc(expected_exceptions=EXPECTED)
    def save_tab(self, actor, client_id, tab, payload):
        return {"tab": tab, "version": 2, "values": payload, "updated_at": None,
                "editable": True, "read_only_reason": None}


def client_id_of(actor):
    return next(iter(actor.get("clients") or {}), None)


@pytest.fixture
def gateway(container_factory, base_config, start_gateway, tmp_path):  # noqa: F811
    return start_stack(container_factory, base_config, start_gateway, tmp_path)


def start_stack(container_factory, base_config, start_gateway, tmp_path):  # noqa: F811
    State.revoked.clear()
    State.records.clear()
    blob_dir = tmp_path / "blobs"
    DocumentCharts.blob_dir = str(blob_dir)
    DocumentCharts.docs = {}
    config = dict(base_config, BLOB_DIR=str(blob_dir))
    for cls in (FakeIdentity, DocumentCharts, FakeNotify, FakeScheduling):
        container_factory(cls, config).start()
    base_config["BLOB_DIR"] = str(blob_dir)   # the gateway writes to the same folder
    url = start_gateway()
    return url, blobstore.LocalBlobStore(blob_dir)


@pytest.fixture
def impatient_gateway(container_factory, base_config, start_gateway, tmp_path):  # noqa: F811
    """As `gateway`, waiting at most 1 s for charts."""
    base_config["RPC_TIMEOUT"] = 1.0
    DocumentCharts.slow_calls = []
    return start_stack(container_factory, base_config, start_gateway, tmp_path)


def test_an_unanswered_registration_leaves_the_file_for_the_document_charts_commits_later(
        impatient_gateway):
    """The gateway stops waiting before charts commits: it must not delete the blob that
    the late document names. It asks once more with the same upload id (one document),
    then answers 503 for the person to try again."""
    url, store = impatient_gateway
    r = post_file(url, PDF, name="slow.pdf")
    assert r.status_code == 503 and r.json()["error"] == "upload_unconfirmed", r.text
    assert "try again" in r.json()["message"]
    calls = wait_for(lambda: len(DocumentCharts.slow_calls) == 2 and DocumentCharts.slow_calls,
                     timeout=10)
    assert calls and calls[0]["upload_id"] == calls[1]["upload_id"]
    [payload] = DocumentCharts.docs.values()                 # one document, not two
    [blob] = left_in(store)
    assert payload["blob_key"].endswith(blob.name) and blob.read_bytes() == PDF


def left_in(store):
    return [p for p in store.root.rglob("*") if p.is_file()]


def post_file(url, content, name="scan.pdf", **kwargs):
    return requests.post(url + "/api/v1/me/uploads", headers=CLIENT, timeout=30,
                         files={"file": (name, content, "application/pdf")}, **kwargs)


def test_a_pdf_larger_than_the_json_limit_uploads_and_downloads(gateway):
    url, store = gateway
    r = post_file(url, PDF)  # 200 KB; the JSON limit of this gateway is 64 KB
    assert r.status_code == 201, r.text
    assert len(left_in(store)) == 1
    got = requests.get(f"{url}/api/v1/documents/{r.json()['id']}/download", headers=CLIENT,
                       timeout=10)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"card front.pdf\"; filename*=UTF-8''card%20front.pdf")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "no-store"
    # a JSON body of the same size is still refused by the general limit
    r = requests.patch(url + "/api/v1/me/chart/details", headers=CLIENT, timeout=10,
                       json={"version": 1, "extra": {"note": "x" * 100_000}})
    assert r.status_code == 413


@pytest.mark.parametrize("content,name,code", [
    (b"<!doctype html><h1>not a pdf</h1>", "invoice.pdf", "file_type_refused"),
    (b"MZ\x90\x00\x03" + b"\x00" * 4000, "setup.exe", "file_type_refused"),
    (b"", "empty.pdf", "empty_file"),
])
def test_hostile_files_are_refused_and_leave_nothing(gateway, content, name, code):
    url, store = gateway
    r = post_file(url, content, name)
    assert r.status_code == 422 and r.json()["error"] == code, r.text
    assert r.json()["message"] and "file" in r.json()["fields"]
    assert left_in(store) == []


def test_a_name_with_path_separators_and_control_characters(gateway):
    url, store = gateway
    r = post_file(url, PDF, "..\\..\\/etc/pass\x07wd\r\n.pdf")
    assert r.status_code == 201, r.text
    # the blob's path is the store's own key; nothing was written outside it
    assert all(p.parent.parent.parent == store.root for p in left_in(store))


def multipart_stream(size, piece=256 * 1024):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF").encode()
    size -= 4
    while size > 0:
        n = min(size, piece)
        yield b"z" * n
        size -= n
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_26_mb_streamed_from_a_generator_is_413_and_leaves_nothing(gateway):
    url, store = gateway
    r = requests.post(url + "/api/v1/me/uploads", headers=dict(
        CLIENT, **{"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}),
        data=multipart_stream(26 * 1024 * 1024), timeout=60)  # chunked: no Content-Length
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "file_too_large" and "25 MB" in r.json()["message"]
    assert left_in(store) == []
    # just under the limit, streamed the same way, is fine
    r = requests.post(url + "/api/v1/me/uploads", headers=dict(
        CLIENT, **{"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}),
        data=multipart_stream(25 * 1024 * 1024), timeout=60)
    assert r.status_code == 201, r.text
    assert r.json()["size"] == 25 * 1024 * 1024


def test_a_declared_26_mb_body_is_413_before_it_is_read(gateway):
    url, store = gateway
    r = post_file(url, PDF + b"z" * (26 * 1024 * 1024))
    assert r.status_code == 413 and left_in(store) == []


def test_a_request_cut_off_mid_upload_leaves_nothing(gateway):
    url, store = gateway
    host = urlparse(url)
    body_head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"cut.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF").encode()
    declared = 5 * 1024 * 1024
    with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
        sock.sendall((f"POST /api/v1/me/uploads HTTP/1.1\r\nHost: {host.netloc}\r\n"
                      f"Authorization: {CLIENT['Authorization']}\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {declared}\r\n\r\n").encode() + body_head)
        for _ in range(16):  # 1 MB of the 5 promised, then the client goes away
            sock.sendall(b"z" * 65536)
        time.sleep(0.3)      # the store has written part of it by now
    assert wait_for(lambda: left_in(store) == [], timeout=5), left_in(store)
    # the gateway is fine afterwards
    assert post_file(url, PDF).status_code == 201


def test_a_blob_altered_at_rest_is_refused(gateway):
    url, store = gateway
    doc = post_file(url, PDF).json()["id"]
    blob = left_in(store)[0]
    blob.write_bytes(PDF.replace(b"q", b"Q", 1))
    r = requests.get(f"{url}/api/v1/documents/{doc}/download", headers=CLIENT, timeout=10)
    assert r.status_code == 409 and r.json()["error"] == "document_damaged"


def test_a_tab_save_crosses_rabbitmq(gateway):
    url, _ = gateway
    r = requests.patch(url + "/api/v1/me/chart/communication", headers=CLIENT, timeout=10,
                       json={"email_ok": False, "version": 1})
    assert r.status_code == 200 and r.json()["values"] == {"email_ok": False, "version": 1}
