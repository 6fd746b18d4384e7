"""A signed-in client's own details: read from the read model, written through charts."""
from gateway.api.clients.schemas import ClientRecord, DetailsUpdate
from gateway.api.me import schemas
from gateway.router import CLIENT, RouteTable
from services.common.errors import Forbidden, InvalidInput, NotFound

table = RouteTable()
TAGS = ("me",)
NOT_FOUND = ("not_found", "That record does not exist.")
READ_DETAILS = "manage_information"


def own_client_id(ctx):
    """The client the caller acts for: ?client_id=, or the only one they hold."""
    held = ctx.actor.clients
    wanted = ctx.query.get("client_id")
    if wanted is not None:
        if wanted not in held:
            raise NotFound(*NOT_FOUND)
        return wanted
    own = [cid for cid, perms in held.items() if "*" in perms] or list(held)
    if len(own) == 1:
        return own[0]
    if not own:
        raise NotFound(*NOT_FOUND)
    raise InvalidInput("client_id_required", "Say which person you mean with ?client_id=.",
                       {"client_id": ["Missing data for required field."]})


@table.route("GET", "/api/v1/me/details", auth=CLIENT, query=schemas.MeQuery,
             response=ClientRecord, summary="Your own details", tags=TAGS)
def get_details(ctx):
    client_id = own_client_id(ctx)
    # One's own chart ("*") or a contact's grant to manage that person's information.
    ctx.actor.require_client(client_id, READ_DETAILS)
    return ctx.raw(ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id))


@table.route("PATCH", "/api/v1/me/details", errors=(409,), auth=CLIENT, query=schemas.MeQuery,
             request=DetailsUpdate, response=ClientRecord,
             summary="Update your own details",
             description="Send only what changed, with the `version` you read. 403 "
                         "`identity_read_only` (fields named) when it would change the legal "
                         "name or date of birth: only the practice changes them.", tags=TAGS)
def update_details(ctx):
    client_id = own_client_id(ctx)
    if not ctx.actor.may_act_for(client_id, "manage_information"):
        raise Forbidden("not_permitted", "Your access to this person does not include that.")
    return ctx.raw(update_record(ctx, client_id))


def update_record(ctx, client_id):
    """Write through charts; this replica's read model takes the reply (read your writes)."""
    record = ctx.app.rpc.call("charts", "update_demographics", ctx.who.wire, client_id, ctx.body)
    return ctx.app.readmodels.record_written(ctx.actor, client_id, record)
