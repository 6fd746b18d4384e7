"""Request and response schemas of the HTTP API.

The router validates with these and openapi.py describes the API from these same
classes, so the description cannot drift from what is enforced. Request schemas refuse
unknown fields (422 naming the field); response schemas decide what leaves the gateway.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates

from gateway.people_schemas import Grant
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean
SHORT = validate.Length(max=200)
DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Use the form YYYY-MM-DD.")


# -- errors and probes --------------------------------------------------------
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
    accent_color = S(allow_none=True)
    theme_text_color = S(allow_none=True, metadata={
        "description": "#000000 or #ffffff: the text colour with the higher WCAG contrast "
                       "on theme_color"})
    accent_text_color = S(allow_none=True, metadata={
        "description": "#000000 or #ffffff: the text colour with the higher WCAG contrast "
                       "on accent_color"})
    logo_url = fields.Function(lambda p: _logo_url(p), metadata={
        "type": "string", "nullable": True,
        "description": "where the practice's logo is (its version in ?v=), null without one; "
                       "show it with the practice's title as its text alternative"})
    idle_timeout_minutes = fields.Integer(metadata={
        "description": "minutes without activity before the web client signs out"})


def _logo_url(practice):
    get = practice.get if isinstance(practice, dict) else lambda k: getattr(practice, k, None)
    code, sha256 = get("code"), get("logo_sha256")
    if not get("logo_ref") or not code or not sha256:
        return None
    return f"/api/v1/practices/{code}/logo?v={sha256[:16]}"


# -- session ------------------------------------------------------------------
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


# -- linked clients -------------------------------------------------------------
ID = validate.Length(min=1, max=64)


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


# -- practice settings ------------------------------------------------------------
COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #2f5f7a.")
SLUG = validate.Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                       error="Use lowercase letters, digits and hyphens.")


SUBDOMAIN = validate.Regexp(r"^$|^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                            error="Use 1 to 63 lowercase letters, digits and hyphens, not "
                                  "starting or ending with a hyphen.")

GRANT_PERMISSIONS = ["view_appointments", "manage_information", "manage_documentation",
                     "message_clinician", "billing"]


class PracticeSettings(Practice):
    logo_ref = S(allow_none=True)
    logo_sha256 = S(allow_none=True)
    logo_content_type = S(allow_none=True)
    subdomain = S(allow_none=True)
    portal_base_domain = S(metadata={
        "description": "the domain own subdomains live under (HAVEN_PORTAL_BASE_DOMAIN): the "
                       "portal also opens at https://<subdomain>.<portal_base_domain>/ (emailed "
                       "links use it only when the deployment set it; the default is "
                       "`localhost`)"})
    invitation_days = fields.Integer()
    # guardian age bands and the two-step rule for clients (docs/identity.md)
    guardian_full_until_age = fields.Integer()
    guardian_access_ends_at_age = fields.Integer()
    client_own_access_from_age = fields.Integer()
    confidential_permissions = fields.List(S())
    mfa_required_for_clients = Bool()


class PracticeSettingsUpdate(StrictSchema):
    name = S(validate=validate.Length(min=1, max=200))
    portal_enabled = Bool()
    title = S(allow_none=True, validate=validate.Length(max=200))
    instructions = S(allow_none=True, validate=validate.Length(max=10000))
    theme_color = S(allow_none=True, validate=COLOUR)
    accent_color = S(allow_none=True, validate=COLOUR)
    code = S(validate=SLUG, metadata={"description": "the portal address /p/<code>"})
    subdomain = S(allow_none=True, validate=SUBDOMAIN, metadata={
        "description": "the practice's own address <subdomain>.<portal_base_domain>: one DNS "
                       "label (1-63 lowercase letters, digits, hyphens, not at either end); "
                       "null or \"\" removes it. 409 `subdomain_taken`; 422 "
                       "`subdomain_reserved` (www, api, staff…). When the deployment sets "
                       "HAVEN_PORTAL_BASE_DOMAIN, emailed portal links use this address"})
    logo_ref = S(allow_none=True, validate=validate.Equal(
        None, error="Send null to remove the logo; upload a new one to change it."), metadata={
        "description": "only null (removes the logo); POST /api/v1/practice/logo sets one"})
    password_help = S(allow_none=True, validate=validate.Length(max=2000))
    idle_timeout_minutes = fields.Integer(strict=True, validate=validate.Range(min=5, max=240))
    invitation_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=30))
    time_zone = S(validate=validate.Length(min=1, max=64))
    guardian_full_until_age = fields.Integer(strict=True, validate=validate.Range(min=0, max=21),
                                             metadata={"description": "before this birthday "
                                                       "a guardian has everything granted"})
    guardian_access_ends_at_age = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=26), metadata={
            "description": "from this birthday a guardian's grant allows nothing unless "
                           "staff renew it"})
    client_own_access_from_age = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=21),
        metadata={"description": "the age from which a client may have their own login"})
    confidential_permissions = fields.List(S(validate=validate.OneOf(GRANT_PERMISSIONS)),
                                           validate=validate.Length(max=5), metadata={
        "description": "hidden from guardians between the two ages"})
    mfa_required_for_clients = Bool(metadata={
        "description": "clients and contacts must sign in with a second step"})


# -- audit ---------------------------------------------------------------------------
class AuditQuery(StrictSchema):
    action = S(validate=validate.Length(min=1, max=40))
    actor_id = S(validate=ID)
    subject_id = S(validate=ID)
    since = fields.AwareDateTime(default_timezone=None, metadata={
        "description": "ISO-8601 with a time zone, e.g. 2026-01-01T00:00:00Z"})
    until = fields.AwareDateTime(default_timezone=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditEntry(Schema):
    id = S()
    occurred_at = S()
    action = S()
    actor_kind = S(allow_none=True)
    actor_id = S(allow_none=True)
    actor_name = S(allow_none=True, metadata={
        "description": "The actor's display name where identity knows one (staff, contact, "
                       "client portal account); null otherwise, e.g. a deleted record"})
    subject_kind = S(allow_none=True)
    subject_id = S(allow_none=True)
    subject_name = S(allow_none=True, metadata={
        "description": "The subject's display name where identity knows one; null otherwise"})
    session_id = S(allow_none=True)
    source_ip = S(allow_none=True)
    detail = fields.Dict(allow_none=True)


class AuditLog(Schema):
    entries = fields.List(fields.Nested(AuditEntry))
