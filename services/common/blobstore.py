"""The blob store: where files live, so that they never travel over RabbitMQ.

A small interface with two implementations chosen by configuration (`BLOB_STORE` in the
nameko config, else the environment `HAVEN_BLOB_STORE`):

- `local` (default): a folder, `BLOB_DIR` / `HAVEN_BLOB_DIR`, default `$HAVEN_VAR_DIR/blobs`.
- `s3`: any S3-compatible store through boto3: `S3_BUCKET` / `HAVEN_S3_BUCKET`,
  `S3_ENDPOINT_URL` / `HAVEN_S3_ENDPOINT_URL` (MinIO, Ceph…), `S3_REGION` /
  `HAVEN_S3_REGION`; credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID…).

Writes stream from a file-like object in chunks while computing SHA-256, so a 25 MB upload
never sits whole in memory; a write that passes `max_size` is aborted and leaves nothing.
`open(key, sha256)` verifies the content against the SHA-256 recorded at write time and
raises `BlobIntegrityError` if the blob was altered at rest. `list_older_than` finds
blobs to compare against the owner's rows, so blobs whose row never committed can be
removed (the owner decides what is an orphan: the store knows no rows).

Keys are `<namespace>/<32 hex>`; the store makes them, callers never choose a path.
"""
import hashlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

CHUNK = 64 * 1024
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}/[0-9a-f]{32}$")


class BlobError(Exception):
    """Base of the blob store's errors (local to the process that uses the store)."""


class BlobNotFound(BlobError):
    pass


class BlobIntegrityError(BlobError):
    """The blob's content no longer matches the SHA-256 recorded when it was written."""


class BlobTooLarge(BlobError):
    """The stream passed `max_size`; nothing was kept."""


class BadBlobKey(BlobError):
    pass


@dataclass(frozen=True)
class BlobInfo:
    key: str
    sha256: str
    size: int


