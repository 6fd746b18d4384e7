"""The practice's logo: administrators upload and remove it; everyone may fetch it.

The file is streamed into the blob store by gateway/uploads.py (namespace `logos`, 1 MB)
and never crosses RabbitMQ: identity keeps only its key, checksum and type
(`set_practice_logo`). The type is named by content here, where the bytes are, and only
rasters are kept: an SVG may carry script, and the logo is shown to every visitor.
"""
import logging

import filetype
from werkzeug.wrappers import Response

from gateway import hosts, uploads
from gateway.api.branding import schemas
from gateway.api.practices.routes import CODE
from gateway.api.practices.schemas import PracticeSettings
from gateway.router import PUBLIC, STAFF, RouteTable
from services.common import blobstore
from services.common.errors import HavenError, InvalidInput, NotFound, Unavailable

log = logging.getLogger("gateway.branding")
table = RouteTable()
TAGS = ("practice administration",)
SETTINGS = "manage_practice_settings"
NAMESPACE = "logos"
MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES = ("image/png", "image/jpeg")
# A versioned address (?v=<checksum>) names one content forever: cache it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"


class LogoTooLarge(uploads.TooLarge):
    message = "The logo is larger than 1 MB. Save it smaller (about 600 pixels wide is plenty)."
    field_message = "A logo can be at most 1 MB."


def logo_type(head):
    """image/png or image/jpeg from the first bytes, else InvalidInput."""
    kind = filetype.guess(head or b"")
    if kind is None or kind.mime not in LOGO_TYPES:
        sentence = ("A logo must be a PNG or JPEG image (checked by its content, not its "
                    "name). Save it as PNG or JPEG and upload it again.")
        raise InvalidInput("logo_type_refused", sentence, {"file": [sentence]})
    return kind.mime


def _forget(store, key):
    try:
        store.delete(key)
    except Exception:  # the blob is unreferenced either way; the store can be swept
        log.warning("could not delete a logo blob")


def with_base_domain(ctx, settings):
    return dict(settings, portal_base_domain=hosts.base_domain(ctx.app.config))


def replaced(ctx, practice):
    """The reply of a settings write: this replica serves it at once (read your own
    write), and the blob of a replaced or removed logo goes now that the change committed."""
    previous = practice.pop("previous_logo_ref", None)
    ctx.app.readmodels.practice_written(practice)
    if previous and previous.startswith(NAMESPACE + "/") and previous != practice.get("logo_ref"):
        _forget(uploads.store_of(ctx.app), previous)
    return with_base_domain(ctx, practice)


@table.route("POST", "/api/v1/practice/logo", auth=STAFF, form=schemas.LogoForm,
             max_body=MAX_LOGO_BYTES + uploads.FORM_OVERHEAD,
             response=PracticeSettings, tags=TAGS,
             summary="Upload your practice's logo (PNG or JPEG, at most 1 MB)",
             description="multipart/form-data with one part named `file`. The type is "
                         "judged by content: 422 `logo_type_refused` (SVG, GIF, anything "
                         "else), `empty_file`, `file_required`; 413 `file_too_large`. The "
                         "portal shows it on every page, with the practice's title as "
                         "its text alternative. Replaces the previous logo.")
def upload_logo(ctx):
    ctx.actor.require_staff(SETTINGS)
    info, _part, _fields = uploads.receive(ctx, schemas.LogoForm(exclude=("file",)),
                                           namespace=NAMESPACE, max_size=MAX_LOGO_BYTES,
                                           too_large=LogoTooLarge)
    store = uploads.store_of(ctx.app)
    try:
        mime = logo_type(store.head(info.key, 512))
    except BaseException:
        _forget(store, info.key)
        raise
    logo = {"blob_key": info.key, "sha256": info.sha256, "size": info.size,
            "content_type": mime}
    for attempt in (1, 2):
        try:
            practice = ctx.app.rpc.call("identity", "set_practice_logo", ctx.who.wire, logo)
            break
        except Unavailable as exc:
            # Unanswered, identity may still commit the logo: never delete a blob it may
            # name. Setting the same key again is a no-op, so asking twice is safe.
            if exc.code != Unavailable.default_code or attempt == 2:
                raise
        except HavenError as exc:
            if exc.status < 500:       # refused: nothing names the blob
                _forget(store, info.key)
            raise
    return replaced(ctx, practice)


@table.route("DELETE", "/api/v1/practice/logo", auth=STAFF,
             response=PracticeSettings, tags=TAGS,
             summary="Remove your practice's logo",
             description="The portal shows the practice's name alone again.")
def remove_logo(ctx):
    ctx.actor.require_staff(SETTINGS)
    practice = ctx.app.rpc.call("identity", "set_practice_logo", ctx.who.wire,
                                {"blob_key": None})
    return replaced(ctx, practice)


@table.route("GET", "/api/v1/practices/<code>/logo", auth=PUBLIC, query=schemas.LogoQuery,
             tags=("practices",), produces="image/png",
             summary="A practice's logo (image/png or image/jpeg)",
             description="Public, like the branding. 404 `no_logo`. With `?v=` equal to "
                         "the version in `logo_url` it may be cached for a year; otherwise "
                         "revalidate (ETag).")
def get_logo(ctx):
    code = ctx.params["code"]
    if not CODE.match(code):
        raise NotFound("not_found", "There is no practice at this address.")
    practice = ctx.app.readmodels.practice_data(code) or {}
    key, sha256 = practice.get("logo_ref"), practice.get("logo_sha256")
    if not key or not sha256:
        raise NotFound("no_logo", "This practice has no logo.")
    etag = f"\"{sha256[:32]}\""
    cache = IMMUTABLE if ctx.query.get("v") == sha256[:16] else REVALIDATE
    headers = {"Cache-Control": cache, "ETag": etag, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox",
               "Cross-Origin-Resource-Policy": "same-site"}
    if etag in (ctx.request.headers.get("If-None-Match") or ""):
        return Response(status=304, headers=headers)
    try:
        with uploads.store_of(ctx.app).open(key, sha256) as blob:
            body = blob.read(MAX_LOGO_BYTES + 1)
    except (blobstore.BlobNotFound, blobstore.BlobIntegrityError, blobstore.BadBlobKey):
        log.warning("a practice's logo is missing or damaged in the blob store")
        raise NotFound("no_logo", "This practice has no logo.") from None
    return Response(body, status=200, headers=headers,
                    content_type=practice.get("logo_content_type") or "application/octet-stream")
