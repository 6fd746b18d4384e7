"""Portal access (docs/identity.md): welcome invitations, password resets, the access
status of each client, and the clients one portal account is linked to.

The invitation and reset pages are public: their single-use token travels in the JSON
body, never in an API path, so it stays out of access logs and Referer headers.
"""
import eventlet

from gateway.api.access import schemas
from gateway.api.security.schemas import MfaResetDone
from gateway.api.session.routes import DELIVERY_DOC, signed_in
from gateway.api.session.schemas import Tokens
from gateway.router import PUBLIC, STAFF, RouteTable

table = RouteTable()
TAGS = ("portal access",)
PUBLIC_TAGS = ("invitations and resets",)
MANAGE = "manage_portal_access"
VIEW = "view_clients"
PAGE = 500          # identity's largest page of list_portal_access
CHART_PAGE = 200    # charts' largest page of list_clients


def _known_client(ctx, client_id):
    """404 unless the client is a record of the caller's practice (read model, or charts
    as the caller): identity answers "never invited" for any id, so ask the owner first."""
    ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id)


# -- public: the invitation page ------------------------------------------------------
@table.route("POST", "/api/v1/invitations/lookup", errors=(404, 409), auth=PUBLIC,
             request=schemas.InvitationLookup, response=schemas.Invitation, tags=PUBLIC_TAGS,
             summary="What an invitation link is for",
             description="404 `invitation_not_found`; 409 `invitation_used`, "
                         "`invitation_locked`, `invitation_replaced`, `invitation_expired`.")
def lookup_invitation(ctx):
    return ctx.app.rpc.call("identity", "get_invitation", {"token": ctx.body["token"]})


@table.route("POST", "/api/v1/invitations/accept", errors=(403, 404, 409, 429), auth=PUBLIC,
             request=schemas.AcceptInvitation, response=Tokens, tags=PUBLIC_TAGS,
             summary="Create the portal account from an invitation and sign in",
             description="The date of birth must match the chart: a wrong one is 422 "
                         "`date_of_birth_mismatch` with `fields.attempts_left`; the fifth is "
                         "409 `invitation_locked`. A refused password is 422 naming "
                         "`password` and costs no attempt." + DELIVERY_DOC)
def accept_invitation(ctx):
    payload = dict(ctx.body)
    delivery = payload.pop("token_delivery")
    payload["source_ip"] = ctx.request.remote_addr
    tokens = ctx.app.rpc.call("identity", "accept_invitation", payload)
    return signed_in(ctx, tokens, delivery, status=201)


# -- public: forgot password and the reset page -----------------------------------------
@table.route("POST", "/api/v1/password-resets", errors=(429,),
             auth=PUBLIC, request=schemas.ResetRequest,
             response=schemas.ResetAccepted, status=202, tags=PUBLIC_TAGS,
             summary="Forgot password: email a reset link",
             description="Always the same answer, whether or not the email has an account.")
def request_reset(ctx):
    payload = dict(ctx.body, source_ip=ctx.request.remote_addr)
    return ctx.app.rpc.call("identity", "request_password_reset", payload)


@table.route("POST", "/api/v1/password-resets/lookup", errors=(404,), auth=PUBLIC,
             request=schemas.InvitationLookup, response=schemas.ResetLink, tags=PUBLIC_TAGS,
             summary="What a reset link is for",
             description="404 `reset_link_invalid` when unknown, used, expired or replaced.")
def lookup_reset(ctx):
    return ctx.app.rpc.call("identity", "get_password_reset", {"token": ctx.body["token"]})


@table.route("POST", "/api/v1/password-resets/complete", errors=(404, 429), auth=PUBLIC,
             request=schemas.CompleteReset, response=schemas.ResetDone, tags=PUBLIC_TAGS,
             summary="Choose a new password with a reset link",
             description="Ends every session of that person; does not sign in.")
def complete_reset(ctx):
    payload = dict(ctx.body, source_ip=ctx.request.remote_addr)
    return ctx.app.rpc.call("identity", "complete_password_reset", payload)


# -- staff: one client's access -----------------------------------------------------------
@table.route("GET", "/api/v1/clients/<client_id>/portal-status", auth=STAFF,
             response=schemas.AccessStatus, tags=TAGS,
             summary="Why a client can or cannot get in: invitation and login status")
