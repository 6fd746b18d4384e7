"""The web client's shells and static files (written in gateway/web/ by the web client).

Files go out through werkzeug's send_from_directory: safe paths, ETag and Last-Modified,
conditional requests (304) and ranges. We keep the caching policy and the types.
"""
import os

from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.utils import send_from_directory

from gateway.router import PUBLIC, RouteTable

table = RouteTable()
# gateway/web/, three folders up from gateway/api/web/routes.py
WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                   "web")
STATIC = os.path.join(WEB, "static")
# Revalidate every static file (a 304 is cheap): with a max-age a release could pair a
# new shell with day-old modules (docs/web-client.md, "Caching").
STATIC_CACHE = "no-cache"
# Explicit types: Python's mimetypes varies by version and system (.js, .mjs, .woff2).
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
         ".html": "text/html", ".svg": "image/svg+xml", ".json": "application/json",
         ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".ico": "image/x-icon", ".webp": "image/webp",
         ".woff2": "font/woff2", ".woff": "font/woff", ".txt": "text/plain",
         ".map": "application/json"}
# Third-party assets served from the pinned package that ships them (no copy in git):
# prefix under /static/ -> (folder, the files we serve from it).
VENDOR = {"vendor/swagger-ui/": (str(swagger_ui_path),
                                 {"swagger-ui-bundle.js", "swagger-ui.css"})}


def _send(request, directory, rel, cache_control=STATIC_CACHE):
    """The file `rel` under `directory`, or 404; never a dotfile or a path outside it."""
    if any(part.startswith(".") for part in rel.split("/")) or "\\" in rel or "\x00" in rel:
        raise HTTPNotFound()
    ext = os.path.splitext(rel)[1].lower()
    response = send_from_directory(directory, rel, request.environ,
                                   mimetype=TYPES.get(ext) or "application/octet-stream")
    response.headers["Cache-Control"] = cache_control
    return response


def _shell(ctx, name):
    # Shells are small and change with each release: revalidate, never store stale.
    return _send(ctx.request, WEB, name, "no-cache")


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
    for prefix, (directory, files) in VENDOR.items():
        if rel.startswith(prefix):
            name = rel[len(prefix):]
            if name not in files:
                raise HTTPNotFound()
            return _send(ctx.request, directory, name)
    return _send(ctx.request, STATIC, rel)
