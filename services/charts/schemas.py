"""RPC payloads and results of charts, and the data of its events (marshmallow 3)."""
from marshmallow import fields, pre_load, validate

from services.charts import domain, tabs
from services.common.schemas import StrictSchema, rule



def _text(name, required=False, nullable=None, rules=()):
    label = name.replace("_", " ").capitalize()
    return fields.String(
        required=required, allow_none=(not required) if nullable is None else nullable,
        validate=[validate.Length(max=domain.MAX_LENGTH[name],
                                  error=f"{label} must be at most {{max}} characters."),
                  *rules],
        error_messages={"null": f"{label} is required.", "required": f"{label} is required.",
                        "invalid": f"{label} must be text."})


class _Demographics(StrictSchema):
    first_name = _text("first_name", required=True)
    last_name = _text("last_name", required=True)
    preferred_name = _text("preferred_name")
    date_of_birth = fields.Date(
        allow_none=True, validate=rule(domain.date_of_birth_problem),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    email = _text("email", rules=[rule(domain.email_problem)])
    phone_mobile = _text("phone_mobile", rules=[rule(domain.phone_problem)])
    phone_home = _text("phone_home", rules=[rule(domain.phone_problem)])
    phone_work = _text("phone_work", rules=[rule(domain.phone_problem)])
    address_line1 = _text("address_line1")
    address_line2 = _text("address_line2")
    city = _text("city")
    state = _text("state")
    # the country-specific format is checked on the whole record (domain.check_record)
    postal_code = _text("postal_code", rules=[rule(domain.postal_code_problem)])
    country = _text("country", rules=[rule(domain.country_problem)])
    primary_language = _text("primary_language")
    pronouns = _text("pronouns")
    sex = fields.String(allow_none=True, validate=validate.OneOf(
        tabs.CHOICES["sex"], error="Sex: choose one of " + ", ".join(tabs.CHOICES["sex"]) + "."))
    gender_identity = _text("gender_identity")
    phone_mobile_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (mobile) must be true or false."})
    phone_home_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (home) must be true or false."})
    phone_work_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (work) must be true or false."})
    time_zone = _text("time_zone", rules=[rule(tabs.time_zone_problem)])

    @pre_load
    def _normalize(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {key: domain.normalize(key, value) for key, value in data.items()}


class CreateClient(_Demographics):
    """`create_client` payload. `id` is optional: a caller that retries with the same id
    gets the record it already made (an idempotency key)."""
    id = fields.UUID(load_default=None, error_messages={"invalid": "Id must be a UUID."})


class UpdateDemographics(_Demographics):
    """`update_demographics` payload: any of the fields (partial), and the `version` the
    caller read."""
    # first and last name may be left out, but never blanked
    first_name = _text("first_name", nullable=False)
    last_name = _text("last_name", nullable=False)
    # required: without it a save could silently overwrite one made since it was read
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             error_messages=tabs.VERSION_ERRORS)


class ListClients(StrictSchema):
    query = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    # the next page of the same order (the gateway walks the whole practice in pages)
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    # only these clients (names for one page of another service's list)
    ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                      load_default=None, validate=validate.Length(max=200))


class Client(StrictSchema):
    """A client record as every RPC returns it."""
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    preferred_name = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    email = fields.String(allow_none=True)
    phone_mobile = fields.String(allow_none=True)
    phone_home = fields.String(allow_none=True)
    phone_work = fields.String(allow_none=True)
    address_line1 = fields.String(allow_none=True)
    address_line2 = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    primary_language = fields.String(allow_none=True)
    pronouns = fields.String(allow_none=True)
    sex = fields.String(allow_none=True)
    gender_identity = fields.String(allow_none=True)
    phone_mobile_texts = fields.Boolean(allow_none=True)
    phone_home_texts = fields.Boolean(allow_none=True)
    phone_work_texts = fields.Boolean(allow_none=True)
    time_zone = fields.String(allow_none=True)
    version = fields.Integer()
    updated_at = fields.DateTime()


class ClientSummary(StrictSchema):
    """A row of `list_clients`."""
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    email = fields.String(allow_none=True)


class Revision(StrictSchema):
    id = fields.String()
    client_id = fields.String()
    batch_id = fields.String()
    version = fields.Integer()
    field = fields.String()
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    actor_kind = fields.String()
    actor_id = fields.String(allow_none=True)
    source = fields.String()
    changed_at = fields.DateTime()
    tab = fields.String()


# -- event data (the published catalog) -----------------------------------------------
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
                           validate=validate.OneOf([domain.PORTAL, domain.STAFF_SOURCE]))


class InsuranceUpdatedData(StrictSchema):
    """Which coverages a save touched and the changed field paths, never values."""
    client_id = fields.String(required=True)
    coverages = fields.List(fields.String(validate=validate.OneOf(["primary", "secondary"])),
                            required=True)
    fields_ = fields.List(fields.String(), required=True, data_key="fields")
    batch_id = fields.String(required=True)
    source = fields.String(required=True,
                           validate=validate.OneOf([domain.PORTAL, domain.STAFF_SOURCE]))


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


# -- tabs, review, settings, documents (issue 5) --------------------------------------

class Settings(StrictSchema):
    allow_clients_update_insurance = fields.Boolean()
    client_uploads_enabled = fields.Boolean()
    extra_fields = fields.List(fields.Dict())
    version = fields.Integer()


class UpdateSettings(StrictSchema):
    allow_clients_update_insurance = fields.Boolean()
    client_uploads_enabled = fields.Boolean()
    extra_fields = fields.List(fields.Nested(tabs.ExtraField),
                               validate=validate.Length(max=50))
    version = fields.Integer(strict=True, validate=validate.Range(min=1))


class ListChanges(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class MarkReviewed(StrictSchema):
    batch_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                            required=True, validate=validate.Length(min=1, max=500))


class RevertChange(StrictSchema):
    revision_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class CreateDocumentType(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    show_in_portal = fields.Boolean(load_default=False)


class UpdateDocumentType(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    show_in_portal = fields.Boolean()


class DocumentTypeOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    show_in_portal = fields.Boolean()


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
