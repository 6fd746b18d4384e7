"""Documents: types, lists, client uploads, staff shares and downloads (docs/charts.md).

Uploads are multipart/form-data streamed into the blob store (gateway/uploads.py) under
a limit of their own (25 MB of file, plus the form around it), not the gateway's 1 MiB
JSON limit. Who may see or download what is charts' decision, asked on every call.
"""
from gateway import uploads
from gateway.api.documents import schemas
from gateway.api.me.routes import own_client_id
from gateway.api.me.schemas import MeQuery
from gateway.router import ANY, CLIENT, STAFF, RouteTable

table = RouteTable()
TAGS = ("documents",)
DOCS = "manage_documentation"   # a contact's grant to see and upload a client's documents
UPLOAD_LIMIT = uploads.MAX_FILE_BYTES + uploads.FORM_OVERHEAD
UPLOAD_HELP = ("multipart/form-data with one part `file` (PDF, JPEG, PNG, HEIC or Word, "
               "checked by content, 1 byte to 25 MB) and an optional `title`. The file is "
               "streamed to the blob store. 413 `file_too_large`; 422 `empty_file`, "
               "`file_type_refused` (programs, web pages, archives…), `filename_refused` "
               "(a name with /, \\ or control characters), `file_required`, "
               "`upload_incomplete`; 403 `uploads_disabled`; 503 `upload_unconfirmed` when "
               "charts did not answer in time — try again: with the same `Idempotency-Key` "
               "header (a UUID per file) a retry never adds the file twice.")
# share, take back and delete documents (identity's roles; charts checks it again)
SHARE_PERMISSION = "upload_client_documents"


# -- types --------------------------------------------------------------------------------
@table.route("GET", "/api/v1/document-types", auth=ANY, response=schemas.DocumentType(many=True),
             tags=TAGS, summary="Document types",
             description="Staff see every type, archived ones marked; clients and contacts "
                         "those shown in the portal and not archived.")
def list_types(ctx):
    return ctx.app.rpc.call("charts", "list_document_types", ctx.who.wire)


@table.route("POST", "/api/v1/document-types", auth=STAFF, request=schemas.DocumentTypeCreate,
             response=schemas.DocumentType, status=201, tags=TAGS, summary="Add a document type")
def create_type(ctx):
    ctx.actor.require_staff("edit_clients")
    return ctx.app.rpc.call("charts", "create_document_type", ctx.who.wire, ctx.body)


@table.route("PATCH", "/api/v1/document-types/<type_id>", auth=STAFF,
             request=schemas.DocumentTypeUpdate, response=schemas.DocumentType, tags=TAGS,
             summary="Rename a document type, show/hide it in the portal, or archive it",
             description="An archived type is offered for no new document (a share naming "
                         "it is 422 `type_archived`); the documents filed under it keep it.")
def update_type(ctx):
    ctx.actor.require_staff("edit_clients")
    return ctx.app.rpc.call("charts", "update_document_type", ctx.who.wire,
                            ctx.params["type_id"], ctx.body)


@table.route("DELETE", "/api/v1/document-types/<type_id>", auth=STAFF, errors=(409,),
             response=schemas.DocumentTypeDeleted, tags=TAGS,
             summary="Delete a document type nothing is filed under",
             description="409 `document_type_in_use` (with how many documents) while "
                         "documents are filed under it: archive it instead.")
def delete_type(ctx):
    ctx.actor.require_staff("edit_clients")
    return ctx.app.rpc.call("charts", "delete_document_type", ctx.who.wire,
                            ctx.params["type_id"])


# -- the portal -----------------------------------------------------------------------------
@table.route("GET", "/api/v1/me/documents", auth=CLIENT, query=MeQuery,
             response=schemas.Document(many=True), tags=TAGS,
             summary="Documents for you: the practice's, those shared with you, your uploads",
             description="Newest first. `kind` tells them apart (practice, shared, upload). "
                         "A contact needs `manage_documentation` for the client: 403 "
                         "`not_permitted` otherwise.")
def my_documents(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, DOCS)   # "*" (one's own) always passes
    return ctx.app.rpc.call("charts", "list_documents", ctx.who.wire, {"client_id": client_id})


@table.route("POST", "/api/v1/me/uploads", auth=CLIENT, query=MeQuery,
             form=schemas.UploadForm, max_body=UPLOAD_LIMIT, response=schemas.Document, status=201,
             headers=(uploads.IDEMPOTENCY_HEADER,), tags=TAGS, summary="Upload a file to the practice",
             description=UPLOAD_HELP + " A contact needs `manage_documentation` for the "
                                       "client (403 `not_permitted`).")