def get_access_status(ctx):
    ctx.actor.require_staff(VIEW)
    client_id = ctx.params["client_id"]
    _known_client(ctx, client_id)
    return ctx.app.rpc.call("identity", "get_portal_access_status", ctx.who.wire, client_id)


@table.route("POST", "/api/v1/clients/<client_id>/invitation", errors=(409, 429), auth=STAFF,
             response=schemas.AccessStatus, status=201, tags=TAGS,
             summary="Send (or resend) the portal invitation email",
             description="The chart needs an email and a date of birth (422 "
                         "`client_details_missing` names what is missing). Within five "
                         "minutes of the last send: 429 `resend_too_soon` with "
                         "`fields.retry_at` and `fields.retry_after`. 409 `access_exists`, "
                         "`login_taken`.")
def send_invitation(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "invite_client", ctx.who.wire,
                            {"client_id": ctx.params["client_id"]})


@table.route("POST", "/api/v1/clients/<client_id>/password-reset", errors=(409,), auth=STAFF,
             response=schemas.ResetSent, status=201, tags=TAGS,
             summary="Email the client a password reset link",
             description="404 `no_login`; 409 `account_inactive`.")
def send_reset(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "send_password_reset", ctx.who.wire,
                            {"client_id": ctx.params["client_id"]})


@table.route("DELETE", "/api/v1/clients/<client_id>/invitation", auth=STAFF,
             response=schemas.AccessStatus, tags=TAGS,
             summary="Cancel the client's pending invitation",
             description="The link stops working; status becomes `cancelled` and a new "
                         "invitation may be sent at once. 404 `no_pending_invitation`.")
def cancel_invitation(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "cancel_invitation", ctx.who.wire,
                            {"client_id": ctx.params["client_id"]})


@table.route("POST", "/api/v1/clients/<client_id>/two-factor/reset", auth=STAFF,
             response=MfaResetDone, tags=TAGS,
             summary="Remove a client's two-step sign-in (a lost phone)",
             description="Ends the client's sessions; they enrol again if required. "
                         "404 `no_login`.")
def reset_client_mfa(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "reset_mfa", ctx.who.wire,
                            {"client_id": ctx.params["client_id"]})


# -- staff: the safe word checked before a phone reset -------------------------------------
SAFE_WORD = "/api/v1/clients/<client_id>/safe-word"


@table.route("GET", SAFE_WORD, auth=STAFF, response=schemas.SafeWord, tags=TAGS,
             summary="Show the client's safe word (every read is audited)",
             description="`safe_word` is null when none was set. 404 `no_portal_access`.")
def get_safe_word(ctx):
    ctx.actor.require_staff(MANAGE)
    return ctx.app.rpc.call("identity", "get_safe_word", ctx.who.wire, ctx.params["client_id"])


@table.route("PUT", SAFE_WORD, auth=STAFF, request=schemas.SafeWordPut,
             response=schemas.SafeWordSaved, tags=TAGS, summary="Set the client's safe word",
             description="404 `no_portal_access` when the client has no login; 422 naming "
                         "`safe_word`.")
def set_safe_word(ctx):
    ctx.actor.require_staff(MANAGE)
    return _save_safe_word(ctx, ctx.body["safe_word"])


@table.route("DELETE", SAFE_WORD, auth=STAFF, response=schemas.SafeWordSaved, tags=TAGS,
             summary="Clear the client's safe word", description="404 `no_portal_access`.")
def clear_safe_word(ctx):
    ctx.actor.require_staff(MANAGE)
    return _save_safe_word(ctx, None)


def _save_safe_word(ctx, word):
    return ctx.app.rpc.call("identity", "set_safe_word", ctx.who.wire, {
        "client_id": ctx.params["client_id"], "safe_word": word,
        "source_ip": ctx.request.remote_addr})


# -- staff: the practice-wide list --------------------------------------------------------
@table.route("GET", "/api/v1/portal-access", auth=STAFF, query=schemas.AccessListQuery,
             response=schemas.AccessList, tags=TAGS,
             summary="Every client's portal access, filtered by status",
             description="Newest activity first; `never_invited`: every client of the "
                         "practice with neither invitation nor login, by name. Pages of "
                         "`limit` from `offset`; `total` counts them all.")
