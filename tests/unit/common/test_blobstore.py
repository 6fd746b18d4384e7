"""The blob store: streaming writes with SHA-256, verification on read, orphans."""
import hashlib
import io
import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from services.common import blobstore
from services.common.blobstore import (BadBlobKey, BlobIntegrityError, BlobNotFound,
                                       BlobTooLarge, LocalBlobStore, S3BlobStore)


class Stream(io.RawIOBase):
    """`size` bytes produced on demand: never held in memory at once."""

    def __init__(self, size, byte=b"x"):
        self.left, self.byte, self.largest_read = size, byte, 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.largest_read = max(self.largest_read, n)
        self.left -= n
        return self.byte * n


class FakeS3:
    """Just the calls S3BlobStore makes."""

    class _Missing(Exception):
        response = {"Error": {"Code": "NoSuchKey"}}

    def __init__(self):
        self.objects = {}

    def upload_fileobj(self, fileobj, bucket, key, Config=None):
        self.transfer_config = Config
        parts = []
        while True:
            block = fileobj.read(8 * 1024 * 1024)
            if not block:
                break
            parts.append(block)
        self.objects[key] = (b"".join(parts), datetime.now(timezone.utc))

    def get_object(self, Bucket, Key, Range=None):
        if Key not in self.objects:
            raise self._Missing()
        data = self.objects[Key][0]
        if Range:
            start, end = Range.split("=")[1].split("-")
            data = data[int(start):int(end) + 1]
        return {"Body": io.BytesIO(data)}

    def head_object(self, Bucket, Key):
        if Key not in self.objects:
            raise self._Missing()
        return {"ContentLength": len(self.objects[Key][0])}

    def delete_object(self, Bucket, Key):
        self.objects.pop(Key, None)

    def get_paginator(self, name):
        store = self

        class P:
            def paginate(self, Bucket, Prefix):
                yield {"Contents": [{"Key": k, "LastModified": t}
                                    for k, (_, t) in store.objects.items() if k.startswith(Prefix)]}
        return P()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return S3BlobStore("bucket", client=FakeS3())


def test_put_streams_in_chunks_and_records_sha256(store):
    stream = Stream(3 * 1024 * 1024 + 5)
    info = store.put(stream, namespace="charts")
    assert info.size == 3 * 1024 * 1024 + 5
    assert info.sha256 == hashlib.sha256(b"x" * info.size).hexdigest()
    assert info.key.startswith("charts/") and store.size(info.key) == info.size
    if isinstance(store, LocalBlobStore):
        assert stream.largest_read <= blobstore.CHUNK
    else:  # boto3 reads one part at a time, with no threads of its own (real S3: integration)
        config = store.client.transfer_config
        assert not config.use_threads
        assert config.multipart_chunksize == config.multipart_threshold == S3BlobStore.PART_SIZE


def test_open_verifies_and_returns_the_content(store):
    info = store.put(io.BytesIO(b"%PDF-1.7 hello"), namespace="charts")
    assert store.head(info.key, 4) == b"%PDF"
    with store.open(info.key, info.sha256) as blob:
        assert blob.read() == b"%PDF-1.7 hello"
    assert store.verify(info.key, info.sha256)


def test_an_altered_blob_raises_an_integrity_error(store, tmp_path):
    info = store.put(io.BytesIO(b"original"), namespace="charts")
    if isinstance(store, LocalBlobStore):
        store._path(info.key).write_bytes(b"tampered")
    else:
        store.client.objects[info.key] = (b"tampered", datetime.now(timezone.utc))
    with pytest.raises(BlobIntegrityError):
        store.open(info.key, info.sha256)


def test_too_large_leaves_nothing(store, tmp_path):
    with pytest.raises(BlobTooLarge):
        store.put(Stream(1024 * 1024 + 1), namespace="charts", max_size=1024 * 1024)
    assert store.list_older_than("charts", -1) == []
    if isinstance(store, LocalBlobStore):
        assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]


def test_delete_and_missing(store):
    info = store.put(io.BytesIO(b"abc"), namespace="charts")
    store.delete(info.key)
    store.delete(info.key)  # idempotent
    with pytest.raises(BlobNotFound):
        store.open(info.key, info.sha256)
    with pytest.raises(BlobNotFound):
        store.head(info.key)


@pytest.mark.parametrize("key", ["../etc/passwd", "charts/../../x", "/abs/path", "charts/ZZ",
                                 "charts/" + "a" * 31, None, "charts/" + "a" * 32 + "/x"])
def test_keys_that_are_not_the_stores_own_are_refused(store, key):
    with pytest.raises(BadBlobKey):
        store.head(key)


def test_list_older_than_finds_old_blobs_only(tmp_path):
    store = LocalBlobStore(tmp_path)
    old = store.put(io.BytesIO(b"old"), namespace="charts")
    new = store.put(io.BytesIO(b"new"), namespace="charts")
    other = store.put(io.BytesIO(b"x"), namespace="messaging")
    past = time.time() - 3600
    os.utime(store._path(old.key), (past, past))
    os.utime(store._path(other.key), (past, past))
    assert store.list_older_than("charts", 30) == [old.key]
    assert new.key not in store.list_older_than("charts", 30)


def test_s3_lists_old_keys():
    client = FakeS3()
    store = S3BlobStore("bucket", client=client)
    info = store.put(io.BytesIO(b"x"), namespace="charts")
    assert store.list_older_than("charts", 30) == []
    client.objects[info.key] = (b"x", datetime.now(timezone.utc) - timedelta(hours=1))
    assert store.list_older_than("charts", 30) == [info.key]


def test_from_config_chooses_the_backend(tmp_path):
    assert isinstance(blobstore.from_config({"BLOB_DIR": str(tmp_path)}), LocalBlobStore)
    with pytest.raises(ValueError):
        blobstore.from_config({"BLOB_STORE": "s3"})
    with pytest.raises(ValueError):
        blobstore.from_config({"BLOB_STORE": "ftp"})
    s3 = blobstore.from_config({"BLOB_STORE": "s3", "S3_BUCKET": "b",
                                "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_REGION": "us-east-1"})
    assert isinstance(s3, S3BlobStore) and s3.bucket == "b"
    assert s3.endpoint_url == "http://127.0.0.1:9" and s3.region == "us-east-1"
    # the boto3 client (and its TLS set-up) waits for the first use
    assert s3._client is None and not s3.blocks_hub


def test_the_s3_client_is_made_on_first_use(monkeypatch):
    import boto3
    made = []
    monkeypatch.setattr(boto3, "client", lambda *a, **kw: made.append((a, kw)) or FakeS3())
    store = S3BlobStore("b", endpoint_url="http://127.0.0.1:9", region="eu-west-1")
    assert made == []
    store.put(io.BytesIO(b"abc"), namespace="charts")
    store.head(store.list_older_than("charts", -1)[0])
    assert made == [(("s3",), {"endpoint_url": "http://127.0.0.1:9", "region_name": "eu-west-1"})]
