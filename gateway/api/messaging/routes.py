"""Secure messages (docs/messaging.md): one set of routes for the portal and the console.

messaging decides who is a party of which conversation from the caller's actor context
(the token's grants, after identity's guardian age bands), so these routes pass the
caller's actor and do not repeat its rules: a conversation the caller is not in is 404 by
every route, a clinician not assigned to the client is 403 `clinician_not_assigned`,
messaging switched off is 403 `messaging_off`. The sender's display name comes from the
signed-in session, never from the request body. Sends and starts take an optional
Idempotency-Key: a retry after a 503 answers the message already sent.
"""
from gateway.api.me.routes import own_client_id
from gateway.api.messaging import schemas
from gateway.router import ANY, STAFF, RouteTable
from gateway.uploads import IDEMPOTENCY_KEY, idempotency_key

table = RouteTable()
TAGS = ("messages",)
IDEMPOTENCY_HEADER = {
    "name": IDEMPOTENCY_KEY, "format": "uuid",
    "description": "One UUID per message you mean to send: a retry with the same key "
                   "answers the message already sent instead of sending it twice."}
NOT_IN = ("404 for a conversation you are not in (or that does not exist); 403 "
          "`not_permitted` when your access to the person no longer includes secure "
          "messages; 403 `messaging_off` / `messaging_off_for_client` when messaging is "
          "switched off.")


def _call(ctx, method, *args):
    return ctx.app.rpc.call("messaging", method, ctx.who.wire, *args)


def _client_of_practice(ctx, client_id):
    """Staff: the client must be one of the practice's charts (another practice's id is
    404 — messaging keeps no list of clients). Clients and contacts: messaging answers
    404 for a person the sign-in does not hold."""
    if ctx.actor.is_staff:
        ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id)
    return client_id


def _name(ctx):
    return (ctx.who.claims or {}).get("name") or None


@table.route("GET", "/api/v1/conversations", auth=ANY, query=schemas.InboxQuery,
             response=schemas.Inbox, tags=TAGS, summary="Your conversations",
             description="The conversations you are in, latest message first, each with "
                         "your unread count; `archived=true` lists your archive. Clients "
                         "and contacts see those about the people they may write about "
                         "today; 403 `messaging_off` when the practice has not turned "
                         "messaging on.")
def list_conversations(ctx):
    return _call(ctx, "list_conversations", dict(ctx.query))


@table.route("POST", "/api/v1/conversations", auth=ANY, request=schemas.StartConversation,
             response=schemas.Conversation, status=201, errors=(409,),
             headers=(IDEMPOTENCY_HEADER,), tags=TAGS, summary="Start a conversation",
             description="With its first message. Clients and contacts name `clinician_id`, "
                         "one of the person's assigned clinicians (`GET /api/v1/clients/"
                         "{client_id}/message-clinicians`): anyone else is 403 "
                         "`clinician_not_assigned`. `client_id` defaults to the person "
                         "you act for. Staff name `client_id` and write to the client "
                         "(or, `with`: contact|account and `with_id`, to a contact holding "
                         "a grant). 422 naming `body` for an empty or too long message.")
def start_conversation(ctx):
    payload = dict(ctx.body)
    if "with_kind" in payload:
        payload["with"] = payload.pop("with_kind")
    if not ctx.actor.is_staff and not payload.get("client_id"):
        payload["client_id"] = own_client_id(ctx)
    elif ctx.actor.is_staff and payload.get("client_id"):
        _client_of_practice(ctx, payload["client_id"])
    payload["sender_name"] = _name(ctx)
    payload["id"] = idempotency_key(ctx, "conversation")
    return _call(ctx, "start_conversation", payload)


@table.route("GET", "/api/v1/conversations/<conversation_id>", auth=ANY,
             response=schemas.Conversation, tags=TAGS, summary="One conversation",
             description="Every message, the participants with their read receipts, and "
                         "for staff the staff-only notes (never for clients or contacts). "
                         "Reading does not mark it read: `POST .../read` does. " + NOT_IN)
def get_conversation(ctx):
    return _call(ctx, "get_conversation", ctx.params["conversation_id"])


@table.route("POST", "/api/v1/conversations/<conversation_id>/messages", auth=ANY,
             request=schemas.SendMessage, response=schemas.Message, status=201,
             errors=(409,), headers=(IDEMPOTENCY_HEADER,), tags=TAGS,
             summary="Send a message (reply)",
             description="Plain text, 1-10,000 characters (422 naming `body`). " + NOT_IN)
def send_message(ctx):
    payload = {"body": ctx.body["body"], "sender_name": _name(ctx),
               "id": idempotency_key(ctx, "message")}
    return _call(ctx, "send_message", ctx.params["conversation_id"], payload)


@table.route("POST", "/api/v1/conversations/<conversation_id>/read", auth=ANY,
             request=schemas.MarkRead, response=schemas.ReadState, tags=TAGS,
             summary="Mark read",
             description="Up to `up_to_seq` (default: everything so far); never moves "
                         "back. " + NOT_IN)
