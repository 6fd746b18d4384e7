"""marshmallow schemas of identity's RPC payloads and results (docs/contracts.md)."""
from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.common.schemas import StrictSchema
from services.identity.domain import accounts, branding, grants, invitations, roles

_email = dict(required=True, validate=validate.Length(max=320))
_password = dict(required=True, validate=validate.Length(min=1, max=1024))


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


class NoticeAddress(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("client", "contact")))
    id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class NoticeRecipients(StrictSchema):
    """Who notify tells that something changed for a client (`list_notice_recipients`)."""
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    permission = fields.String(required=True, validate=validate.OneOf(grants.PERMISSIONS))


class Refresh(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class SignOut(StrictSchema):
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class ChangePassword(StrictSchema):
    current_password = fields.String(**_password)
    new_password = fields.String(**_password)
    source_ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class CreateClientAccess(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    login = fields.Email(**_email)
    temporary_password = fields.String(**_password)
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


class CancelInvitation(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class SetClientAccessStatus(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    status = fields.String(required=True, validate=validate.OneOf(accounts.STATUSES))
    change_password_at_next_login = fields.Boolean(load_default=None, allow_none=True)


class ListRevocations(StrictSchema):
    since = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=timezone.utc)


class CreatePractice(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    instructions = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=10000))
    time_zone = fields.String(load_default="America/New_York")
    password_help = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=2000))
    portal_enabled = fields.Boolean(load_default=True)
    theme_color = fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$",
                                                         error="Use a colour like #2a6f97."))

    @validates("code")
    def _code(self, value, **_):
        if not accounts.valid_code(value):
            raise ValidationError("Use lowercase letters, digits and hyphens only.")

    @validates("time_zone")
    def _time_zone(self, value, **_):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Use an IANA time zone such as America/New_York.") from None


class CreateStaff(StrictSchema):
    email = fields.Email(**_email)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))
    password = fields.String(**_password)
    change_password_at_next_login = fields.Boolean(load_default=False)
    # system only (seeding, tests): a confirmed TOTP secret, base32
    mfa_secret = fields.String(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^[A-Z2-7]{16,64}$"))


def _iso(value):
    return value.isoformat() if value is not None else None


class PracticeOut(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    title = fields.String(allow_none=True)
    instructions = fields.String(allow_none=True)
    time_zone = fields.String()
    portal_enabled = fields.Boolean()
    password_help = fields.String(allow_none=True)
    theme_color = fields.String(allow_none=True)
    accent_color = fields.String(allow_none=True)
    logo_ref = fields.String(allow_none=True)
    logo_sha256 = fields.String(allow_none=True)
    logo_content_type = fields.String(allow_none=True)
    subdomain = fields.String(allow_none=True)
    # black or white, whichever keeps text on the colour readable (WCAG AA)
    theme_text_color = fields.Function(lambda p: branding.text_on(p.theme_color))
    accent_text_color = fields.Function(lambda p: branding.text_on(p.accent_color))
    idle_timeout_minutes = fields.Integer()
    invitation_days = fields.Integer()
    guardian_full_until_age = fields.Integer()
    guardian_access_ends_at_age = fields.Integer()
    client_own_access_from_age = fields.Integer()
    confidential_permissions = fields.Function(
        lambda p: list(p.confidential_permissions) if p.confidential_permissions is not None
        else ["message_clinician", "manage_documentation"])
    mfa_required_for_clients = fields.Boolean()


class ClientAccessOut(Schema):
    account_id = fields.String(attribute="id")
    client_id = fields.String()
    login = fields.String()
    status = fields.String()
    must_change_password = fields.Boolean()
    created_at = fields.Function(lambda a: _iso(a.created_at))
    last_sign_in_at = fields.Function(lambda a: _iso(a.last_sign_in_at))


class StaffOut(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    status = fields.String()


# -- issue 4: invitations, password resets, portal settings, audit (docs/identity.md) --------
_token = dict(required=True, validate=validate.Length(min=1, max=200))
_ip = dict(load_default=None, allow_none=True, validate=validate.Length(max=64))
_client_id = dict(required=True, validate=validate.Length(min=1, max=36))


class InviteClient(StrictSchema):
    client_id = fields.String(**_client_id)


class InvitationToken(StrictSchema):
    token = fields.String(**_token)


class AcceptInvitation(StrictSchema):
    token = fields.String(**_token)
    date_of_birth = fields.Date(required=True)
    password = fields.String(**_password)
    source_ip = fields.String(**_ip)


class ListPortalAccess(StrictSchema):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf([s for s in invitations.ACCESS_STATUSES
                                                    if s != invitations.NEVER_INVITED]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class RequestPasswordReset(StrictSchema):
    practice_code = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    audience = fields.String(load_default="portal", validate=validate.OneOf(("portal", "staff")))
    source_ip = fields.String(**_ip)


class SendPasswordReset(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))
    staff_id = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=36))


class CompletePasswordReset(StrictSchema):
    token = fields.String(**_token)
    new_password = fields.String(**_password)
    source_ip = fields.String(**_ip)


_colour = dict(allow_none=True, validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$",
                                                        error="Use a colour like #2a6f97."))


