"""RPC payloads and results of notify, and the event data it reads (marshmallow 3)."""
from marshmallow import fields, validate

from services.common.schemas import LenientSchema, StrictSchema


class ListAlerts(StrictSchema):
    unread_only = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class Alert(StrictSchema):
    """A row of `list_alerts`."""
    id = fields.String()
    kind = fields.String()
    client_id = fields.String(allow_none=True)
    client_name = fields.String(allow_none=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    batch_id = fields.String(allow_none=True)
    tab = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read = fields.Boolean()


# Event data: lenient, so that fields a producer adds later do not break this consumer.

class ClientUpdatedData(LenientSchema):
    client_id = fields.String(required=True)
    client_name = fields.String(load_default=None, allow_none=True)
    tab = fields.String(load_default=None)
    fields_ = fields.List(fields.String(), required=True, data_key="fields",
                          attribute="fields")
    batch_id = fields.String(load_default=None, allow_none=True)
    source = fields.String(required=True)


class AccountCreatedData(LenientSchema):
    account_id = fields.String(required=True)
    client_id = fields.String(load_default=None, allow_none=True)
    login = fields.String(load_default=None, allow_none=True)
    practice_name = fields.String(load_default=None, allow_none=True)
    portal_path = fields.String(load_default=None, allow_none=True)
    portal_subdomain = fields.String(load_default=None, allow_none=True)
    status = fields.String(load_default="active", allow_none=True)
    via = fields.String(load_default="staff", allow_none=True)


class AppointmentEventData(LenientSchema):
    """scheduling's `appointment.scheduled` / `appointment.cancelled` v1: only what notify
    reads. A time without an offset is refused (the event is parked, not guessed at)."""
    appointment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)


# Email templates a practice can edit (entrypoints/email_templates.py)

class EmailTemplateDraft(StrictSchema):
    """An edit to save, or to preview or send as a sample (absent parts: the saved ones).
    An empty `body_html` means plain text only. Lengths are checked by the domain, with
    a sentence (rendering.check)."""
    subject = fields.String(validate=validate.Length(max=1000))
    body_text = fields.String(validate=validate.Length(max=100000))
    body_html = fields.String(allow_none=True, validate=validate.Length(max=100000))
    version = fields.Integer(allow_none=True, validate=validate.Range(min=0))


class TemplateVariable(StrictSchema):
    name = fields.String()
    description = fields.String()
    sample = fields.Raw()


class EmailTemplateSummary(StrictSchema):
    kind = fields.String()
    label = fields.String()
    description = fields.String()
    security = fields.Boolean()
    edited = fields.Boolean()
    version = fields.Integer()
    updated_at = fields.DateTime(allow_none=True)


class EmailTemplateTexts(StrictSchema):
    subject = fields.String()
    body_text = fields.String()
    body_html = fields.String(allow_none=True)


class EmailTemplate(EmailTemplateSummary):
    """One kind: what is sent today (the practice's edit or the default), the default
    itself, and the variables its template may use."""
    subject = fields.String()
    body_text = fields.String()
    body_html = fields.String(allow_none=True)
    default = fields.Nested(EmailTemplateTexts)
    variables = fields.List(fields.Nested(TemplateVariable))


class RenderedEmail(StrictSchema):
    subject = fields.String()
    text = fields.String()
    html = fields.String(allow_none=True)


class EmailTemplateChangedData(StrictSchema):
    kind = fields.String(required=True)
    change = fields.String(required=True, validate=validate.OneOf(("edited", "reset")))
    version = fields.Integer(required=True)


# The delivery log (entrypoints/delivery_log.py): never a subject or a body — a body holds
# single-use links, and what an email says is the template's business, not the log's.

class DeliveryQuery(StrictSchema):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("pending", "sent", "failed")))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class Delivery(StrictSchema):
    id = fields.String()
    kind = fields.String()
    to = fields.String(attribute="to_address")
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
