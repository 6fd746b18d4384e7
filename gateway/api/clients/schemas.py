"""A client's record (also the portal's "my details", gateway/api/me/), the practice's
client list, the history of changes and a client's portal access.
"""
from marshmallow import Schema, fields, validate

from gateway.api.formats import DATE
from services.common.schemas import StrictSchema

S = fields.String
SHORT = validate.Length(max=200)


class _Details(StrictSchema):
    """The fields a client record's basic details carry, all optional here."""
    first_name = S(validate=validate.Length(min=1, max=100))
    last_name = S(validate=validate.Length(min=1, max=100))
    preferred_name = S(allow_none=True, validate=validate.Length(max=100))
    date_of_birth = S(allow_none=True, validate=DATE)
    email = S(allow_none=True, validate=validate.Length(max=254))
    phone_mobile = S(allow_none=True, validate=validate.Length(max=40))
    phone_home = S(allow_none=True, validate=validate.Length(max=40))
    phone_work = S(allow_none=True, validate=validate.Length(max=40))
    address_line1 = S(allow_none=True, validate=SHORT)
    address_line2 = S(allow_none=True, validate=SHORT)
    city = S(allow_none=True, validate=validate.Length(max=100))
    state = S(allow_none=True, validate=validate.Length(max=100))
    postal_code = S(allow_none=True, validate=validate.Length(max=20))
    country = S(allow_none=True, validate=validate.Length(max=100))
    primary_language = S(allow_none=True, validate=validate.Length(max=100))


class DetailsUpdate(_Details):
    version = fields.Integer(strict=True, required=True, error_messages={
        "required": "Send the version of the page you read, so that a change made since is "
                    "not overwritten."}, metadata={
        "description": "required: the version you read; a stale one is refused with 409 "
                       "stale_version"})


class ClientCreate(_Details):
    first_name = S(required=True, validate=validate.Length(min=1, max=100))
    last_name = S(required=True, validate=validate.Length(min=1, max=100))


class ClientRecord(Schema):
    id = S()
    first_name = S(allow_none=True)
    last_name = S(allow_none=True)
    preferred_name = S(allow_none=True)
    date_of_birth = S(allow_none=True)
    email = S(allow_none=True)
    phone_mobile = S(allow_none=True)
    phone_home = S(allow_none=True)
    phone_work = S(allow_none=True)
    address_line1 = S(allow_none=True)
    address_line2 = S(allow_none=True)
    city = S(allow_none=True)
    state = S(allow_none=True)
    postal_code = S(allow_none=True)
    country = S(allow_none=True)
    primary_language = S(allow_none=True)
    version = fields.Integer()
    updated_at = S(allow_none=True)


class ClientSummary(Schema):
    id = S()
    first_name = S(allow_none=True)
    last_name = S(allow_none=True)
    date_of_birth = S(allow_none=True)
    email = S(allow_none=True)


class ClientQuery(StrictSchema):
    query = S(validate=validate.Length(max=200))


class Revision(Schema):
    field = S()
    old_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)
    actor_kind = S()
    actor_id = S(allow_none=True)
    changed_at = S()
    batch_id = S()


# -- portal access ------------------------------------------------------------
class PortalAccess(Schema):
    account_id = S()
    client_id = S()
    login = S()
    status = S()
    must_change_password = fields.Boolean()
    created_at = S(allow_none=True)
    last_sign_in_at = S(allow_none=True)


class PortalAccessCreate(StrictSchema):
    login = S(required=True, validate=validate.Length(min=1, max=254))
    temporary_password = S(required=True, validate=validate.Length(min=1, max=1024))
    change_password_at_next_login = fields.Boolean(load_default=True)
    status = S(load_default="active", validate=validate.OneOf(["active", "suspended"]))
    client_name = S(validate=validate.Length(min=1, max=200), metadata={
        "description": "defaults to the name on the client's record"})
    safe_word = S(validate=validate.Length(min=1, max=60), metadata={
        "description": "optional: a word staff check before a phone password reset"})


class PortalAccessUpdate(StrictSchema):
    status = S(required=True, validate=validate.OneOf(["active", "suspended", "inactive"]),
               metadata={"description": "active; suspended (cannot sign in for now); "
                                        "inactive: access removed. Either of the last two "
                                        "ends every open session at once. Send the current "
                                        "status to change only the password rule."})
    change_password_at_next_login = fields.Boolean(metadata={
        "description": "true: the client must choose a new password at the next sign-in"})
