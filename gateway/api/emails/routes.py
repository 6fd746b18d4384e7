"""Emails, from notify. Templates a practice can edit: the administrators
(`manage_practice_settings`) list every email Haven sends, edit its subject, plain-text and
HTML body, preview it with sample data, send themselves a sample and reset it to the
default. The delivery log: staff with `view_operations` see what was sent to whom and how
it went, and send a failed email again. notify checks the actor again; the gateway only
carries the request."""
from gateway.api.emails import schemas
from gateway.router import STAFF, RouteTable

table = RouteTable()
TAGS = ("practice administration",)
SETTINGS = "manage_practice_settings"
OPERATIONS = "view_operations"
ONE = "/api/v1/email-templates/<kind>"
REFUSED = ("422 `template_refused`: `fields` names the part (`subject`, `body_text`, "
           "`body_html`) with the line and the reason — a syntax error, a variable the "
           "email does not have or one that would carry health information, a body that "
           "does not show the practice's name and portal address, a loop, call or "
           "attribute, HTML with script or event handlers.")


def _draft(ctx):
    return {k: v for k, v in ctx.body.items() if k != "version"}


@table.route("GET", "/api/v1/email-templates", auth=STAFF,
             response=schemas.TemplateSummary(many=True), tags=TAGS,
             summary="Every email your practice sends, and whether you edited it")
def list_templates(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "list_email_templates", ctx.who.wire)


@table.route("GET", ONE, auth=STAFF, response=schemas.Template, tags=TAGS,
             summary="One email: the text sent today, the default, its variables",
             description="404 `no_such_template` for a kind Haven does not send.")
def get_template(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "get_email_template", ctx.who.wire, ctx.params["kind"])


@table.route("PUT", ONE, errors=(409,), auth=STAFF, request=schemas.TemplateDraft,
             response=schemas.Template, tags=TAGS,
             summary="Save your practice's text of one email",
             description="Send the parts that change; the next email of that kind uses "
                         "them. " + REFUSED)
def save_template(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "save_email_template", ctx.who.wire,
                            ctx.params["kind"], ctx.body)


@table.route("POST", ONE + "/reset", auth=STAFF, response=schemas.Template, tags=TAGS,
             summary="Send Haven's default text of one email again")
def reset_template(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "reset_email_template", ctx.who.wire,
                            ctx.params["kind"])


@table.route("POST", ONE + "/preview", auth=STAFF, request=schemas.TemplateDraft,
             response=schemas.Rendered, tags=TAGS,
             summary="Preview an (unsaved) edit with sample data",
             description="Parts not sent are the ones saved. Nothing is saved or sent. "
                         + REFUSED)
def preview_template(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "preview_email_template", ctx.who.wire,
                            ctx.params["kind"], _draft(ctx))


@table.route("POST", ONE + "/sample", auth=STAFF, request=schemas.TemplateDraft,
             response=schemas.SampleSent, tags=TAGS,
             summary="Email yourself a sample of an (unsaved) edit",
             description="Sent at once to your own sign-in address, with sample data, its "
                         "subject marked [Sample]. 503 `mail_server_unreachable` / "
                         "`mail_server_refused` and 422 `sample_refused` say why the mail "
                         "server did not take it. " + REFUSED)
def send_sample(ctx):
    ctx.actor.require_staff(SETTINGS)
    return ctx.app.rpc.call("notify", "send_sample_email", ctx.who.wire,
                            ctx.params["kind"], _draft(ctx))


@table.route("GET", "/api/v1/ops/emails", auth=STAFF, query=schemas.DeliveryQuery,
             response=schemas.Delivery(many=True), tags=("operations",),
             summary="The delivery log: emails sent for your practice, newest first",
             description="To whom, which email, when, its status and attempts, and the "
                         "last error's code — never a subject or a body.")
def list_deliveries(ctx):
    ctx.actor.require_staff(OPERATIONS)
    return ctx.app.rpc.call("notify", "list_email_deliveries", ctx.who.wire, dict(ctx.query))


@table.route("POST", "/api/v1/ops/emails/<email_id>/retry", errors=(409,), auth=STAFF,
             response=schemas.Delivery, tags=("operations",),
             summary="Send a failed email again",
             description="409 `not_failed` for an email that is sent or still being tried.")
def retry_delivery(ctx):
    ctx.actor.require_staff(OPERATIONS)
    return ctx.app.rpc.call("notify", "retry_email", ctx.who.wire, ctx.params["email_id"])