def mark_conversation_read(ctx):
    return _call(ctx, "mark_read", ctx.params["conversation_id"], dict(ctx.body or {}))


@table.route("POST", "/api/v1/conversations/<conversation_id>/archive", auth=ANY,
             request=schemas.Archive, response=schemas.Summary, tags=TAGS,
             summary="Archive (or bring back) a conversation for yourself",
             description="Only for you; a new message brings it back. Nothing is "
                         "deleted. " + NOT_IN)
def archive_conversation(ctx):
    return _call(ctx, "archive_conversation", ctx.params["conversation_id"],
                 dict(ctx.body or {}))


@table.route("POST", "/api/v1/conversations/<conversation_id>/participants", auth=STAFF,
             request=schemas.AddParticipant, response=schemas.Conversation, tags=TAGS,
             summary="Add a colleague",
             description="A staff member in the conversation adds an active colleague (a "
                         "supervisor, the biller). 422 naming `staff_id` when not active "
                         "staff. " + NOT_IN)
def add_conversation_participant(ctx):
    return _call(ctx, "add_participant", ctx.params["conversation_id"], dict(ctx.body))


@table.route("POST", "/api/v1/conversations/<conversation_id>/notes", auth=STAFF,
             request=schemas.AddNote, response=schemas.Note, status=201, tags=TAGS,
             summary="Keep a staff-only note",
             description="Never shown to clients or contacts, never counted as unread. "
                         + NOT_IN)
def add_conversation_note(ctx):
    return _call(ctx, "add_note", ctx.params["conversation_id"], dict(ctx.body))


@table.route("GET", "/api/v1/messaging/unread", auth=ANY, response=schemas.Unread, tags=TAGS,
             summary="Your unread count (the page header)",
             description="`enabled: false` (and 0) when the practice has not turned secure "
                         "messaging on.")
def count_unread_messages(ctx):
    return _call(ctx, "count_unread")


@table.route("GET", "/api/v1/messaging/settings", auth=ANY, response=schemas.Settings,
             tags=TAGS, summary="Secure messaging settings",
             description="Whether the practice has secure messaging on, and the notice "
                         "shown when writing (messages are not for emergencies).")
def get_messaging_settings(ctx):
    return _call(ctx, "get_messaging_settings")


@table.route("PATCH", "/api/v1/messaging/settings", auth=STAFF, request=schemas.SettingsUpdate,
             response=schemas.Settings, tags=TAGS, summary="Turn secure messaging on or off",
             description="Staff with `manage_practice_settings`: `enabled` (off by "
                         "default) and `emergency_notice` (1-1,000 characters; null = the "
                         "default notice).")
def update_messaging_settings(ctx):
    return _call(ctx, "update_messaging_settings", dict(ctx.body))


@table.route("GET", "/api/v1/clients/<client_id>/messaging", auth=STAFF,
             response=schemas.ClientMessaging, tags=TAGS,
             summary="Secure messaging for one client",
             description="Staff: whether messaging is on for this client.")
def get_client_messaging(ctx):
    return _call(ctx, "get_client_messaging", _client_of_practice(ctx, ctx.params["client_id"]))


@table.route("PUT", "/api/v1/clients/<client_id>/messaging", auth=STAFF,
             request=schemas.ClientMessagingUpdate, response=schemas.ClientMessaging,
             tags=TAGS, summary="Turn secure messaging off (or on) for one client",
             description="Staff with `manage_portal_access`. Off: the client's and their "
                         "contacts' conversations leave their portal and nobody writes in "
                         "them; nothing is deleted.")
def set_client_messaging(ctx):
    return _call(ctx, "set_client_messaging", _client_of_practice(ctx, ctx.params["client_id"]), dict(ctx.body))


@table.route("GET", "/api/v1/clients/<client_id>/message-clinicians", auth=ANY,
             response=schemas.Clinicians, tags=TAGS,
             summary="Clinicians a conversation about this person can be started with",
             description="The person's assigned clinicians (docs/messaging.md, \"Assigned "
                         "clinicians\") who are active staff. Staff; or a client or contact "
                         "who may write about the person (404 / 403 otherwise).")
def list_message_clinicians(ctx):
    return _call(ctx, "list_clinicians", _client_of_practice(ctx, ctx.params["client_id"]))


@table.route("POST", "/api/v1/clients/<client_id>/message-clinicians", auth=STAFF,
             request=schemas.Assign, response=schemas.Clinicians, tags=TAGS,
             summary="Assign a clinician for messages",
             description="Staff: the clinician (active staff) may be written to by the "
                         "client and their contacts. 422 naming `clinician_id` otherwise.")
def assign_message_clinician(ctx):
    return _call(ctx, "assign_clinician", _client_of_practice(ctx, ctx.params["client_id"]), dict(ctx.body))
