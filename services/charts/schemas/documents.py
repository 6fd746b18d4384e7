"""Document types, documents, and the blob references of uploads and shares (marshmallow 3)."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema


class CreateDocumentType(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    show_in_portal = fields.Boolean(load_default=False)


class UpdateDocumentType(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    show_in_portal = fields.Boolean()
    # true: offered for no new document (those filed keep it); false: offered again
    archived = fields.Boolean()


class DocumentTypeOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    show_in_portal = fields.Boolean()
    archived = fields.Function(lambda row: row.archived_at is not None)
    archived_at = fields.DateTime(allow_none=True)


class _BlobRef(StrictSchema):
    blob_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sha256 = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="sha256 must be 64 lower-case hex digits."))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    content_type = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=200))
    filename = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    title = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=200))
    # the gateway's id for this upload: a retry with it returns the document it made
    upload_id = fields.UUID(load_default=None, allow_none=True, error_messages={
        "invalid": "The upload id must be a UUID."})


class RegisterUpload(_BlobRef):
    pass


class ShareDocument(_BlobRef):
    client_id = fields.String(load_default=None, allow_none=True)
    contact_id = fields.String(load_default=None, allow_none=True)
    type_id = fields.String(load_default=None, allow_none=True)


class ListDocuments(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True)


class DocumentOut(StrictSchema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    client_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    type_id = fields.String(allow_none=True)
    status = fields.String()
    uploaded_by_kind = fields.String()
    uploaded_by_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    unshared_at = fields.DateTime(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
