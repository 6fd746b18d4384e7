"""The events messaging publishes on the topic exchange `messaging.events` (routing
key = type), through the outbox: each leaves the service only if the change that made
it true committed. Data carries ids and parties (`{kind, id}`: client, contact, account,
staff — domain.access) — never a message's text, a subject, a name or a file name.
Bump `version` on a breaking change.
"""
from services.common.events import EventType
from services.messaging import schemas

CONVERSATION_STARTED = EventType("conversation.started", 1, """\
`conversation.started` v1
A conversation about a client began (its first message is announced by `message.sent`).
data: {conversation_id, client_id, started_by: party, participants: [party]} where a
party is {kind: client|contact|account|staff, id} (client: the client's id; contact /
account: identity's contact or client-account id acting through a grant; staff: the
staff id). No subject, no text.""", schema=schemas.ConversationStartedData)

MESSAGE_SENT = EventType("message.sent", 1, """\
`message.sent` v1
A message was added to a conversation.
data: {conversation_id, message_id, client_id, seq (1, 2, … within the conversation),
sender: party, recipients: [party] (every other participant at that moment), sent_at
(UTC ISO-8601)}. Never the text. Staff-only notes are not messages and emit nothing.""",
                         schema=schemas.MessageSentData)

MESSAGE_READ = EventType("message.read", 1, """\
`message.read` v1
A participant read a conversation up to a message (a read receipt). Sent only when the
read position moved forward.
data: {conversation_id, client_id, reader: party, up_to_seq, up_to_message_id,
read_at}.""", schema=schemas.MessageReadData)

ALL = (CONVERSATION_STARTED, MESSAGE_SENT, MESSAGE_READ)


def party(p):
    return {"kind": p.kind, "id": p.id}
