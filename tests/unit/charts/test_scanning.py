"""The ClamAV INSTREAM client against a stand-in clamd on loopback, and what charts does
with an infected file or a scanner that does not answer."""
import io
import socket
import struct

import eventlet
import pytest
from nameko.testing.services import worker_factory

from services.charts import dependencies
from services.charts.models import Document, Outbox
from services.charts.service import ChartsService
from services.common.blobstore import LocalBlobStore
from services.common.errors import InvalidInput, NotFound, Unavailable
from tests.unit.charts.test_service import STAFF, MemoryDb
from tests.unit.charts.test_service_tabs import ADMIN, PDF, me, put

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """Speaks just INSTREAM: FOUND when the stream holds the EICAR test string."""

    def __init__(self):
        self.server = eventlet.listen(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.largest_chunk = 0
        self.thread = eventlet.spawn(self._serve)

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise EOFError
            data += part
        return data

    def _serve(self):
        while True:
            conn, _ = self.server.accept()
            with conn:
                assert self._read(conn, 10) == b"zINSTREAM\0"
                received = b""
                while True:
                    (length,) = struct.unpack("!L", self._read(conn, 4))
                    if length == 0:
                        break
                    self.largest_chunk = max(self.largest_chunk, length)
                    received += self._read(conn, length)
                found = EICAR in received
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found
                             else b"stream: OK\0")

    def stop(self):
        self.thread.kill()
        self.server.close()


@pytest.fixture
def clamd():
    server = FakeClamd()
    yield server
    server.stop()


def test_instream_client_reports_clean_and_found(clamd):
    scanner = dependencies.ClamdScanner(address=f"127.0.0.1:{clamd.port}", timeout=5)
    assert scanner.scan(io.BytesIO(b"x" * 200_000)).clean
    verdict = scanner.scan(io.BytesIO(b"%PDF-1.7 " + EICAR))
    assert not verdict.clean and verdict.signature == "Eicar-Test-Signature"
    assert clamd.largest_chunk <= dependencies.CHUNK


def test_replies_and_configuration():
    assert dependencies.parse_reply(b"stream: OK\0").clean
    with pytest.raises(dependencies.ScanUnavailable):
        dependencies.parse_reply(b"INSTREAM size limit exceeded. ERROR\0")
    assert not dependencies.from_config({}).enabled
    assert dependencies.from_config({"CLAMD_SOCKET": "/run/clamav/clamd.ctl"}).unix_socket
    with pytest.raises(dependencies.ScanUnavailable):
        dependencies.ClamdScanner(address="127.0.0.1:1", timeout=1).scan(io.BytesIO(b"x"))


@pytest.fixture
def blobs(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


def service_with(scanner, blobs):
    db = MemoryDb()
    service = worker_factory(ChartsService, db=db, blobs=blobs, config={}, scanner=scanner)
    client_id = service.create_client(STAFF, {"first_name": "Bo", "last_name": "Ng"})["id"]
    service.update_settings(ADMIN, {"client_uploads_enabled": True})
    return service, db, client_id


def test_an_infected_upload_is_quarantined_refused_and_staff_alerted(clamd, blobs):
    scanner = dependencies.ClamdScanner(address=f"127.0.0.1:{clamd.port}", timeout=5)
    service, db, client_id = service_with(scanner, blobs)
    clean = service.register_upload(me(client_id), client_id, put(blobs))
    assert clean["status"] == "available"
    with pytest.raises(InvalidInput) as exc:
        service.register_upload(me(client_id), client_id, put(blobs, PDF + EICAR))
    assert exc.value.code == "file_infected"
    [doc] = [d for d in db.all(Document) if d.status == "quarantined"]
    types = [o.type for o in db.all(Outbox)]
    assert "document.quarantined" in types and types.count("document.uploaded") == 1
    assert [d["id"] for d in service.list_documents(me(client_id), {"client_id": client_id})] \
        == [clean["id"]]
    with pytest.raises(NotFound):
        service.get_document_for_download(me(client_id), doc.id)


def test_a_scanner_that_does_not_answer_refuses_the_file_and_removes_it(blobs):
    scanner = dependencies.ClamdScanner(address="127.0.0.1:1", timeout=1)
    service, db, client_id = service_with(scanner, blobs)
    with pytest.raises(Unavailable) as exc:
        service.register_upload(me(client_id), client_id, put(blobs))
    assert exc.value.code == "scanner_unavailable"
    assert db.all(Document) == [] and blobs.list_older_than("charts", -1) == []


def test_a_shared_infected_document_is_quarantined_like_an_upload(clamd, blobs):
    scanner = dependencies.ClamdScanner(address=f"127.0.0.1:{clamd.port}", timeout=5)
    service, db, client_id = service_with(scanner, blobs)
    with pytest.raises(InvalidInput) as exc:
        service.share_document(ADMIN, dict(put(blobs, PDF + EICAR), client_id=client_id))
    assert exc.value.code == "file_infected"
    [doc] = db.all(Document)
    assert doc.status == "quarantined" and doc.kind == "shared"
    types = [o.type for o in db.all(Outbox)]
    assert "document.quarantined" in types and "document.shared" not in types
    assert service.list_documents(me(client_id), {"client_id": client_id}) == []
    with pytest.raises(NotFound):
        service.get_document_for_download(me(client_id), doc.id)
