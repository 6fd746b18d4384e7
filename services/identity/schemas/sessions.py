"""Sign-in, the second step, sessions and their revocations."""
from datetime import timezone

from marshmallow import fields, validate

from services.common.schemas import StrictSchema
from services.identity.schemas.shared_fields import SOURCE_IP, TOKEN


class Authenticate(StrictSchema):
    practice_code = fields.String(load_default=None, allow_none=True)
    login = fields.String(required=True, validate=validate.Length(min=1, max=320))
    # Length is judged by the password rules, not here: a wrong length must still
    # cost a hash, or timing would tell that no such password can exist.
    password = fields.String(required=True, validate=validate.Length(max=1024))
    audience = fields.String(required=True, validate=validate.OneOf(("portal", "staff")))
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    # device tokens the client holds (domain/devices.py); unreadable ones are ignored
    device_tokens = fields.List(fields.String(validate=validate.Length(max=200)),
                                load_default=list, validate=validate.Length(max=5))


class Refresh(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class SignOut(StrictSchema):
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class ListRevocations(StrictSchema):
    since = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=timezone.utc)


class MfaToken(StrictSchema):
    mfa_token = fields.String(**TOKEN)


class CompleteMfa(StrictSchema):
    mfa_token = fields.String(**TOKEN)
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    source_ip = fields.String(**SOURCE_IP)


class MfaCode(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ResetMfa(StrictSchema):
    staff_id = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=36))
    contact_id = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(min=1, max=36))
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))
