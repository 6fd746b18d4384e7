"""Two-step sign-in: one's own (enrol, confirm, recovery codes, turn off) and what staff
resetting someone else's answers (`MfaResetDone`: clients, contacts, staff).
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean
Int = fields.Integer


class MfaResetDone(Schema):
    reset = Bool()


# -- one's own two-step sign-in ---------------------------------------------------------
class TwoFactorStatus(Schema):
    enrolled = Bool()
    required = Bool(metadata={"description": "true: it cannot be turned off (staff always; "
                                             "clients when the practice requires it)"})
    enrolled_at = S(allow_none=True)
    recovery_codes_left = Int()


class TwoFactorSecret(Schema):
    secret = S(metadata={"description": "base32, to type into an authenticator app"})
    otpauth_uri = S()
    digits = Int()
    interval = Int()


class TwoFactorCode(StrictSchema):
    code = S(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "the 6-digit code from the authenticator app"})


class TwoFactorDisable(StrictSchema):
    code = S(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "a code from the app, or one recovery code"})


class TwoFactorEnrolled(Schema):
    enrolled_at = S()
    recovery_codes = fields.List(S(), metadata={"description": "shown once: keep them safe"})


class RecoveryCodes(Schema):
    recovery_codes = fields.List(S(), metadata={"description": "the old ones stop working"})


class TwoFactorOff(Schema):
    enrolled = Bool()