def check_key(key):
    """Keys come back from callers (RPC payloads): only the store's own shape is accepted,
    so a key can never name a path outside the store."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise BadBlobKey("not a blob key")
    return key


def new_key(namespace):
    if not _NAMESPACE.match(namespace or ""):
        raise BadBlobKey("bad namespace")
    return f"{namespace}/{uuid.uuid4().hex}"


def _chunks(fileobj, chunk_size=CHUNK):
    while True:
        block = fileobj.read(chunk_size)
        if not block:
            return
        yield block


class BlobStore:
    """The interface. Implementations stream; none reads a whole blob into memory.

    `blocks_hub`: True when the store's I/O blocks the process (disk reads), so a
    service under eventlet runs long reads (verifying a whole blob) in a native thread
    (`eventlet.tpool`); False when it already cooperates with the hub (green sockets)."""

    blocks_hub = True

    def put(self, fileobj, namespace="blobs", max_size=None):
        """Store what `fileobj.read()` yields; returns BlobInfo(key, sha256, size).
        BlobTooLarge (and nothing kept) past `max_size` bytes."""
        raise NotImplementedError

    def head(self, key, length=8192):
        """The first `length` bytes (for sniffing the type by content)."""
        raise NotImplementedError

    def size(self, key):
        raise NotImplementedError

    def open(self, key, sha256):
        """A readable binary file object of the blob, verified against `sha256` first;
        BlobIntegrityError if it does not match. The caller closes it."""
        raise NotImplementedError

    def verify(self, key, sha256):
        """True when the stored content still has this SHA-256 (streamed, not loaded)."""
        with self.open(key, sha256):
            return True

    def delete(self, key):
        """Remove the blob; removing a missing blob is not an error."""
        raise NotImplementedError

    def list_older_than(self, namespace, minutes):
        """Keys in `namespace` written more than `minutes` ago (orphan sweep candidates)."""
        raise NotImplementedError


class LocalBlobStore(BlobStore):
    """A folder: `<root>/<namespace>/<aa>/<key hex>`. Writes go to a temporary file in
    the same folder and are renamed into place, so a blob is never seen half-written."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key):
        namespace, name = check_key(key).split("/")
        return self.root / namespace / name[:2] / name

    def put(self, fileobj, namespace="blobs", max_size=None):
        key = new_key(namespace)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                for block in _chunks(fileobj):
                    size += len(block)
                    if max_size is not None and size > max_size:
                        raise BlobTooLarge("the file is larger than allowed")
                    digest.update(block)
                    out.write(block)
            os.replace(tmp, path)
        except BaseException:
            # a refused or cut-off upload leaves nothing behind
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return BlobInfo(key=key, sha256=digest.hexdigest(), size=size)

    def head(self, key, length=8192):
        try:
            with open(self._path(key), "rb") as blob:
                return blob.read(length)
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def size(self, key):
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def open(self, key, sha256):
        try:
            blob = open(self._path(key), "rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        # hash through the same open file: what is verified is what is read next
        digest = hashlib.sha256()
        for block in _chunks(blob):
            digest.update(block)
        if digest.hexdigest() != sha256:
            blob.close()
            raise BlobIntegrityError(key)
        blob.seek(0)
        return blob

    def delete(self, key):
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def list_older_than(self, namespace, minutes):
        if not _NAMESPACE.match(namespace or ""):
            raise BadBlobKey("bad namespace")
        folder = self.root / namespace
        if not folder.exists():
            return []
        cutoff = (datetime.now(timezone.utc) - timedelta(minutes=minutes)).timestamp()
        keys = []
        for path in folder.glob("*/*"):
            if path.name.startswith(".part-"):
                # an abandoned temporary file (a crashed writer) is swept as well
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                continue
            if path.stat().st_mtime < cutoff:
                keys.append(f"{namespace}/{path.name}")
        return sorted(keys)


class S3BlobStore(BlobStore):
    """An S3-compatible bucket. Uploads are multipart through a reader that hashes and
    counts what passes; boto3's managed transfer runs with no threads of its own and
    `PART_SIZE` parts (S3's smallest), so at most one part of an upload is in memory.
    The SHA-256 is not stored with the object: it is known only once the last part has
    passed, and the owner's row records it (the row is what `open` checks against).
    `open` downloads into a spooled temporary file (on disk past 1 MB) while hashing, and
    hands back that verified copy.

    The boto3 client is made on first use, so making the store (at a service's start)
    needs neither the network nor TLS set up."""

    # S3's smallest multipart part; a stream up to this size goes in one PUT
    PART_SIZE = 5 * 1024 * 1024
    # network I/O through eventlet's green sockets: it yields to the hub by itself, and
    # those sockets must not be used from a native (tpool) thread
    blocks_hub = False

    def __init__(self, bucket, client=None, endpoint_url=None, region=None):
        self._client = client
        self.endpoint_url, self.region = endpoint_url, region
        self.bucket = bucket

    @property
    def client(self):
        if self._client is None:
            import boto3
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url,
                                        region_name=self.region)
        return self._client

    def _transfer_config(self):
        from boto3.s3.transfer import TransferConfig
        return TransferConfig(use_threads=False, multipart_threshold=self.PART_SIZE,
                              multipart_chunksize=self.PART_SIZE)

    class _HashingReader:
        def __init__(self, fileobj, max_size):
            self.fileobj, self.max_size = fileobj, max_size
            self.digest, self.size = hashlib.sha256(), 0

        def read(self, amount=-1):
            block = self.fileobj.read(CHUNK if amount is None or amount < 0 else amount)
            self.size += len(block)
            if self.max_size is not None and self.size > self.max_size:
                raise BlobTooLarge("the file is larger than allowed")
            self.digest.update(block)
            return block

    def put(self, fileobj, namespace="blobs", max_size=None):
        key = new_key(namespace)
        reader = self._HashingReader(fileobj, max_size)
        try:
            self.client.upload_fileobj(reader, self.bucket, key,
                                       Config=self._transfer_config())
        except BaseException:
            self.delete(key)
            raise
        return BlobInfo(key=key, sha256=reader.digest.hexdigest(), size=reader.size)

    def _missing(self, exc):
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        return code in ("404", "NoSuchKey", "NotFound")

    def head(self, key, length=8192):
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=check_key(key),
                                           Range=f"bytes=0-{length - 1}")
        except Exception as exc:
            if self._missing(exc):
                raise BlobNotFound(key) from None
            raise
        return reply["Body"].read(length)

    def size(self, key):
        try:
            return self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"]
        except Exception as exc:
            if self._missing(exc):
                raise BlobNotFound(key) from None
            raise

    def open(self, key, sha256):
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except Exception as exc:
            if self._missing(exc):
                raise BlobNotFound(key) from None
            raise
        copy = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
        digest = hashlib.sha256()
        for block in _chunks(reply["Body"]):
            digest.update(block)
            copy.write(block)
        if digest.hexdigest() != sha256:
            copy.close()
            raise BlobIntegrityError(key)
        copy.seek(0)
        return copy

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def list_older_than(self, namespace, minutes):
        if not _NAMESPACE.match(namespace or ""):
            raise BadBlobKey("bad namespace")
        cutoff = datetime.now(timezone.utc) - timedelta(minutes=minutes)
        keys = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{namespace}/"):
            for item in page.get("Contents", []):
                if item["LastModified"] < cutoff and _KEY.match(item["Key"]):
                    keys.append(item["Key"])
        return sorted(keys)


def _setting(config, name, env_name, default=None):
    from services.common.config import env
    value = (config or {}).get(name)
    return value if value not in (None, "") else env(env_name, default)


def from_config(config=None):
    """The store the configuration names (see the module's docstring)."""
    kind = _setting(config, "BLOB_STORE", "HAVEN_BLOB_STORE", "local")
    if kind == "local":
        root = _setting(config, "BLOB_DIR", "HAVEN_BLOB_DIR")
        if not root:
            from services.common.config import var_dir
            root = var_dir() / "blobs"
        return LocalBlobStore(root)
    if kind == "s3":
        bucket = _setting(config, "S3_BUCKET", "HAVEN_S3_BUCKET")
        if not bucket:
            raise ValueError("BLOB_STORE=s3 needs S3_BUCKET")
        return S3BlobStore(bucket,
                           endpoint_url=_setting(config, "S3_ENDPOINT_URL", "HAVEN_S3_ENDPOINT_URL"),
                           region=_setting(config, "S3_REGION", "HAVEN_S3_REGION"))
    raise ValueError(f"unknown BLOB_STORE {kind!r}")


try:
    from nameko.extensions import DependencyProvider
except ImportError:  # pragma: no cover - nameko is everywhere Haven runs
    DependencyProvider = object


class BlobStoreProvider(DependencyProvider):
    """`self.blobs` of a nameko service: the store `from_config` names (local folder by
    default, S3-compatible when BLOB_STORE=s3). One instance per container."""

    def __init__(self, store=None):
        self.store = store

    def setup(self):
        if self.store is None:
            self.store = from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.store
