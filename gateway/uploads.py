"""Files through the gateway: multipart uploads streamed into the blob store, and
downloads streamed out of it with their SHA-256 checked on the way.

Uploads. werkzeug's streaming form parser hands each file part to our `stream_factory`,
which returns a `BlobPipe`: what the parser writes goes through a small bounded queue to
`store.put()` running in a green thread of its own, so the file passes in 64 KB pieces
and never sits whole in memory, and the store hashes and counts it as it arrives. The
store refuses past 25 MB (`BlobTooLarge` → 413); a request that ends early (the person
closed the page, the network dropped) aborts the pipe and the store removes its
temporary file (→ 400). Either way nothing is left behind. Only after the whole request
was read does the caller register the blob with charts, under an upload id (the client's
`Idempotency-Key`, else a new uuid) that makes the registration idempotent. When charts
refuses (a 4xx) the blob is deleted here too (charts also deletes what it refuses; both
are idempotent). When charts does not answer in time the outcome is unknown — it may
still commit the row — so the blob is NOT deleted: the gateway asks once more with the
same upload id (never a second document), and if charts is still silent answers 503
`upload_unconfirmed`; a blob no row ever named is removed by charts' orphan sweep after
BLOB_ORPHAN_MINUTES. Nothing is lost, nothing dangles.

Downloads. charts says whether the person may have the document and checks its blob
(`get_document_for_download`); the gateway then opens it with `store.open(key, sha256)`,
which verifies again, and streams it while hashing a third time, holding back the last
piece until the digest matches: a blob altered between the check and the read is cut
short (the client sees an incomplete download, never a silently different file) and
reported to charts (`report_integrity_failure`), which alerts staff.
"""
import hashlib
import logging
import urllib.parse
import uuid

import eventlet
import eventlet.queue
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.wrappers import Response

from gateway import http
from services.common import blobstore, idempotency
from services.common.actor import Actor
from services.common.errors import Conflict, HavenError, InvalidInput, Unavailable

log = logging.getLogger("gateway.uploads")

MAX_FILE_BYTES = 25 * 1024 * 1024          # charts' limit (docs/charts.md)
# the multipart envelope and the few text parts around the file
FORM_OVERHEAD = 256 * 1024
# werkzeug counts its read buffer (64 KB pieces) against this too
MAX_FORM_FIELD_BYTES = 512 * 1024
MAX_FORM_PARTS = 12
NAMESPACE = "charts"
CHUNK = 64 * 1024
PIPE_DEPTH = 8                              # pieces in flight: at most 512 KB per upload
MAX_FILENAME = 1000


class TooLarge(HavenError):
    status = 413
    default_code = "file_too_large"
    message = "The file is larger than 25 MB. Upload a smaller file, or scan it at a lower " \
              "resolution."
    field_message = "Files can be at most 25 MB."

    def __init__(self):
        super().__init__("file_too_large", self.message, {"file": [self.field_message]})


def upload_incomplete():
    return InvalidInput("upload_incomplete", "The upload did not complete. Please upload the "
                        "file again.", {"file": ["The upload was cut off."]})


def no_file():
    return InvalidInput("file_required", "Choose a file to upload.",
                        {"file": ["Choose a file to upload."]})


def empty_file():
    return InvalidInput("empty_file", "The file is empty. Choose a file that has content.",
                        {"file": ["The file is empty."]})


def store_of(app):
    """The blob store the gateway's configuration names (the same folder or bucket as
    charts': BLOB_STORE / BLOB_DIR, else HAVEN_BLOB_* or $HAVEN_VAR_DIR/blobs)."""
    if app.blobs is None:
        app.blobs = blobstore.from_config(app.config)
    return app.blobs


# -- the pipe from the form parser to the store --------------------------------------------
_EOF = object()
_ABORT = object()


class _Aborted(Exception):
    """The request ended before the file did."""


