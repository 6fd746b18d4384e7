"""The chart's tabs (a client's own, and staff's view of any client), staff review of
portal changes, and charts' settings (docs/charts.md).

The tabs are read by RPC: they are opened far less often than "My details", which stays
on the read model. A save of the Basic tab goes through `update_demographics`, whose
reply is the record the read model keeps, so the writer's next `GET /me/details` (and
`GET /clients/{id}`) reads what it just wrote on this replica; other replicas drop the
record on `client.updated`, as for every tab. The record also shows the primary language,
which the Details tab saves: a Details save that sends it drops this replica's copy, so
the writer's next read asks charts.
"""
from gateway.api.chart import schemas
from gateway.api.me.routes import own_client_id
from gateway.api.me.schemas import MeQuery
from gateway.router import ANY, CLIENT, STAFF, RouteTable
from services.common.errors import Forbidden, NotFound

table = RouteTable()
TAGS = ("chart",)
REVIEW_TAGS = ("chart review",)
EDIT = "manage_information"
TAB_WORDS = {"basic": "Basic", "details": "Details", "contacts": "Contacts",
             "insurance": "Insurance", "communication": "Communication preferences"}
SAVE_HELP = ("Send only the top-level keys that change (a nested object is replaced whole, "
             "`null` clears it) and the tab's `version` you read. 409 `stale_version` "
             "(`fields.changed`: what changed since); 422 names each bad field by its "
             "dotted path (`primary.subscriber.name`).")


def _unknown_tab():
    return NotFound("unknown_tab", "There is no such tab.")


# kept in the record ("my details") but shown and saved on the Details tab
DETAILS_IN_RECORD = ("primary_language",)
# who the client is: charts refuses a client's or contact's change of them (403
# identity_read_only) and its Basic tab names them in read_only_fields for those readers
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")


def basic_tab(record, read_only_fields=()):
    """The Basic tab as get_tab answers, made from update_demographics' record."""
    values = {k: v for k, v in record.items()
              if k not in ("id", "version", "updated_at", *DETAILS_IN_RECORD)}
    return {"tab": "basic", "version": record.get("version"), "values": values,
            "updated_at": record.get("updated_at"), "editable": True, "read_only_reason": None,
            "read_only_fields": list(read_only_fields)}


def save(ctx, client_id, tab):
    """Write one tab through charts (Basic feeds the read model: read your own write)."""
    if tab == "basic":
        record = ctx.app.rpc.call("charts", "update_demographics", ctx.who.wire, client_id,
                                  ctx.body)
        ctx.app.readmodels.record_written(ctx.actor, client_id, record)
        return basic_tab(record, () if ctx.actor.is_staff else IDENTITY_FIELDS)
    saved = ctx.app.rpc.call("charts", "save_tab", ctx.who.wire, client_id, tab, ctx.body)
    if tab == "details" and any(k in ctx.body for k in DETAILS_IN_RECORD):
        # the record ("my details") shows the language: the writer reads its own write
        ctx.app.readmodels.record_changed(client_id)
    return saved


# -- the portal: the signed-in client's own chart (or a person they act for) ----------------
@table.route("GET", "/api/v1/me/chart", auth=CLIENT, query=MeQuery,
             response=schemas.Chart, tags=TAGS, summary="Your chart: every tab and the settings "
             "that shape it")
def my_chart(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, EDIT)
    return ctx.app.rpc.call("charts", "get_chart", ctx.who.wire, client_id)


@table.route("GET", "/api/v1/me/chart/<tab>", auth=CLIENT, query=MeQuery,
             response=schemas.ChartTab, tags=TAGS, summary="One tab of your chart",
             description="tab: basic, details, contacts, insurance or communication. "
                         "404 `tab_not_offered` for insurance while the practice keeps "
                         "insurance itself (does not let clients update it). Basic's "
                         "`read_only_fields` are the legal name and date of birth: only "
                         "the practice changes them.")
def my_tab(ctx):
    tab = ctx.params["tab"]
    if tab not in schemas.TABS:
        raise _unknown_tab()
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, EDIT)
    return ctx.app.rpc.call("charts", "get_tab", ctx.who.wire, client_id, tab)


def _my_save(tab):
    def handler(ctx):
        client_id = own_client_id(ctx)
        if not ctx.actor.may_act_for(client_id, EDIT):
            raise Forbidden("not_permitted", "Your access to this person does not include that.")
        return save(ctx, client_id, tab)
    handler.__name__ = f"save_my_{tab}_tab"
    return handler


