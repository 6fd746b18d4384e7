"""Changing a password, and reset links."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema
from services.identity.schemas.shared_fields import SOURCE_IP, PASSWORD, TOKEN


class ChangePassword(StrictSchema):
    current_password = fields.String(**PASSWORD)
    new_password = fields.String(**PASSWORD)
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class RequestPasswordReset(StrictSchema):
    practice_code = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    audience = fields.String(load_default="portal", validate=validate.OneOf(("portal", "staff")))
    source_ip = fields.String(**SOURCE_IP)


class SendPasswordReset(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))
    staff_id = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=36))


class CompletePasswordReset(StrictSchema):
    token = fields.String(**TOKEN)
    new_password = fields.String(**PASSWORD)
    source_ip = fields.String(**SOURCE_IP)