class UpdatePracticeSettings(StrictSchema):
    """Partial: only the keys present change."""
    name = fields.String(validate=validate.Length(min=1, max=200))
    portal_enabled = fields.Boolean()
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    instructions = fields.String(allow_none=True, validate=validate.Length(max=10000))
    theme_color = fields.String(**_colour)
    accent_color = fields.String(**_colour)
    # only null (remove the logo): a logo is set through set_practice_logo, never by
    # naming a blob here (which could point the public logo at any file in the store)
    logo_ref = fields.String(allow_none=True, validate=validate.Equal(
        None, error="Send null to remove the logo; upload a new one to change it."))
    code = fields.String()
    subdomain = fields.String(allow_none=True)
    password_help = fields.String(allow_none=True, validate=validate.Length(max=2000))
    idle_timeout_minutes = fields.Integer(validate=validate.Range(min=5, max=240))
    invitation_days = fields.Integer(validate=validate.Range(min=1, max=30))
    time_zone = fields.String()
    # guardian age bands and the two-factor rule (docs/identity.md)
    guardian_full_until_age = fields.Integer(validate=validate.Range(min=0, max=21))
    guardian_access_ends_at_age = fields.Integer(validate=validate.Range(min=1, max=26))
    client_own_access_from_age = fields.Integer(validate=validate.Range(min=0, max=21))
    confidential_permissions = fields.List(fields.String(validate=validate.OneOf(
        ("view_appointments", "manage_information", "manage_documentation",
         "message_clinician", "billing"))))
    mfa_required_for_clients = fields.Boolean()

    @validates("code")
    def _code(self, value, **_):
        if not accounts.valid_code(value):
            raise ValidationError("Use lowercase letters, digits and hyphens only.")


    @validates("time_zone")
    def _time_zone(self, value, **_):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Use an IANA time zone such as America/New_York.") from None


class SetPracticeLogo(StrictSchema):
    """A logo already in the blob store (the gateway streamed it there and named its type
    by content), or blob_key null to remove the logo."""
    blob_key = fields.String(required=True, allow_none=True,
                             validate=validate.Regexp(r"^logos/[0-9a-f]{32}$"))
    sha256 = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(load_default=None, allow_none=True)
    content_type = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=40))


class ListAudit(StrictSchema):
    action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    actor_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    subject_id = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=36))
    since = fields.AwareDateTime(load_default=None, allow_none=True,
                                 default_timezone=timezone.utc)
    until = fields.AwareDateTime(load_default=None, allow_none=True,
                                 default_timezone=timezone.utc)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditOut(Schema):
    id = fields.String()
    occurred_at = fields.Function(lambda a: _iso(a.occurred_at))
    action = fields.String()
    actor_kind = fields.String(allow_none=True)
    actor_id = fields.String(allow_none=True)
    subject_kind = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    session_id = fields.String(allow_none=True)
    source_ip = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


def audit_out(row, names):
    """One audit row with the display names of its actor and subject (`names`:
    `store.audit_names`), null where identity knows none. For staff eyes only."""
    return dict(AuditOut().dump(row),
                actor_name=names.get((row.actor_kind, row.actor_id)),
                subject_name=names.get((row.subject_kind, row.subject_id)))


class LinkClient(StrictSchema):
    account_id = fields.String(**_client_id)
    client_id = fields.String(**_client_id)


# -- contacts and grants, staff administration, two-factor (docs/identity.md) -----------------
from services.identity.domain import grants as grant_rules  # noqa: E402

_id36 = dict(required=True, validate=validate.Length(min=1, max=36))
_permission_list = fields.List(fields.String(validate=validate.OneOf(grant_rules.PERMISSIONS)),
                               required=True)


class CreateContact(StrictSchema):
    email = fields.Email(**_email)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContactRef(StrictSchema):
    contact_id = fields.String(**_id36)


class GrantHolder(StrictSchema):
    """Who holds a grant: a contact, or a client portal account (exactly one of them)."""
    contact_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    account_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    client_id = fields.String(**_id36)

    @validates_schema
    def _one_holder(self, data, **_):
        if (data.get("contact_id") is None) == (data.get("account_id") is None):
            raise ValidationError("Name either contact_id or account_id.", "contact_id")


class GrantAccess(GrantHolder):
    permissions = fields.List(fields.String(validate=validate.OneOf(grant_rules.PERMISSIONS)),
                              required=True)
    renewed_until = fields.Date(load_default=None, allow_none=True)


class RevokeAccess(GrantHolder):
    pass


class SetContactStatus(StrictSchema):
    contact_id = fields.String(**_id36)
    status = fields.String(required=True, validate=validate.OneOf(
        (accounts.ACTIVE, accounts.SUSPENDED, accounts.INACTIVE)))


class ListContacts(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))


class InviteStaff(StrictSchema):
    email = fields.Email(**_email)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))


class SetStaffRole(StrictSchema):
    staff_id = fields.String(**_id36)
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))


class SetStaffStatus(StrictSchema):
    staff_id = fields.String(**_id36)
    status = fields.String(required=True, validate=validate.OneOf(
        (accounts.ACTIVE, accounts.SUSPENDED, accounts.INACTIVE)))


class SetRolePermissions(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))
    permissions = fields.List(fields.String(validate=validate.OneOf(roles.PERMISSIONS)),
                              required=True)


class MfaToken(StrictSchema):
    mfa_token = fields.String(**_token)


class CompleteMfa(StrictSchema):
    mfa_token = fields.String(**_token)
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    source_ip = fields.String(**_ip)


class MfaCode(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ResetMfa(StrictSchema):
    staff_id = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=36))
    contact_id = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(min=1, max=36))
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))
