"""The web client's shells and static files (written in gateway/web/ by the web client)."""
import mimetypes
import os

from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from gateway.router import PUBLIC, RouteTable

table = RouteTable()
WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web")
STATIC = os.path.join(WEB, "static")
# Revalidate every static file (a 304 is cheap): with a max-age a release could pair a
# new shell with day-old modules (docs/web-client.md, "Caching").
STATIC_CACHE = "no-cache"
TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png",
         ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".ico": "image/x-icon", ".webp": "image/webp", ".woff2": "font/woff2",
         ".woff": "font/woff", ".txt": "text/plain; charset=utf-8", ".map": "application/json"}


class _Files:
    """File bytes cached by (path, mtime, size): one stat per request, no re-read."""

    def __init__(self):
        self._cache = {}

    def read(self, path):
        try:
            st = os.stat(path)
        except OSError:
            raise HTTPNotFound() from None
        if not os.path.isfile(path):
            raise HTTPNotFound()
        key = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(path)
        if cached is None or cached[0] != key:
            with open(path, "rb") as f:
                cached = (key, f.read(), f"\"{st.st_mtime_ns:x}-{st.st_size:x}\"")
            self._cache[path] = cached
        return cached[1], cached[2]


FILES = _Files()


def _file_response(request, path, content_type, cache_control):
    body, etag = FILES.read(path)
    headers = {"Cache-Control": cache_control, "ETag": etag}
    if etag in (request.headers.get("If-None-Match") or ""):
        return Response(status=304, headers=headers)
    return Response(body, status=200, headers=headers, content_type=content_type)


def _shell(ctx, name):
    # Shells are small and change with each release: revalidate, never store stale.
    return _file_response(ctx.request, os.path.join(WEB, name), TYPES[".html"], "no-cache")


@table.route("GET", "/p/<code>", auth=PUBLIC, documented=False)
def portal(ctx):
    return _shell(ctx, "portal.html")


@table.route("GET", "/p/<code>/<path:rest>", auth=PUBLIC, documented=False)
def portal_deep(ctx):
    return _shell(ctx, "portal.html")


@table.route("GET", "/staff", auth=PUBLIC, documented=False)
def staff(ctx):
    return _shell(ctx, "staff.html")


@table.route("GET", "/staff/<path:rest>", auth=PUBLIC, documented=False)
def staff_deep(ctx):
    return _shell(ctx, "staff.html")


@table.route("GET", "/static/<path:path>", auth=PUBLIC, documented=False)
def static(ctx):
    rel = ctx.params["path"]
    # No dotfiles, no backslashes, nothing outside static/ (safe_join refuses ..).
    if any(part.startswith(".") for part in rel.split("/")) or "\\" in rel or "\x00" in rel:
        raise HTTPNotFound()
    path = safe_join(STATIC, rel)
    if path is None:
        raise HTTPNotFound()
    ext = os.path.splitext(path)[1].lower()
    content_type = TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return _file_response(ctx.request, path, content_type, STATIC_CACHE)
