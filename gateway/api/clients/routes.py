"""Staff work on client records and portal access; a holder of a client may read it."""
from gateway.api.clients import schemas
from gateway.api.me.routes import READ_DETAILS, update_record
from gateway.router import ANY, STAFF, RouteTable
from services.common.errors import Forbidden, NotFound

table = RouteTable()
TAGS = ("clients",)


def _may_reach(ctx, client_id, permission=None):
    """Staff reach their practice's clients; others only the clients they hold (404 if not)."""
    actor = ctx.actor
    if actor.is_staff:
        return
    if client_id not in actor.clients:
        raise NotFound("not_found", "That record does not exist.")
    if permission and not actor.may_act_for(client_id, permission):
        raise Forbidden("not_permitted", "Your access to this person does not include that.")


@table.route("GET", "/api/v1/clients", auth=STAFF, query=schemas.ClientQuery,
             response=schemas.ClientSummary(many=True), summary="Find clients", tags=TAGS)
def list_clients(ctx):
    payload = {"query": ctx.query["query"]} if ctx.query.get("query") else {}
    return ctx.app.rpc.call("charts", "list_clients", ctx.who.wire, payload)


@table.route("POST", "/api/v1/clients", auth=STAFF, request=schemas.ClientCreate,
             response=schemas.ClientRecord, status=201, summary="Create a client", tags=TAGS)
def create_client(ctx):
    ctx.actor.require_staff("edit_clients")
    record = ctx.app.rpc.call("charts", "create_client", ctx.who.wire, ctx.body)
    if isinstance(record, dict) and record.get("id"):
        return ctx.raw(ctx.app.readmodels.record_written(ctx.actor, record["id"], record), 201)
    return record


@table.route("GET", "/api/v1/clients/<client_id>", auth=ANY, response=schemas.ClientRecord,
             summary="A client's record", tags=TAGS)
def get_client(ctx):
    client_id = ctx.params["client_id"]
    _may_reach(ctx, client_id, READ_DETAILS)
    return ctx.raw(ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id))


@table.route("PATCH", "/api/v1/clients/<client_id>", errors=(409,),
             auth=ANY, request=schemas.DetailsUpdate,
             response=schemas.ClientRecord, summary="Update a client's details", tags=TAGS,
             description="Send only what changed, with the `version` you read.")
def update_client(ctx):
    client_id = ctx.params["client_id"]
    _may_reach(ctx, client_id, "manage_information")
    if ctx.actor.is_staff:
        ctx.actor.require_staff("edit_clients")
    return ctx.raw(update_record(ctx, client_id))


@table.route("GET", "/api/v1/clients/<client_id>/revisions", auth=STAFF,
             response=schemas.Revision(many=True), summary="What changed, newest first",
             tags=TAGS)
def list_revisions(ctx):
    return ctx.app.rpc.call("charts", "list_revisions", ctx.who.wire, ctx.params["client_id"])


@table.route("GET", "/api/v1/clients/<client_id>/portal-access", auth=STAFF,
             response=schemas.PortalAccess, summary="The client's portal login", tags=TAGS)
def get_portal_access(ctx):
    return ctx.app.rpc.call("identity", "get_client_access", ctx.who.wire,
                            ctx.params["client_id"])


@table.route("PUT", "/api/v1/clients/<client_id>/portal-access", auth=STAFF,
             request=schemas.PortalAccessCreate, response=schemas.PortalAccess, status=201,
             summary="Set up the client's portal login", tags=TAGS)
def create_portal_access(ctx):
    ctx.actor.require_staff("manage_portal_access")
    client_id = ctx.params["client_id"]
    payload = dict(ctx.body, client_id=client_id)
    # The chart's date of birth goes with the login (client_own_access_from_age is checked
    # against it at sign-in), so the record is read before the write, every time.
    record = ctx.app.rpc.call("charts", "get_client", ctx.who.wire, client_id) or {}
    if record.get("date_of_birth"):
        payload["date_of_birth"] = record["date_of_birth"]
    if not payload.get("client_name"):
        payload["client_name"] = " ".join(
            p for p in (record.get("first_name"), record.get("last_name")) if p)
    return ctx.app.rpc.call("identity", "create_client_access", ctx.who.wire, payload)


@table.route("PATCH", "/api/v1/clients/<client_id>/portal-access", auth=STAFF,
             request=schemas.PortalAccessUpdate, response=schemas.PortalAccess,
             summary="Suspend, reactivate or close the client's portal login", tags=TAGS)
def update_portal_access(ctx):
    ctx.actor.require_staff("manage_portal_access")
    payload = dict(ctx.body, client_id=ctx.params["client_id"])
    return ctx.app.rpc.call("identity", "set_client_access_status", ctx.who.wire, payload)
