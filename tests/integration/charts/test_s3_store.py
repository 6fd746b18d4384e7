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
