"""Administrators' pages: changing the practice's settings (what comes back is
gateway/api/practices/schemas.py's `PracticeSettings`) and the audit trail.
"""
from marshmallow import Schema, fields, validate

from gateway.api.contacts.schemas import GRANT_PERMISSIONS
from gateway.api.formats import ID
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean

COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #2f5f7a.")
SLUG = validate.Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                       error="Use lowercase letters, digits and hyphens.")
SUBDOMAIN = validate.Regexp(r"^$|^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                            error="Use 1 to 63 lowercase letters, digits and hyphens, not "
                                  "starting or ending with a hyphen.")


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
