"""A practice as the API shows it: its public branding (`Practice`, also inside a session's
principal) and the settings staff read (`PracticeSettings`, answered by the settings and
logo routes). The read models dump with these too.
"""
from marshmallow import Schema, fields

S = fields.String
Bool = fields.Boolean


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
