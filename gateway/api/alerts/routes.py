"""Staff alerts and to-do items, from notify."""
from gateway.api.alerts import schemas
from gateway.router import STAFF, RouteTable

table = RouteTable()
TAGS = ("alerts",)


@table.route("GET", "/api/v1/alerts", auth=STAFF, query=schemas.AlertQuery,
             response=schemas.Alert(many=True), summary="Your alerts, newest first", tags=TAGS)
def list_alerts(ctx):
    payload = {"unread_only": ctx.query["unread_only"]} if "unread_only" in ctx.query else {}
    return ctx.app.rpc.call("notify", "list_alerts", ctx.who.wire, payload)


@table.route("POST", "/api/v1/alerts/<alert_id>/read", auth=STAFF, response=schemas.Done,
             summary="Mark an alert read", tags=TAGS)
def mark_read(ctx):
    ctx.app.rpc.call("notify", "mark_alert_read", ctx.who.wire, ctx.params["alert_id"])
    return {"status": "read"}
