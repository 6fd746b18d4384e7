"""The client contact network (docs/identity.md, "Contacts and grants"): staff add a
contact (a guardian, a responsible party), grant it per-client permissions, renew a
guardian's access past 18, and suspend it.

Contacts sign in at the portal like clients; what they may reach is in their token
(`clients = {client_id: [permissions]}`) and every route checks it, as do the services.
A client portal account may hold grants too (a client who is also a guardian keeps one
sign-in): `/portal-accounts/<account_id>/grants/<client_id>`.
"""
from gateway.api.contacts import schemas
from gateway.api.security.schemas import MfaResetDone
from gateway.router import STAFF, RouteTable

table = RouteTable()
TAGS = ("contacts and grants",)
MANAGE = "manage_portal_access"
VIEW = "view_clients"


def _known_client(ctx, client_id):
    """404 unless the client is a record of the caller's practice (identity would answer
    an empty list, or charts' NotFound, for anyone else's)."""
    ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id)


@table.route("GET", "/api/v1/contacts", auth=STAFF, query=schemas.ContactsQuery,
             response=schemas.ContactList, tags=TAGS, summary="The practice's contacts, by name",
             description="With `client_id`, only those holding a grant for that client.")
def list_contacts(ctx):
    ctx.actor.require_staff(VIEW)
    payload = {}
    if ctx.query.get("client_id"):
        _known_client(ctx, ctx.query["client_id"])
        payload["client_id"] = ctx.query["client_id"]
    return ctx.app.rpc.call("identity", "list_contacts", ctx.who.wire, payload)


@table.route("GET", "/api/v1/clients/<client_id>/contacts", auth=STAFF,
             response=schemas.ContactList, tags=TAGS,
             summary="The contacts who act for one client, with their grants",
             description="`accounts` lists the client portal accounts holding a grant for "
                         "this client.")
def list_client_contacts(ctx):
    ctx.actor.require_staff(VIEW)
    client_id = ctx.params["client_id"]
    _known_client(ctx, client_id)
    return ctx.app.rpc.call("identity", "list_contacts", ctx.who.wire, {"client_id": client_id})


@table.route("POST", "/api/v1/contacts", errors=(409,), auth=STAFF, request=schemas.ContactCreate,
             response=schemas.Contact, status=201, tags=TAGS,
             summary="Add a contact and email them a link to choose a password",
             description="409 `login_taken` when a client or another contact of the practice "
                         "already signs in with that email.")
def create_contact(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "create_contact", ctx.who.wire, dict(ctx.body))


@table.route("GET", "/api/v1/contacts/<contact_id>", auth=STAFF, response=schemas.Contact,
             tags=TAGS, summary="A contact and every grant it holds")
def get_contact(ctx):
    ctx.actor.require_staff(VIEW)
    return ctx.app.rpc.call("identity", "get_contact", ctx.who.wire, ctx.params["contact_id"])


@table.route("PATCH", "/api/v1/contacts/<contact_id>", errors=(409,),
             auth=STAFF, request=schemas.ContactUpdate,
             response=schemas.Contact, tags=TAGS, summary="Suspend, reactivate or end a contact",
             description="Leaving active ends every session of the contact within a second. "
                         "409 `not_signed_up` (an invited contact can only be made inactive).")
def update_contact(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "set_contact_status", ctx.who.wire,
                            {"contact_id": ctx.params["contact_id"],
                             "status": ctx.body["status"]})


@table.route("POST", "/api/v1/contacts/<contact_id>/invitation", errors=(409, 429), auth=STAFF,
             response=schemas.Contact, status=201, tags=TAGS,
             summary="Send the contact a new link to choose a password",
             description="The older link stops working. 409 `already_signed_up`; 429 "
                         "`resend_too_soon` with `fields.retry_at` and `retry_after`.")
def resend_contact_invitation(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "resend_contact_invitation", ctx.who.wire,
                            {"contact_id": ctx.params["contact_id"]})


@table.route("PUT", "/api/v1/contacts/<contact_id>/grants/<client_id>", errors=(409,), auth=STAFF,
             request=schemas.GrantPut, response=schemas.Grant, tags=TAGS,
             summary="Grant or change what a contact may do for one client",
             description="Replaces the grant. Taking anything away ends the contact's "
                         "sessions at once; added permissions reach open sessions at their "
                         "next refresh (≤ 5 minutes). A grant made while the client is a "
                         "minor follows the practice's guardian age bands.")
def put_grant(ctx):
    ctx.actor.require_staff(MANAGE)
    return _grant(ctx, "contact_id")


@table.route("DELETE", "/api/v1/contacts/<contact_id>/grants/<client_id>", auth=STAFF,
             response=schemas.Contact, tags=TAGS,
             summary="Revoke a contact's access to one client",
             description="Ends every session of the contact at once. 404 `no_grant`.")
def delete_grant(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "revoke_access", ctx.who.wire,
                            {"contact_id": ctx.params["contact_id"],
                             "client_id": ctx.params["client_id"]})


@table.route("PUT", "/api/v1/portal-accounts/<account_id>/grants/<client_id>", errors=(409,),
             auth=STAFF,
             request=schemas.GrantPut, response=schemas.Grant, tags=TAGS,
             summary="Grant or change what a client's portal account may do for another client",
             description="A client who is also a guardian keeps one sign-in: the grant rides "
                         "on the account, beside its own and linked clients. Same rules as a "
                         "contact's grant (age bands, taking anything away ends the "
                         "account's sessions at once). 409 `already_linked` for the "
                         "account's own or linked client.")
def put_account_grant(ctx):
    ctx.actor.require_staff(MANAGE)
    return _grant(ctx, "account_id")


@table.route("DELETE", "/api/v1/portal-accounts/<account_id>/grants/<client_id>",
             auth=STAFF, response=schemas.AccountAccess, tags=TAGS,
             summary="Revoke a portal account's grant for one client",
             description="Ends every session of the account at once. 404 `no_grant`.")
def delete_account_grant(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "revoke_access", ctx.who.wire,
                            {"account_id": ctx.params["account_id"],
                             "client_id": ctx.params["client_id"]})


@table.route("POST", "/api/v1/contacts/<contact_id>/two-factor/reset", auth=STAFF,
             response=MfaResetDone, tags=TAGS,
             summary="Remove a contact's two-step sign-in (a lost phone)",
             description="Ends their sessions; 404 `no_login`.")
def reset_contact_mfa(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "reset_mfa", ctx.who.wire,
                            {"contact_id": ctx.params["contact_id"]})


def _grant(ctx, holder):
    """identity's grant_access for the holder named in the path (a contact or an account)."""
    payload = {holder: ctx.params[holder], "client_id": ctx.params["client_id"],
               "permissions": list(ctx.body["permissions"])}
    if "renewed_until" in ctx.body:
        payload["renewed_until"] = ctx.body["renewed_until"]
    return ctx.app.rpc.call("identity", "grant_access", ctx.who.wire, payload)