def list_access(ctx):
    ctx.actor.require_staff(VIEW)
    status = ctx.query.get("status")
    start, limit = ctx.query["offset"], ctx.query["limit"]
    if status == "never_invited":
        pool = eventlet.GreenPool(2)
        access = pool.spawn(_all_access, ctx, None)
        clients = pool.spawn(_all_clients, ctx)
        reached = {i["client_id"] for i in access.wait()}
        never = [c for c in clients.wait() if c.get("id") not in reached]
        page = [{"client_id": c["id"], "status": "never_invited",
                 "first_name": c.get("first_name"), "last_name": c.get("last_name")}
                for c in never[start:start + limit]]
        return {"items": page, "total": len(never)}
    items = _all_access(ctx, status)
    page = items[start:start + limit]
    _add_names(ctx, page)
    return {"items": page, "total": len(items)}


def _all_access(ctx, status):
    items, offset = [], 0
    while True:
        payload = {"limit": PAGE, "offset": offset}
        if status:
            payload["status"] = status
        page = ctx.app.rpc.call("identity", "list_portal_access", ctx.who.wire, payload) or {}
        items.extend(page.get("items") or ())
        offset += PAGE
        if offset >= (page.get("total") or 0) or not page.get("items"):
            return items


def _all_clients(ctx):
    """Every client of the practice, by name, one page of charts at a time."""
    clients, offset = [], 0
    while True:
        page = ctx.app.rpc.call("charts", "list_clients", ctx.who.wire,
                                {"limit": CHART_PAGE, "offset": offset}) or []
        clients.extend(page)
        if len(page) < CHART_PAGE:
            return clients
        offset += CHART_PAGE


def _add_names(ctx, items):
    """The chart's names of one page's clients (charts answers at most CHART_PAGE ids)."""
    ids = sorted({i["client_id"] for i in items})
    names = {}
    for first in range(0, len(ids), CHART_PAGE):
        for c in ctx.app.rpc.call("charts", "list_clients", ctx.who.wire, {
                "ids": ids[first:first + CHART_PAGE], "limit": CHART_PAGE}) or ():
            names[c.get("id")] = c
    for item in items:
        client = names.get(item["client_id"]) or {}
        item["first_name"] = client.get("first_name")
        item["last_name"] = client.get("last_name")


# -- staff: linked clients ----------------------------------------------------------------
@table.route("GET", "/api/v1/portal-accounts/<account_id>", auth=STAFF,
             response=schemas.AccountClients, tags=TAGS,
             summary="The clients one portal account acts for, its own first")
def get_account(ctx):
    ctx.actor.require_staff(VIEW)
    return ctx.app.rpc.call("identity", "get_account_clients", ctx.who.wire,
                            ctx.params["account_id"])


@table.route("POST", "/api/v1/portal-accounts/<account_id>/clients", errors=(409,), auth=STAFF,
             request=schemas.LinkRequest, response=schemas.AccountClients, status=201,
             tags=TAGS, summary="Link another client (same email on the chart) to the account",
             description="409 `email_mismatch`, `access_exists`; 404 `no_portal_access`. "
                         "Open sessions pick the client up at their next refresh.")
def link_client(ctx):
    ctx.actor.require_staff(MANAGE)
    account_id = ctx.params["account_id"]
    result = ctx.app.rpc.call("identity", "link_client", ctx.who.wire,
                              {"account_id": account_id, "client_id": ctx.body["client_id"]})
    ctx.app.readmodels.on_account_changed({"data": {"account_id": account_id}})
    return result


@table.route("DELETE", "/api/v1/portal-accounts/<account_id>/clients/<client_id>", errors=(409,),
             auth=STAFF, response=schemas.AccountClients, tags=TAGS,
             summary="Remove the account's access to one linked client",
             description="Ends every session of the account at once. 409 `own_client` for "
                         "the account's own chart (change its access status instead); "
                         "404 `not_linked`.")
def unlink_client(ctx):
    ctx.actor.require_staff(MANAGE)
    account_id = ctx.params["account_id"]
    result = ctx.app.rpc.call("identity", "unlink_client", ctx.who.wire,
                              {"account_id": account_id, "client_id": ctx.params["client_id"]})
    ctx.app.readmodels.on_account_changed({"data": {"account_id": account_id}})
    return result
