"""A practice, its settings and logo, and its branding as answered."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.common.schemas import StrictSchema
from services.identity.domain import accounts, branding


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
