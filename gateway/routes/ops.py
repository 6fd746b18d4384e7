"""Operations for a practice's administrators: event deliveries that failed, and replay.

A parked delivery is an update one of Haven's services could not process after its
retries (docs/operations.md, "Parked events and replay"). Staff with `view_operations`
see and replay their own practice's only; each service checks that again.
"""
from marshmallow import Schema, fields, validate

from gateway.router import STAFF, RouteTable
from services.common.errors import NotFound
from services.common.schemas import StrictSchema

table = RouteTable()
TAGS = ("operations",)
PERMISSION = "view_operations"
# The services whose event handlers can park a delivery (those offering OpsMixin).
SERVICES = ("identity", "notify")


class FailedDeliveryQuery(StrictSchema):
    parked_only = fields.Boolean(metadata={"description": "only those that gave up retrying"})


class FailedDelivery(Schema):
    service = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    handler = fields.String(metadata={"description": "the service's handler that failed"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True, metadata={
        "description": "the error's kind only (e.g. `TimeoutError`), never its text"})
    parked = fields.Boolean(metadata={"description": "retries exhausted: waits for a replay"})
    first_failed_at = fields.String()
    parked_at = fields.String(allow_none=True)


class ReplayRequest(StrictSchema):
    handler = fields.String(required=True, validate=validate.Length(min=1, max=200))


class Replayed(Schema):
    service = fields.String()
    event_id = fields.String()
    handler = fields.String()
    replayed = fields.Boolean()


@table.route("GET", "/api/v1/ops/failed-deliveries", auth=STAFF, query=FailedDeliveryQuery,
             response=FailedDelivery(many=True), tags=TAGS,
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
             request=ReplayRequest, response=Replayed, tags=TAGS,
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
