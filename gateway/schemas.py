"""Request and response schemas of the HTTP API.

The router validates with these and openapi.py describes the API from these same
classes, so the description cannot drift from what is enforced. Request schemas refuse
unknown fields (422 naming the field); response schemas decide what leaves the gateway.
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean
SHORT = validate.Length(max=200)
DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Use the form YYYY-MM-DD.")


# -- errors and probes --------------------------------------------------------
class Error(Schema):
    error = S(required=True, metadata={"description": "snake_case code for programs"})
    message = S(required=True, metadata={"description": "a sentence for people"})
    fields = fields.Dict(keys=S(), values=fields.List(S()),
                         metadata={"description": "field name -> problems"})


class Health(Schema):
    status = S(required=True)


class Ready(Schema):
    status = S(required=True, metadata={"description": "ok or unavailable"})
    checks = fields.Dict(keys=S(), values=S(), required=True)


# -- practices ----------------------------------------------------------------
class Practice(Schema):
    id = S()
    code = S()
    name = S()
    title = S(allow_none=True)
    instructions = S(allow_none=True)
    time_zone = S(allow_none=True)
    portal_enabled = fields.Boolean()
    password_help = S(allow_none=True)
    theme_color = S(allow_none=True)


# -- session ------------------------------------------------------------------
class SignIn(StrictSchema):
    practice_code = S(validate=validate.Length(min=1, max=64))
    login = S(required=True, validate=validate.Length(min=1, max=254))
    password = S(required=True, validate=validate.Length(min=1, max=1024))
    audience = S(required=True, validate=validate.OneOf(["portal", "staff"]))


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


class Tokens(Schema):
    access_token = S()
    refresh_token = S()
    expires_in = fields.Integer()
    must_change_password = fields.Boolean()
    principal = fields.Nested(Principal)


class SignedOut(Schema):
    status = S()


# -- client records -----------------------------------------------------------
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
    version = fields.Integer(strict=True, metadata={
        "description": "the version you read; a stale one is refused with 409 stale_version"})


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


class MeQuery(StrictSchema):
    client_id = S(validate=validate.Length(min=1, max=64), metadata={
        "description": "which of the clients you act for; needed only if more than one"})


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


class PortalAccessUpdate(StrictSchema):
    status = S(required=True, validate=validate.OneOf(["active", "suspended", "inactive"]))
    change_password_at_next_login = fields.Boolean()


# -- alerts -------------------------------------------------------------------
class Alert(Schema):
    id = S()
    kind = S()
    client_id = S(allow_none=True)
    client_name = S(allow_none=True)
    fields = fields.List(S())
    batch_id = S(allow_none=True)
    created_at = S()
    read = Bool()  # `fields` above shadows the module inside this class


class AlertQuery(StrictSchema):
    unread_only = fields.Boolean()


class Done(Schema):
    status = S()
