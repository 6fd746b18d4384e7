"""Staff administration (docs/identity.md, "Staff"): the practice's staff list, staff
invitations, roles, status, and what each role grants in this practice.

Permissions travel inside access tokens, so identity ends the sessions of anyone a change
could take something from; every gateway replica stops honouring them within a second.
"""
from gateway.api.access.schemas import ResetSent
from gateway.api.security.schemas import MfaResetDone
from gateway.api.team import schemas
from gateway.router import STAFF, RouteTable
from services.common.errors import InvalidInput, NotFound

table = RouteTable()
TAGS = ("staff administration",)
MANAGE_STAFF = "manage_staff"


@table.route("GET", "/api/v1/staff", auth=STAFF, response=schemas.StaffMember(many=True),
             tags=TAGS, summary="The practice's staff, by name")
def list_staff(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    return ctx.app.rpc.call("identity", "list_staff", ctx.who.wire)


@table.route("POST", "/api/v1/staff", errors=(409,), auth=STAFF, request=schemas.StaffInvite,
             response=schemas.StaffMember, status=201, tags=TAGS,
             summary="Invite a staff member: an email with a link to choose a password",
             description="They add an authenticator app at their first sign-in. 409 "
                         "`email_taken`.")
def invite_staff(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    return ctx.app.rpc.call("identity", "invite_staff", ctx.who.wire, dict(ctx.body))


@table.route("PATCH", "/api/v1/staff/<staff_id>", errors=(409,),
             auth=STAFF, request=schemas.StaffUpdate,
             response=schemas.StaffMember, tags=TAGS,
             summary="Change a staff member's role or status",
             description="Send `role` or `status` (or both). Ends their sessions. 409 "
                         "`own_account`, `last_administrator`, `not_signed_up`; 404 `no_staff`.")
def update_staff(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    if not ctx.body:
        sentence = "Send a new role or status."
        raise InvalidInput("invalid_input", sentence, {"role": [sentence]})
    staff_id, result = ctx.params["staff_id"], None
    if "role" in ctx.body:
        result = ctx.app.rpc.call("identity", "set_staff_role", ctx.who.wire,
                                  {"staff_id": staff_id, "role": ctx.body["role"]})
    if "status" in ctx.body:
        result = ctx.app.rpc.call("identity", "set_staff_status", ctx.who.wire,
                                  {"staff_id": staff_id, "status": ctx.body["status"]})
    return result


@table.route("POST", "/api/v1/staff/<staff_id>/password-reset", errors=(409,), auth=STAFF,
             response=ResetSent,
             status=201, tags=TAGS, summary="Email a staff member a password reset link",
             description="404 `no_login`; 409 `account_inactive`.")
def send_staff_reset(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    return ctx.app.rpc.call("identity", "send_password_reset", ctx.who.wire,
                            {"staff_id": ctx.params["staff_id"]})


@table.route("POST", "/api/v1/staff/<staff_id>/two-factor/reset", auth=STAFF,
             response=MfaResetDone, tags=TAGS,
             summary="Remove a staff member's authenticator (a lost phone)",
             description="Ends their sessions; they add an app again at their next sign-in. "
                         "404 `no_login`.")
def reset_staff_mfa(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    return ctx.app.rpc.call("identity", "reset_mfa", ctx.who.wire,
                            {"staff_id": ctx.params["staff_id"]})


@table.route("GET", "/api/v1/roles", auth=STAFF, response=schemas.RoleMatrix, tags=TAGS,
             summary="What each role grants in this practice, with the defaults")
def get_roles(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    return ctx.app.rpc.call("identity", "get_role_permissions", ctx.who.wire)


@table.route("PUT", "/api/v1/roles/<role>", errors=(409,), auth=STAFF, request=schemas.RolePut,
             response=schemas.RoleMatrix, tags=TAGS,
             summary="Make a role grant exactly these permissions in this practice",
             description="Removing a permission ends the sessions of everyone holding the "
                         "role. 409 `admin_lockout` (practice_admin keeps manage_staff); 404 "
                         "for an unknown role.")
def put_role(ctx):
    ctx.actor.require_staff(MANAGE_STAFF)
    role = ctx.params["role"]
    if role not in schemas.ROLES:
        raise NotFound("no_role", "There is no such role.")
    return ctx.app.rpc.call("identity", "set_role_permissions", ctx.who.wire,
                            {"role": role, "permissions": list(ctx.body["permissions"])})