def _staff_save(tab):
    def handler(ctx):
        ctx.actor.require_staff("edit_clients")
        return save(ctx, ctx.params["client_id"], tab)
    handler.__name__ = f"save_client_{tab}_tab"
    return handler


for _tab, _schema in schemas.TAB_SAVES.items():
    extra = {"insurance": " Insurance: 403 `insurance_read_only` unless the practice allows "
                          "clients to update insurance.",
             "basic": " Basic: 403 `identity_read_only` (fields named) when the save would "
                      "change `first_name`, `last_name` or `date_of_birth`: only the practice "
                      "changes them."}.get(_tab, "")
    table.route("PATCH", f"/api/v1/me/chart/{_tab}", auth=CLIENT, query=MeQuery,
                errors=(409,), request=_schema, response=schemas.ChartTab, tags=TAGS,
                summary=f"Save your chart's {TAB_WORDS[_tab]} tab",
                description=SAVE_HELP + extra)(_my_save(_tab))
    table.route("PATCH", f"/api/v1/clients/<client_id>/chart/{_tab}", auth=STAFF,
                errors=(409,), request=_schema, response=schemas.ChartTab, tags=TAGS,
                summary=f"Save a client's {TAB_WORDS[_tab]} tab (staff)",
                description=SAVE_HELP)(_staff_save(_tab))


# -- staff --------------------------------------------------------------------------------
@table.route("GET", "/api/v1/clients/<client_id>/chart", auth=STAFF, response=schemas.Chart,
             tags=TAGS, summary="A client's chart, every tab")
def client_chart(ctx):
    return ctx.app.rpc.call("charts", "get_chart", ctx.who.wire, ctx.params["client_id"])


@table.route("GET", "/api/v1/clients/<client_id>/chart-revisions", auth=STAFF,
             response=schemas.ChartRevision(many=True), tags=TAGS,
             summary="Every change to a client's chart, newest first, with its tab and id "
                     "(to revert)")
def client_revisions(ctx):
    return ctx.app.rpc.call("charts", "list_revisions", ctx.who.wire, ctx.params["client_id"])


@table.route("GET", "/api/v1/changes-to-review", auth=STAFF, query=schemas.ChangesQuery,
             response=schemas.ChangeBatch(many=True), tags=REVIEW_TAGS,
             summary="Portal changes not yet reviewed, newest first",
             description="One item per saved tab, with its revisions (old and new values).")
def changes_to_review(ctx):
    return ctx.app.rpc.call("charts", "list_changes_to_review", ctx.who.wire, dict(ctx.query))


@table.route("POST", "/api/v1/changes-to-review/reviewed", auth=STAFF,
             request=schemas.MarkReviewed, response=schemas.Reviewed, tags=REVIEW_TAGS,
             summary="Mark changes reviewed", description="Idempotent.")
def mark_reviewed(ctx):
    return ctx.app.rpc.call("charts", "mark_changes_reviewed", ctx.who.wire, ctx.body)


@table.route("POST", "/api/v1/chart-revisions/<revision_id>/revert", errors=(409,), auth=STAFF,
             response=schemas.ChartTab, tags=REVIEW_TAGS, summary="Revert one change",
             description="Restores the field's value from before that change as a new change "
                         "by you, and marks the change reviewed. Answers the tab with the "
                         "restored value. 409 `changed_since` if the field changed again.")
def revert(ctx):
    ctx.actor.require_staff("edit_clients")
    # A reverted Basic value reaches every replica's read model with charts'
    # `client.updated` (under a second), like any other writer's change.
    return ctx.app.rpc.call("charts", "revert_change", ctx.who.wire,
                            {"revision_id": ctx.params["revision_id"]})


# -- settings (charts' part of the practice settings) -------------------------------------
@table.route("GET", "/api/v1/practice/chart-settings", auth=ANY, response=schemas.ChartSettings,
             tags=("practice administration",),
             summary="Chart settings: insurance updates by clients, portal uploads, "
                     "extra Details fields")
def get_chart_settings(ctx):
    return ctx.app.rpc.call("charts", "get_settings", ctx.who.wire)


@table.route("PATCH", "/api/v1/practice/chart-settings", errors=(409,), auth=STAFF,
             request=schemas.ChartSettingsUpdate, response=schemas.ChartSettings,
             tags=("practice administration",), summary="Change the chart settings",
             description="Practice administrators. Send what changes and the `version` "
                         "you read (409 `stale_version`).")
def update_chart_settings(ctx):
    ctx.actor.require_staff("manage_practice_settings")
    return ctx.app.rpc.call("charts", "update_settings", ctx.who.wire, ctx.body)