def upload(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, DOCS)
    upload = uploads.upload_id(ctx)
    info, part, form = uploads.receive(ctx, schemas.UploadForm(exclude=("file",)))
    asked = {"client_id": client_id}
    if form.get("title"):
        asked["title"] = uploads.stored_title(form["title"])
    return uploads.register(ctx, info, part, lambda ref: ctx.app.rpc.call(
        "charts", "register_upload", ctx.who.wire, client_id,
        dict(ref, title=form.get("title") or None)), upload, asked)


# -- staff ------------------------------------------------------------------------------------
@table.route("GET", "/api/v1/documents", auth=STAFF, query=schemas.DocumentsQuery,
             response=schemas.Document(many=True), tags=TAGS,
             summary="Practice documents (and one client's with ?client_id=)")
def list_documents(ctx):
    payload = {"client_id": ctx.query["client_id"]} if ctx.query.get("client_id") else {}
    return ctx.app.rpc.call("charts", "list_documents", ctx.who.wire, payload)


@table.route("GET", "/api/v1/clients/<client_id>/documents", auth=STAFF,
             response=schemas.Document(many=True), tags=TAGS,
             summary="A client's documents: shared with them and uploaded by them "
                     "(`kind` upload), and the practice's")
def client_documents(ctx):
    return ctx.app.rpc.call("charts", "list_documents", ctx.who.wire,
                            {"client_id": ctx.params["client_id"]})


@table.route("POST", "/api/v1/documents", auth=STAFF, form=schemas.ShareForm,
             max_body=UPLOAD_LIMIT, response=schemas.Document, status=201,
             headers=(uploads.IDEMPOTENCY_HEADER,), tags=TAGS,
             summary="Share a document with all clients, one client, or one contact",
             description="multipart/form-data: `file`, and `title`, `type_id`, `client_id` "
                         "(omit for a practice document for all clients), `contact_id`. "
                         "Sharing with a client emails them that there is something new "
                         "(no names or titles in the email). Staff with "
                         "`upload_client_documents`. The reply's `shown_in_portal` is false "
                         "when the client will not see it (no type, or a type the portal "
                         "does not show); 422 `type_archived` for an archived type.")
def share(ctx):
    ctx.actor.require_staff(SHARE_PERMISSION)
    upload = uploads.upload_id(ctx)
    info, part, form = uploads.receive(ctx, schemas.ShareForm(exclude=("file",)))
    extra = {k: form.get(k) or None for k in ("title", "type_id", "client_id", "contact_id")}
    asked = {k: v for k, v in extra.items() if k != "title" and v is not None}
    if extra["title"]:
        asked["title"] = uploads.stored_title(extra["title"])
    return uploads.register(ctx, info, part, lambda ref: ctx.app.rpc.call(
        "charts", "share_document", ctx.who.wire, dict(ref, **extra)), upload, asked)


# -- downloads (anyone charts lets see the document) --------------------------------------------
@table.route("GET", "/api/v1/documents/<document_id>/download", errors=(409,), auth=ANY,
             produces="application/octet-stream", tags=TAGS, summary="Download a document",
             description="Served as an attachment with its content type (checked at upload), "
                         "`X-Content-Type-Options: nosniff` and no caching. The file's "
                         "SHA-256 is checked before and while it is sent: 409 "
                         "`document_damaged` if it was altered (staff are alerted).")
def download(ctx):
    return uploads.download(ctx, ctx.params["document_id"])


# -- taking back and deleting ------------------------------------------------------------------
@table.route("POST", "/api/v1/documents/<document_id>/unshare", errors=(409,), auth=STAFF,
             response=schemas.Document, tags=TAGS,
             summary="Stop sharing a practice or shared document",
             description="Clients and contacts no longer list or download it; staff still "
                         "do (and may delete it). Idempotent. 409 `not_shared` for an upload "
                         "(delete it instead); 404 when unknown. Staff with "
                         "`upload_client_documents`.")
def unshare(ctx):
    ctx.actor.require_staff(SHARE_PERMISSION)
    return ctx.app.rpc.call("charts", "unshare_document", ctx.who.wire,
                            ctx.params["document_id"])


@table.route("DELETE", "/api/v1/documents/<document_id>", errors=(409,), auth=ANY,
             response=schemas.DocumentDeleted, tags=TAGS, summary="Delete a document and its file",
             description="Staff with `upload_client_documents`: any document of the practice. A "
                         "client "
                         "or contact: only an upload they made, until the practice opened it "
                         "(409 `document_reviewed`); 403 `not_permitted` for anything else "
                         "they see; 404 for what they cannot. 409 `document_in_use` (fields "
                         "name the insurance card fields) while it is a card photo.")
def delete(ctx):
    return ctx.app.rpc.call("charts", "delete_document", ctx.who.wire,
                            ctx.params["document_id"])
