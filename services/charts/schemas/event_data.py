"""The data of charts' events (the published catalog, docs/events.md)."""
from marshmallow import fields, validate

from services.charts.domain import records, tabs
from services.common.schemas import StrictSchema

# Other practice systems read these: ids, tab and field NAMES only — never a name, date
# of birth, address, phone, email or any other value of the chart (tested over every
# schema and over what is published). Who the client is, a consumer asks by id.


class ClientCreatedData(StrictSchema):
    client_id = fields.String(required=True)


class ClientUpdatedData(StrictSchema):
    """Names of the changed fields, never their values."""
    client_id = fields.String(required=True)
    tab = fields.String(required=True, validate=validate.OneOf(tabs.TABS))
    # column names of `clients` (Basic's, and Details' primary_language), or dotted
    # paths within another tab ("primary.member_id")
    fields_ = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          required=True, data_key="fields")
    batch_id = fields.String(required=True)
    source = fields.String(required=True,
                           validate=validate.OneOf([records.PORTAL, records.STAFF_SOURCE]))


class InsuranceUpdatedData(StrictSchema):
    """Which coverages a save touched and the changed field paths, never values."""
    client_id = fields.String(required=True)
    coverages = fields.List(fields.String(validate=validate.OneOf(["primary", "secondary"])),
                            required=True)
    fields_ = fields.List(fields.String(), required=True, data_key="fields")
    batch_id = fields.String(required=True)
    source = fields.String(required=True,
                           validate=validate.OneOf([records.PORTAL, records.STAFF_SOURCE]))


class DocumentSharedData(StrictSchema):
    document_id = fields.String(required=True)
    client_id = fields.String(required=True)
    contact_id = fields.String(required=True, allow_none=True)
    type_id = fields.String(required=True, allow_none=True)


class DocumentUploadedData(StrictSchema):
    document_id = fields.String(required=True)
    client_id = fields.String(required=True)
    uploaded_by_kind = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class DocumentIntegrityFailedData(StrictSchema):
    document_id = fields.String(required=True)
    client_id = fields.String(required=True, allow_none=True)


class SettingsUpdatedData(StrictSchema):
    allow_clients_update_insurance = fields.Boolean(required=True)
    client_uploads_enabled = fields.Boolean(required=True)
    extra_fields = fields.List(fields.Dict(), required=True)
    version = fields.Integer(required=True)


class DocumentUnsharedData(StrictSchema):
    document_id = fields.String(required=True)
    kind = fields.String(required=True)
    client_id = fields.String(required=True, allow_none=True)
    contact_id = fields.String(required=True, allow_none=True)


class DocumentDeletedData(StrictSchema):
    document_id = fields.String(required=True)
    kind = fields.String(required=True)
    client_id = fields.String(required=True, allow_none=True)
    contact_id = fields.String(required=True, allow_none=True)
    deleted_by_kind = fields.String(required=True)
