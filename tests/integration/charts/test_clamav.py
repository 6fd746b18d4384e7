"""Virus scanning against a real clamd (Debian's clamav-daemon): a private daemon for this
module on a free loopback port, with one signature of our own (the EICAR test string;
freshclam never runs), and charts and notify in real containers pointed at it through
CLAMD_ADDRESS."""
import io

import pytest

from scripts.infra import PrivateClamd
from services.charts import dependencies
from services.common.blobstore import LocalBlobStore
from services.common.errors import InvalidInput, NotFound
from tests.integration.charts.support import (PDF, STAFF, alerts, charts_and_notify, me, put,
                                              wait_for)

# assembled here so that the file itself never trips a scanner on a developer's machine
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
SIGNATURES = {"haven-test.ndb": f"Haven-Test-EICAR:0:*:{EICAR.hex()}\n"}


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    with PrivateClamd(tmp_path_factory.mktemp("clamd"), SIGNATURES) as daemon:
        yield daemon


def test_the_real_daemon_finds_our_signature_only(clamd):
    scanner = dependencies.ClamdScanner(address=clamd.address, timeout=10)
    assert scanner.scan(io.BytesIO(PDF * 100)).clean
    verdict = scanner.scan(io.BytesIO(PDF + EICAR + PDF))
    assert not verdict.clean and verdict.signature.startswith("Haven-Test-EICAR")


@pytest.fixture
def stack(clamd, container_factory, amqp_uri, database_url_factory, tmp_path):
    blob_dir = tmp_path / "blobs"
    with charts_and_notify(container_factory, amqp_uri, database_url_factory("sqlite"),
                           database_url_factory("sqlite"), blob_dir, timeout=20,
                           charts_config={"CLAMD_ADDRESS": clamd.address,
                                          "CLAMD_TIMEOUT": 10}) as (proxy, _):
        yield proxy, LocalBlobStore(blob_dir)


def test_a_clean_upload_is_accepted_and_an_infected_one_quarantined(stack):
    rpc, blobs = stack
    rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True})
    client_id = rpc.charts.create_client(STAFF, {"first_name": "Eli", "last_name": "Moss"})["id"]
    client = me(client_id)

    clean = rpc.charts.register_upload(client, client_id, put(blobs))
    assert clean["status"] == "available"
    assert rpc.charts.get_document_for_download(client, clean["id"])["sha256"]

    infected = put(blobs, PDF + EICAR, name="statement.pdf")
    with pytest.raises(InvalidInput) as exc:
        rpc.charts.register_upload(client, client_id, infected)
    assert exc.value.code == "file_infected"
    listed = rpc.charts.list_documents(client, {"client_id": client_id})
    assert [d["id"] for d in listed] == [clean["id"]]
    [quarantined] = [d for d in rpc.charts.list_documents(STAFF, {"client_id": client_id})
                     if d["status"] == "quarantined"]
    with pytest.raises(NotFound):
        rpc.charts.get_document_for_download(client, quarantined["id"])

    # staff hear of it through the real path: document.quarantined → notify's alert
    [alert] = wait_for(lambda: alerts(rpc, client_id, "document_quarantined"), timeout=20)
    assert "Haven-Test" not in str(alert) and "statement" not in str(alert)