class _PipeReader:
    """What store.put() reads: pieces from the queue until the end (or an abort)."""

    def __init__(self, queue):
        self.queue = queue
        self.buffer = b""
        self.done = False

    def read(self, size=-1):
        while not self.done and (size is None or size < 0 or len(self.buffer) < size):
            piece = self.queue.get()
            if piece is _ABORT:
                raise _Aborted()
            if piece is _EOF:
                self.done = True
                break
            self.buffer += piece
        if size is None or size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


class BlobPipe:
    """The file object werkzeug's parser writes a file part into (our stream_factory)."""

    def __init__(self, store, namespace=NAMESPACE, max_size=MAX_FILE_BYTES, too_large=TooLarge):
        self.store = store
        self.too_large_error = too_large
        self.queue = eventlet.queue.Queue(maxsize=PIPE_DEPTH)
        self.writer = eventlet.spawn(store.put, _PipeReader(self.queue), namespace, max_size)
        self.info = None
        self.closed = False
        self.too_large = False

    def write(self, data):
        data = bytes(data)
        while True:
            if self.writer.dead:       # the store stopped early: too large, disk full…
                self._outcome()
                raise RequestEntityTooLarge()  # not reached: _outcome raised its error
            try:
                self.queue.put(data, timeout=0.5)
                return len(data)
            except eventlet.queue.Full:
                continue

    def seek(self, offset, whence=0):
        # The parser seeks to 0 when the part ends: the file is complete.
        self.finish()
        return 0

    def finish(self):
        if self.info is None:
            self._put(_EOF)
            self.info = self._outcome()
        return self.info

    def abort(self):
        """The request failed: stop the store's write; it removes its temporary file."""
        if self.info is not None:
            self.store.delete(self.info.key)
            return
        if self.closed:
            return
        # pieces already queued reach the store first: past the limit, that is what it says
        self._put(_ABORT)
        try:
            self.writer.wait()
        except blobstore.BlobTooLarge:
            self.too_large = True
        except Exception:  # _Aborted, or the store failed: either way nothing is kept
            pass
        self.closed = True

    def _put(self, marker):
        while not self.writer.dead:
            try:
                self.queue.put(marker, timeout=0.5)
                return
            except eventlet.queue.Full:
                continue

    def _outcome(self):
        try:
            return self.writer.wait()
        except blobstore.BlobTooLarge:
            raise self.too_large_error() from None
        except _Aborted:
            raise upload_incomplete() from None
        finally:
            self.closed = True

    # the parser only writes; FileStorage may ask for these
    def read(self, size=-1):
        return b""

    def close(self):
        pass


def receive(ctx, form_schema, namespace=NAMESPACE, max_size=MAX_FILE_BYTES,
            too_large=TooLarge):
    """Stream the request's multipart body: (BlobInfo, file part's name and type, the
    text fields loaded with `form_schema`). Exactly one file part named `file`, stored
    under `namespace`, refused past `max_size` with `too_large` (a TooLarge subclass
    with its own sentence). Raises with nothing left in the store."""
    from services.common.schemas import load
    request = ctx.request
    if request.mimetype != "multipart/form-data":
        raise InvalidInput("multipart_required", "Send the file as multipart/form-data, in a "
                           "part named file.", {"file": ["Send the file in a part named file."]})
    # eventlet's wsgi reads chunked bodies to their end itself; werkzeug may then read
    # the stream (it still stops at max_content_length)
    http.accept_chunked(request.environ)
    store = store_of(ctx.app)
    pipes = []

    def stream_factory(total_content_length=None, content_type=None, filename=None,
                       content_length=None):
        if pipes:  # a second file: refuse without storing it
            raise InvalidInput("one_file_only", "Upload one file at a time.",
                               {"file": ["Upload one file at a time."]})
        pipes.append(BlobPipe(store, namespace, max_size, too_large))
        return pipes[-1]

    parser = FormDataParser(stream_factory=stream_factory,
                            max_form_memory_size=MAX_FORM_FIELD_BYTES,
                            max_content_length=request.max_content_length,
                            max_form_parts=MAX_FORM_PARTS, silent=False)
    try:
        try:
            # wrapped: never past Content-Length or the limit, nor past MAX_FORM_PARTS
            stream = PartCounter(request.stream, request.mimetype_params.get("boundary"))
            _, form, files = parser.parse(stream, request.mimetype, request.content_length,
                                          request.mimetype_params)
        except (ClientDisconnected, OSError, ValueError, EOFError):
            for pipe in pipes:
                pipe.abort()
            if any(pipe.too_large for pipe in pipes):
                raise too_large() from None
            raise upload_incomplete() from None
        if not pipes or "file" not in files:
            raise no_file()
        part = files["file"]
        info = pipes[0].finish()
        if not info.size:
            raise empty_file()
        fields = load(form_schema, {k: v for k, v in form.items()})
        return info, {"filename": _filename(part.filename), "content_type": part.mimetype
                      or None}, fields
    except BaseException as exc:
        for pipe in pipes:
            pipe.abort()
        if isinstance(exc, RequestEntityTooLarge):
            raise too_large() from None
        raise


