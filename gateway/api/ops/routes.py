"""Operations for a practice's administrators: event deliveries that failed, and replay.

A parked delivery is an update one of Haven's services could not process after its
retries (docs/operations.md, "Parked events and replay"). Staff with `view_operations`
see and replay their own practice's only; each service checks that again.
"""
from gateway.api.ops import schemas
from gateway.router import STAFF, RouteTable
from services.common.errors import NotFound

table = RouteTable()
TAGS = ("operations",)
PERMISSION = "view_operations"
# The services whose event handlers can park a delivery (those offering OpsMixin).
SERVICES = ("identity", "notify")


@table.route("GET", "/api/v1/ops/failed-deliveries", auth=STAFF, query=schemas.FailedDeliveryQuery,
             response=schemas.FailedDelivery(many=True), tags=TAGS,
             summary="Updates your practice's services could not process",
             description="Needs `view_operations`. Newest first; ids, names and counts "
                         "only, never the update's content. `parked: true` ones have "
                         "exhausted their retries and wait for a replay.")
def list_failed_deliveries(ctx):
    ctx.actor.require_staff(PERMISSION)
    payload = {"parked_only": True} if ctx.query.get("parked_only") else {}
    rows = []
    for service in SERVICES:
        for row in ctx.app.rpc.call(service, "ops_list_failed_deliveries", ctx.who.wire, payload):
            rows.append(dict(row, service=service))
    rows.sort(key=lambda r: r["first_failed_at"], reverse=True)
    return rows


@table.route("POST", "/api/v1/ops/failed-deliveries/<service>/<event_id>/replay", auth=STAFF,
             request=schemas.ReplayRequest, response=schemas.Replayed, tags=TAGS,
             summary="Process a parked update again",
             description="Needs `view_operations`. Sends the update back to the handler "
                         "named in the body, with a fresh count of attempts; processing is "
                         "idempotent, so a replay never applies an update twice. 404 when "
                         "your practice has no such failed delivery.")
def replay_delivery(ctx):
    ctx.actor.require_staff(PERMISSION)
    service = ctx.params["service"]
    if service not in SERVICES:
        raise NotFound("not_found", "There is no failed delivery with that id.")
    result = ctx.app.rpc.call(service, "ops_replay_delivery", ctx.who.wire,
                              ctx.params["event_id"], ctx.body["handler"])
    return dict(result, service=service)
