"""Email templates: what an administrator sends to edit, preview or sample one, and what
notify answers (services/notify/schemas.py holds the same shapes on its side)."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String


class TemplateDraft(StrictSchema):
    subject = S(validate=validate.Length(max=1000), metadata={
        "description": "one line; may use the template's variables"})
    body_text = S(validate=validate.Length(max=100000), metadata={
        "description": "the plain-text body: must show {{ practice_name }} and {{ portal_url }}"})
    body_html = S(allow_none=True, validate=validate.Length(max=100000), metadata={
        "description": "the HTML body; empty or null sends plain text only. No <script>, "
                       "no on* event handlers, no javascript: links"})
    version = fields.Integer(allow_none=True, validate=validate.Range(min=0), metadata={
        "description": "the version you opened (0 for the default): 409 `stale_template` "
                       "when someone saved since"})


class Variable(Schema):
    name = S()
    description = S()
    sample = fields.Raw(metadata={"description": "the value a preview uses"})


class Texts(Schema):
    subject = S()
    body_text = S()
    body_html = S(allow_none=True)


class TemplateSummary(Schema):
    kind = S(metadata={"description": "e.g. invitation, welcome, password_reset"})
    label = S()
    description = S()
    security = fields.Boolean(metadata={
        "description": "a security email: always sent, whatever the person's preferences"})
    edited = fields.Boolean(metadata={"description": "false: Haven's default text is sent"})
    version = fields.Integer()
    updated_at = S(allow_none=True, metadata={"description": "UTC ISO-8601; null for the default"})


class Template(TemplateSummary):
    subject = S()
    body_text = S()
    body_html = S(allow_none=True)
    default = fields.Nested(Texts)
    variables = fields.List(fields.Nested(Variable))


class Rendered(Schema):
    subject = S()
    text = S()
    html = S(allow_none=True)


class SampleSent(Schema):
    to = S(metadata={"description": "your own sign-in address"})
    subject = S()


class DeliveryQuery(StrictSchema):
    status = S(validate=validate.OneOf(("pending", "sent", "failed")), metadata={
        "description": "only emails in this state"})
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


class Delivery(Schema):
    """One email of the delivery log: to whom, when, how it went — never what it said."""
    id = S()
    kind = S(metadata={"description": "which email (a template kind)"})
    to = S()
    status = S(metadata={"description": "pending, sent or failed"})
    attempts = fields.Integer()
    last_error = S(allow_none=True, metadata={
        "description": "a code (smtp_550, recipient_refused, an error's class), never text"})
    created_at = S()
    sent_at = S(allow_none=True)
    next_attempt_at = S(allow_none=True)
