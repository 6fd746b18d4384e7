"""Response helpers: JSON bodies, security headers, correlation ids."""
import json
import re
import uuid

from werkzeug.wrappers import Response

from gateway.errors import BodyTooLarge, InvalidChunkedBody

JSON = "application/json"
CORRELATION_HEADER = "X-Correlation-Id"
_CORRELATION_RE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# Only our own origin may supply anything; nothing may frame us (clickjacking).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", CSP),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    # Ignored by browsers over plain http (local development), kept over https.
    ("Strict-Transport-Security", "max-age=31536000"),
)


def correlation_from(request):
    """The caller's X-Correlation-Id if it is well formed, else a new one."""
    given = request.headers.get(CORRELATION_HEADER)
    if given and _CORRELATION_RE.match(given):
        return given
    return uuid.uuid4().hex


def is_chunked(environ):
    return "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()


def accept_chunked(environ):
    """eventlet's wsgi de-chunks a chunked body and ends it itself, but does not say so
    (`wsgi.input_terminated`): without it werkzeug reads such a body as empty. Call before
    anything reads the request's stream."""
    if is_chunked(environ):
        environ.setdefault("wsgi.input_terminated", True)


def read_chunked(stream, limit):
    """A chunked body (de-chunked by the server) of at most `limit` bytes: past it
    BodyTooLarge naming the limit, malformed or cut short InvalidChunkedBody (werkzeug
    would say only "bad request" for either)."""
    pieces, total = [], 0
    while True:
        try:
            piece = stream.read(min(64 * 1024, limit + 1 - total))
        except (ValueError, OSError):   # eventlet's ChunkReadError, a connection cut
            raise InvalidChunkedBody() from None
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        total += len(piece)
        if total > limit:
            raise BodyTooLarge(size_words(limit))


def size_words(size):
    """1048576 -> "1 MB", 65536 -> "64 KB" (for sentences about limits)."""
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def dumps(data):
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(data, status=200, headers=None):
    return json_bytes(dumps(data), status, headers)


def json_bytes(body, status=200, headers=None):
    return Response(body, status=status, headers=headers, content_type=JSON)


def finish(response, request, cid):
    """Every response: security headers, the correlation id, caching rules for /api."""
    headers = response.headers
    for name, value in SECURITY_HEADERS:
        headers.setdefault(name, value)
    headers[CORRELATION_HEADER] = cid
    path = request.path
    if path.startswith("/api/") or path in ("/healthz", "/readyz"):
        # a route may publish a public file (a practice's logo) with its own rule
        if not headers.get("Cache-Control", "").startswith("public"):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
    elif "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response
