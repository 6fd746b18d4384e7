"""A client's portal login as staff manage it: access, status, safe word, linked clients."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.common.schemas import StrictSchema
from services.identity.domain import accounts, invitations
from services.identity.schemas.shared_fields import CLIENT_ID, EMAIL, iso, PASSWORD


class CreateClientAccess(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    login = fields.Email(**EMAIL)
    temporary_password = fields.String(**PASSWORD)
    change_password_at_next_login = fields.Boolean(load_default=True)
    status = fields.String(load_default=accounts.ACTIVE,
                           validate=validate.OneOf(accounts.INITIAL_STATUSES))
    client_name = fields.String(load_default="", validate=validate.Length(max=200))
    # optional: a verbal check word for phone resets, and the chart's date of birth
    # (client_own_access_from_age is checked against it at sign-in)
    safe_word = fields.String(load_default=None, allow_none=True)
    date_of_birth = fields.Date(load_default=None, allow_none=True)

    @validates("safe_word")
    def _safe_word(self, value, **_):
        _check_safe_word(value)

SAFE_WORD_MAX = 60


def _check_safe_word(value):
    if value is not None and not 1 <= len(" ".join(value.split())) <= SAFE_WORD_MAX:
        raise ValidationError(f"A safe word has 1 to {SAFE_WORD_MAX} characters.")


class SetSafeWord(StrictSchema):
    """`safe_word` null clears it."""
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    safe_word = fields.String(required=True, allow_none=True)
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @validates("safe_word")
    def _safe_word(self, value, **_):
        _check_safe_word(value)


class SetClientAccessStatus(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    status = fields.String(required=True, validate=validate.OneOf(accounts.STATUSES))
    change_password_at_next_login = fields.Boolean(load_default=None, allow_none=True)


class ClientAccessOut(Schema):
    account_id = fields.String(attribute="id")
    client_id = fields.String()
    login = fields.String()
    status = fields.String()
    must_change_password = fields.Boolean()
    created_at = fields.Function(lambda a: iso(a.created_at))
    last_sign_in_at = fields.Function(lambda a: iso(a.last_sign_in_at))


class ListPortalAccess(StrictSchema):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf([s for s in invitations.ACCESS_STATUSES
                                                    if s != invitations.NEVER_INVITED]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class LinkClient(StrictSchema):
    account_id = fields.String(**CLIENT_ID)
    client_id = fields.String(**CLIENT_ID)