class TooManyParts(HavenError):
    status = 413
    default_code = "too_many_parts"

    def __init__(self):
        super().__init__("too_many_parts", f"The form has too many parts: at most "
                         f"{MAX_FORM_PARTS}, the `file` part and the fields this address "
                         "takes.")


class PartCounter:
    """The body as werkzeug's parser reads it, counting multipart delimiters on the way:
    more parts than MAX_FORM_PARTS is `too_many_parts` as soon as it is seen (werkzeug's
    own limit says only "too large", like a file past its size)."""

    def __init__(self, stream, boundary):
        self.stream = stream
        self.delimiter = b"--" + (boundary or "").encode("latin-1", "replace")
        self.tail = b""
        self.seen = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        if data and len(self.delimiter) > 2:
            window = self.tail + data
            self.seen += window.count(self.delimiter) - self.tail.count(self.delimiter)
            self.tail = window[-(len(self.delimiter) - 1):]
            if self.seen - 1 > MAX_FORM_PARTS:    # the last delimiter closes the form
                raise TooManyParts()
        return data


def _filename(name):
    """The name as sent (charts makes it safe to show); never empty, bounded."""
    name = (name or "").strip()
    return name[-MAX_FILENAME:] or "upload"


IDEMPOTENCY_KEY = "Idempotency-Key"
# the upload routes' `headers=`: in the OpenAPI description
IDEMPOTENCY_HEADER = {
    "name": IDEMPOTENCY_KEY, "format": "uuid",
    "description": "One UUID per file you send: a retry after 503 `upload_unconfirmed` with "
                   "the same key answers the document already made instead of adding the "
                   "file twice; the same key with another file (or other fields) is 422 "
                   "`idempotency_key_reused`."}


def idempotency_key(ctx, thing):
    """The caller's `Idempotency-Key` header (a UUID) when it sends one — its retry after a
    503 then finds what the first attempt made — else a new one. Read before anything is
    stored, so a bad header stores nothing. `thing` names it in the message ("file")."""
    given = ctx.request.headers.get(IDEMPOTENCY_KEY)
    if not given:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(given.strip()))
    except ValueError:
        raise InvalidInput("invalid_idempotency_key", "The Idempotency-Key header must be a "
                           f"UUID, such as one your program makes for each new {thing}.",
                           {IDEMPOTENCY_KEY: ["Must be a UUID."]}) from None


def stored_title(title):
    """A title as charts keeps it (blanks collapsed, 200 characters), or None if none."""
    title = " ".join((title or "").split())[:200]
    return title or None


def upload_id(ctx):
    """This upload's id (read before the body)."""
    return idempotency_key(ctx, "file")


