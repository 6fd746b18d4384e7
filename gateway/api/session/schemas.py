"""Signing in and out, refreshing, the second step and one's password."""
from marshmallow import Schema, fields, validate

from gateway.api.practices.schemas import Practice
from services.common.schemas import StrictSchema

S = fields.String


TOKEN_DELIVERY = S(load_default="cookie", validate=validate.OneOf(["cookie", "body"]), metadata={
    "description": "`cookie` (the default, for browsers): the tokens are set as HttpOnly "
                   "cookies and never appear in the body. `body` (API clients): the tokens "
                   "are in the body, for `Authorization: Bearer`, and no cookie is set."})


class SignIn(StrictSchema):
    practice_code = S(validate=validate.Length(min=1, max=64))
    login = S(required=True, validate=validate.Length(min=1, max=254))
    password = S(required=True, validate=validate.Length(min=1, max=1024))
    audience = S(required=True, validate=validate.OneOf(["portal", "staff"]))
    token_delivery = TOKEN_DELIVERY
    device_token = S(validate=validate.Length(min=1, max=200), metadata={
        "description": "API clients: the `device_token` an earlier right password for this "
                       "account returned. Failures of others elsewhere then never slow this "
                       "client down (its attempts back off per account and device only). "
                       "Browsers hold it in the haven_device cookie instead."})


class RefreshRequest(StrictSchema):
    refresh_token = S(validate=validate.Length(min=1, max=512),
                      metadata={"description": "omit to use the haven_refresh cookie"})


class ChangePassword(StrictSchema):
    current_password = S(required=True, validate=validate.Length(min=1, max=1024))
    new_password = S(required=True, validate=validate.Length(min=1, max=1024))


class PrincipalClient(Schema):
    client_id = S()
    name = S(allow_none=True)
    permissions = fields.List(S())


class Principal(Schema):
    kind = S()
    id = S()
    name = S(allow_none=True)
    practice = fields.Nested(Practice)
    roles = fields.List(S())
    permissions = fields.List(S())
    clients = fields.List(fields.Nested(PrincipalClient))
    must_change_password = fields.Boolean()
    grants_paused = fields.Integer(metadata={
        "description": "GET /session only: how many of a contact's or client's grants allow "
                       "nothing today under the practice's guardian age rules (they are not "
                       "in `clients`); 0 for staff"})


class Tokens(Schema):
    access_token = S(metadata={"description": "only with token_delivery `body` (or a refresh "
                                              "by body / a Bearer-authenticated request)"})
    refresh_token = S(metadata={"description": "as access_token"})
    expires_in = fields.Integer()
    must_change_password = fields.Boolean()
    principal = fields.Nested(Principal)
    mfa_required = fields.Boolean(metadata={
        "description": "true: no session yet; send a code to /api/v1/session/mfa"})
    mfa_token = S(metadata={"description": "the challenge for the second step (short-lived)"})
    mfa_enrol = fields.Boolean(metadata={
        "description": "true: first add Haven to an authenticator app "
                       "(/api/v1/session/mfa/enrolment)"})
    recovery_codes = fields.List(S(), metadata={"description": "shown once, after enrolling"})
    device_token = S(metadata={
        "description": "after a right password, with token_delivery `body`: keep it and send "
                       "it as `device_token` with later sign-ins to this account (browsers "
                       "get it as the HttpOnly haven_device cookie instead)"})


class MfaToken(StrictSchema):
    mfa_token = S(required=True, validate=validate.Length(min=1, max=200))


class MfaCode(StrictSchema):
    mfa_token = S(required=True, validate=validate.Length(min=1, max=200))
    code = S(required=True, validate=validate.Length(min=1, max=40))
    token_delivery = TOKEN_DELIVERY


class MfaEnrolment(Schema):
    secret = S()
    otpauth_uri = S()
    digits = fields.Integer()
    interval = fields.Integer()


class SignedOut(Schema):
    status = S()
