"""The S3 blob store through real boto3 against a real S3-compatible server (moto's, on a
free loopback port for this module), alone and under the charts service."""
import hashlib
import io
import uuid

import pytest

from scripts.infra import PrivateS3
from services.common.blobstore import (BlobIntegrityError, BlobNotFound, BlobTooLarge,
                                       S3BlobStore)
from tests.unit.common.test_blobstore import Stream

BUCKET = "haven-test"


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    with PrivateS3(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    """boto3's credential chain, pointed at nothing real (the server takes any key)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "haven-test", "AWS_SECRET_ACCESS_KEY": "x",
                        "AWS_SESSION_TOKEN": "", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def store(s3_env):
    store = S3BlobStore(BUCKET, endpoint_url=s3_env.endpoint_url, region="us-east-1")
    try:
        store.client.create_bucket(Bucket=BUCKET)
    except store.client.exceptions.BucketAlreadyOwnedByYou:
        pass
    return store


def test_a_streamed_multipart_put_reads_one_part_at_a_time_and_verifies(store):
    size = 2 * S3BlobStore.PART_SIZE + 123          # three parts
    stream = Stream(size, byte=b"q")
    info = store.put(stream, namespace="charts")
    assert info.size == size == store.size(info.key)
    assert info.sha256 == hashlib.sha256(b"q" * size).hexdigest()
    assert stream.largest_read <= S3BlobStore.PART_SIZE
    assert store.head(info.key, 4) == b"qqqq"
    with store.open(info.key, info.sha256) as blob:
        digest = hashlib.sha256()
        for block in iter(lambda: blob.read(1024 * 1024), b""):
            digest.update(block)
    assert digest.hexdigest() == info.sha256
    assert store.verify(info.key, info.sha256)
    store.delete(info.key)
    store.delete(info.key)
    with pytest.raises(BlobNotFound):
        store.open(info.key, info.sha256)


def test_a_blob_altered_at_rest_is_refused(store):
    info = store.put(io.BytesIO(b"%PDF-1.7 original"), namespace="charts")
    store.client.put_object(Bucket=BUCKET, Key=info.key, Body=b"%PDF-1.7 tampered")
    with pytest.raises(BlobIntegrityError):
        store.open(info.key, info.sha256)
    with pytest.raises(BlobIntegrityError):
        store.verify(info.key, info.sha256)


def test_too_large_leaves_nothing_in_the_bucket(store):
    namespace = f"t{uuid.uuid4().hex[:8]}"
    with pytest.raises(BlobTooLarge):
        store.put(Stream(S3BlobStore.PART_SIZE + 10), namespace=namespace,
                  max_size=S3BlobStore.PART_SIZE + 1)
    assert store.list_older_than(namespace, -1) == []
    uploads = store.client.list_multipart_uploads(Bucket=BUCKET, Prefix=namespace)
    assert uploads.get("Uploads", []) == []


def test_charts_registers_serves_and_guards_uploads_kept_in_s3(
        store, container_factory, amqp_uri, database_url_factory):
    """The charts service in a real (eventlet) container with BLOB_STORE=s3: a whole-blob
    read runs on the worker's green thread, over the same boto3 client the RPCs use."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from services.charts.service import ChartsService
    from services.common.errors import Conflict
    from services.common.migrations import upgrade
    from tests.integration.charts.support import PDF, STAFF, me, put

    database_url = database_url_factory("sqlite")
    upgrade("charts", database_url)
    charts = container_factory(ChartsService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "OUTBOX_POLL_SECONDS": 0.2,
        "BLOB_STORE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": store.endpoint_url,
        "S3_REGION": "us-east-1"})
    charts.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
        rpc.charts.update_settings(STAFF, {"client_uploads_enabled": True})
        client_id = rpc.charts.create_client(STAFF, {"first_name": "Sam", "last_name": "Ito"})["id"]
        docs = [rpc.charts.register_upload(me(client_id), client_id, put(store, PDF + bytes([n])))
                for n in range(3)]
        assert [d["status"] for d in docs] == ["available"] * 3
        found = rpc.charts.get_document_for_download(me(client_id), docs[0]["id"])
        with store.open(found["blob_key"], found["sha256"]) as blob:
            assert blob.read() == PDF + bytes([0])

        store.client.put_object(Bucket=BUCKET, Key=found["blob_key"], Body=b"%PDF-1.7 altered")
        with pytest.raises(Conflict) as exc:
            rpc.charts.get_document_for_download(me(client_id), docs[0]["id"])
        assert exc.value.code == "document_damaged"
        assert rpc.charts.report_integrity_failure(STAFF, docs[1]["id"]) == {
            "document_id": docs[1]["id"], "damaged": False}