def upload_unconfirmed():
    return Unavailable("upload_unconfirmed", "Your file arrived, but we could not confirm "
                       "that it was saved. Please try again in a moment; if it was saved, "
                       "it will not be added twice.")


def register(ctx, info, part, call, upload=None, asked=None):
    """Call charts with the stored blob under the upload id `upload`. A refusal (4xx)
    deletes the blob; an unanswered call (the gateway's own Unavailable) is asked once
    more with the same id, then answered 503 with the blob left for the sweep; any other
    failure leaves the blob too (charts may have committed it). An upload id charts knows
    answers the document it made: that document must be this request's (its size, and
    `asked`: the fields the request set, as charts stores them), else 422
    `idempotency_key_reused` and this try's blob goes."""
    ref = {"blob_key": info.key, "sha256": info.sha256, "size": info.size,
           "content_type": part["content_type"], "filename": part["filename"],
           "upload_id": upload or str(uuid.uuid4())}
    for attempt in (1, 2):
        try:
            document = call(ref)
            try:
                idempotency.require_same(document, dict(asked or {}, size=info.size))
            except HavenError:
                _delete_refused(ctx, info.key)
                raise
            return document
        except Unavailable as exc:
            if exc.code != Unavailable.default_code:
                raise  # charts answered (scanner_unavailable…): it removed the blob itself
            if attempt == 1:
                log.warning("upload registration unanswered; asking once more")
                continue
            log.warning("upload registration unconfirmed; the blob is left to the sweep")
            raise upload_unconfirmed() from None
        except HavenError as exc:
            if exc.status < 500:
                _delete_refused(ctx, info.key)
            raise


def _delete_refused(ctx, key):
    try:
        store_of(ctx.app).delete(key)
    except Exception:  # the sweep removes it later
        log.warning("could not delete a refused blob")


# -- downloads ------------------------------------------------------------------------------
def content_disposition(filename):
    """RFC 6266: an ASCII fallback and the exact name as RFC 5987 UTF-8."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_"
                       for ch in filename) or "download"
    quoted = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


def download(ctx, document_id):
    found = ctx.app.rpc.call("charts", "get_document_for_download", ctx.who.wire, document_id)
    store = store_of(ctx.app)
    try:
        blob = store.open(found["blob_key"], found["sha256"])
    except (blobstore.BlobIntegrityError, blobstore.BlobNotFound):
        report_damage(ctx, document_id)
        raise Conflict("document_damaged", "This document cannot be opened because it was "
                       "damaged in storage. The practice has been told.") from None
    headers = {
        "Content-Disposition": content_disposition(found["filename"]),
        "Content-Length": str(found["size"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        # a file opened by mistake in the browser can run nothing and reach nothing
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    body = _verified(blob, found["sha256"], lambda: report_damage(ctx, document_id))
    return Response(body, status=200, headers=headers,
                    content_type=found.get("content_type") or "application/octet-stream",
                    direct_passthrough=True)


def _verified(blob, sha256, on_mismatch):
    """Yield the blob's pieces, one behind, so the last is sent only if the digest is right."""
    digest = hashlib.sha256()
    held = None
    try:
        while True:
            piece = blob.read(CHUNK)
            if not piece:
                break
            digest.update(piece)
            if held is not None:
                yield held
            held = piece
        if digest.hexdigest() != sha256:
            on_mismatch()
            raise blobstore.BlobIntegrityError("changed while being sent")
        if held is not None:
            yield held
    finally:
        blob.close()


def report_damage(ctx, document_id):
    """Tell charts (as the system: clients may not report) — it checks for itself."""
    system = Actor.system(practice_id=ctx.actor.practice_id, correlation_id=ctx.cid).to_wire()
    try:
        ctx.app.rpc.call("charts", "report_integrity_failure", system, document_id)
    except Exception:
        log.warning("could not report a damaged blob", extra={"document_id": document_id})
