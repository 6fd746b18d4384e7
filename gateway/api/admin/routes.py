"""Administrators' pages: the practice's portal settings and the audit trail (identity)."""
from gateway.api.admin import schemas
from gateway.api.branding.routes import replaced, with_base_domain
from gateway.api.practices.schemas import PracticeSettings
from gateway.router import STAFF, RouteTable

table = RouteTable()
TAGS = ("practice administration",)
SETTINGS = "manage_practice_settings"


@table.route("GET", "/api/v1/practice/settings", auth=STAFF,
             response=PracticeSettings, tags=TAGS,
             summary="Your practice's portal settings")
def get_settings(ctx):
    ctx.actor.require_staff(SETTINGS)
    return with_base_domain(ctx, ctx.app.readmodels.practice_settings(ctx.who))


@table.route("PATCH", "/api/v1/practice/settings", errors=(409,), auth=STAFF,
             request=schemas.PracticeSettingsUpdate, response=PracticeSettings,
             tags=TAGS, summary="Change your practice's portal settings",
             description="Send only what changes. 409 `code_taken` / `subdomain_taken`; "
                         "422 `subdomain_reserved`, `invalid_subdomain`, "
                         "`colour_unreadable`. A new code moves the portal to /p/<code>; "
                         "the old address stops working. A subdomain also opens the portal "
                         "at https://<subdomain>.<portal_base_domain>/. `logo_ref: null` "
                         "removes the logo.")
def update_settings(ctx):
    ctx.actor.require_staff(SETTINGS)
    practice = ctx.app.rpc.call("identity", "update_practice_settings", ctx.who.wire, ctx.body)
    # read your own write; a removed logo's blob goes after the change committed
    return replaced(ctx, practice)


@table.route("GET", "/api/v1/audit", auth=STAFF, query=schemas.AuditQuery,
             response=schemas.AuditLog, tags=TAGS, summary="The audit trail, newest first",
             description="Sign-ins, failures, password and access changes of your practice. "
                         "Each entry names its actor and subject (`actor_name`, "
                         "`subject_name`) where identity knows them, else null.")
def list_audit(ctx):
    ctx.actor.require_staff("view_audit_log")
    payload = {}
    for key, value in ctx.query.items():
        payload[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return ctx.app.rpc.call("identity", "list_audit", ctx.who.wire, payload)
