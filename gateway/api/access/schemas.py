"""Portal access (docs/identity.md): welcome invitations, the practice-wide access list, the
safe word, password resets and linked clients.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates

from gateway.api.contacts.schemas import Grant
from gateway.api.formats import DATE, ID
from gateway.api.session.schemas import TOKEN_DELIVERY
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean


# -- invitations (docs/identity.md, "Welcome invitations") --------------------
TOKEN = S(required=True, validate=validate.Length(min=10, max=200), metadata={
    "description": "the single-use token from the emailed link (sent in the body, never in "
                   "an API path, so it stays out of access logs)"})


class InvitationLookup(StrictSchema):
    token = TOKEN


class InvitationPractice(Schema):
    code = S()
    name = S()
    title = S(allow_none=True)


class Invitation(Schema):
    practice = fields.Nested(InvitationPractice)
    login = S()
    expires_at = S()
    attempts_left = fields.Integer()
    min_password_length = fields.Integer()


class AcceptInvitation(StrictSchema):
    token = TOKEN
    date_of_birth = S(required=True, validate=DATE)
    password = S(required=True, validate=validate.Length(min=1, max=1024))
    token_delivery = TOKEN_DELIVERY


class AccessStatus(Schema):
    client_id = S()
    status = S(metadata={"description": "never_invited, sent, expired, locked, cancelled, "
                                        "signed_up, suspended or access_removed"})
    invited_at = S(allow_none=True)
    expires_at = S(allow_none=True)
    resend_at = S(allow_none=True, metadata={"description": "when staff may send again"})
    signed_up_at = S(allow_none=True)
    login = S(allow_none=True)
    last_sign_in_at = S(allow_none=True)
    account_id = S(allow_none=True)
    account_status = S(allow_none=True)


class AccessListItem(AccessStatus):
    first_name = S(allow_none=True)
    last_name = S(allow_none=True)


class AccessList(Schema):
    items = fields.List(fields.Nested(AccessListItem))
    total = fields.Integer()


ACCESS_STATUSES = ["never_invited", "sent", "expired", "locked", "cancelled", "signed_up",
                   "suspended", "access_removed"]


class AccessListQuery(StrictSchema):
    status = S(validate=validate.OneOf(ACCESS_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))


# -- the safe word (docs/identity.md) ---------------------------------------------
class SafeWordPut(StrictSchema):
    safe_word = S(required=True, validate=validate.Length(min=1, max=60), metadata={
        "description": "1 to 60 characters (runs of blanks count as one)"})

    @validates("safe_word")
    def _not_blank(self, value, **_):
        if not value.strip():
            raise ValidationError("A safe word has 1 to 60 characters.")


class SafeWordSaved(Schema):
    client_id = S()
    safe_word_set = Bool()
    updated_at = S(allow_none=True)


class SafeWord(Schema):
    client_id = S()
    safe_word = S(allow_none=True, metadata={"description": "null when none was set"})
    updated_at = S(allow_none=True)


# -- password reset (docs/identity.md, "Password reset") ------------------------
class ResetRequest(StrictSchema):
    practice_code = S(required=True, validate=validate.Length(min=1, max=63))
    email = S(required=True, validate=validate.Length(min=1, max=254))
    audience = S(load_default="portal", validate=validate.OneOf(["portal", "staff"]))


class ResetAccepted(Schema):
    accepted = Bool()
    message = S()


class ResetPractice(InvitationPractice):
    password_help = S(allow_none=True)


class ResetLink(Schema):
    kind = S(metadata={"description": "client or staff"})
    expires_at = S()
    practice = fields.Nested(ResetPractice)
    min_password_length = fields.Integer()


class CompleteReset(StrictSchema):
    token = TOKEN
    new_password = S(required=True, validate=validate.Length(min=1, max=1024))


class ResetDone(Schema):
    kind = S()
    practice_code = S()
    login = S()


class ResetSent(Schema):
    sent_to = S()
    expires_at = S()


class LinkRequest(StrictSchema):
    client_id = S(required=True, validate=ID)


class AccountClient(Schema):
    client_id = S()
    name = S(allow_none=True)
    own = Bool()
    linked_at = S(allow_none=True)


class AccountClients(Schema):
    account_id = S()
    login = S()
    status = S()
    name = S(allow_none=True)
    last_sign_in_at = S(allow_none=True)
    grants = fields.List(fields.Nested(Grant), metadata={
        "description": "further clients it acts for through a grant (as a guardian)"})
    clients = fields.List(fields.Nested(AccountClient))
