"""Documents, their types and uploads (issue 5; the service contract is docs/charts.md)."""
from marshmallow import Schema, fields, validate

from gateway.api.formats import ID
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean


class DocumentType(Schema):
    id = S()
    name = S()
    show_in_portal = Bool()
    archived = Bool(metadata={"description": "offered for no new document; those filed "
                                             "under it keep it (staff see archived types)"})
    archived_at = S(allow_none=True)


class DocumentTypeCreate(StrictSchema):
    name = S(required=True, validate=validate.Length(min=1, max=100))
    show_in_portal = Bool(metadata={"description": "only documents of such types are "
                                                   "visible to clients (default false)"})


class DocumentTypeUpdate(StrictSchema):
    name = S(validate=validate.Length(min=1, max=100))
    show_in_portal = Bool()
    archived = Bool(metadata={"description": "true: offer it for no new document (those "
                                             "filed keep it); false: offer it again"})


class DocumentTypeDeleted(Schema):
    type_id = S()
    deleted = Bool()


class Document(Schema):
    id = S()
    kind = S(metadata={"description": "practice (for all clients), shared (with one client "
                                      "or contact) or upload (by a client or contact)"})
    title = S()
    filename = S()
    content_type = S()
    size = fields.Integer()
    client_id = S(allow_none=True)
    contact_id = S(allow_none=True)
    type_id = S(allow_none=True)
    status = S(metadata={"description": "available, integrity_failed or quarantined"})
    uploaded_by_kind = S()
    uploaded_by_id = S(allow_none=True)
    created_at = S()
    unshared_at = S(allow_none=True, metadata={
        "description": "when staff stopped sharing it (staff only see these)"})
    reviewed_at = S(allow_none=True, metadata={
        "description": "an upload: when staff first opened it (then only staff may delete it)"})
    shown_in_portal = Bool(metadata={
        "description": "false: the client (or contact) never sees it in the portal — a "
                       "practice or shared document with no type, or of a type the portal "
                       "does not show"})


class DocumentDeleted(Schema):
    document_id = S()
    deleted = fields.Boolean()


class DocumentsQuery(StrictSchema):
    client_id = S(validate=ID, metadata={"description": "also that client's documents"})


class UploadForm(StrictSchema):
    """multipart/form-data: one `file` part and these text parts."""
    file = S(required=True, metadata={
        "type": "string", "format": "binary",
        "description": "PDF, JPEG, PNG, HEIC or Word (.doc, .docx), checked by content; "
                       "1 byte to 25 MB"})
    title = S(validate=validate.Length(max=200))


class ShareForm(UploadForm):
    type_id = S(validate=ID)
    client_id = S(validate=ID, metadata={"description": "omit for a practice document "
                                                        "for all clients"})
    contact_id = S(validate=ID, metadata={"description": "only this contact of the client"})
