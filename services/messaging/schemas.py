"""RPC payloads and results of messaging, and the data of its events (marshmallow 3)."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema, rule
from services.messaging.domain import texts

_ID = {"invalid": "Id must be a UUID."}


def _body(**kwargs):
    return fields.String(required=True, validate=rule(texts.body_problem), error_messages={
        "required": "Write a message before sending.",
        "null": "Write a message before sending.",
        "invalid": "Write your message as text."}, **kwargs)


def _name():
    # set by the gateway from the signed-in session, never by the browser
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=texts.NAME_MAX))


class StartConversation(StrictSchema):
    """`start_conversation` payload. Client side: `clinician_id` (assigned to the
    client). Staff: `with` names the client-side party (default the client)."""
    id = fields.UUID(load_default=None, error_messages=_ID)
    client_id = fields.String(required=True, validate=validate.Length(
        min=1, max=36, error="Choose who the conversation is about."), error_messages={
            "required": "Choose who the conversation is about.",
            "null": "Choose who the conversation is about."})
    clinician_id = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=36))
    with_kind = fields.String(load_default="client", data_key="with", validate=validate.OneOf(
        ("client", "contact", "account"), error="With must be client, contact or account."))
    with_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    subject = fields.String(load_default=None, allow_none=True,
                            validate=rule(texts.subject_problem))
    body = _body()
    sender_name = _name()
    with_name = _name()


class ListConversations(StrictSchema):
    archived = fields.Boolean(load_default=False)
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=36))
    limit = fields.Integer(strict=True, load_default=50, validate=validate.Range(
        min=1, max=200, error="Limit must be 1 to 200."))


class SendMessage(StrictSchema):
    id = fields.UUID(load_default=None, error_messages=_ID)
    body = _body()
    sender_name = _name()


class AddNote(StrictSchema):
    body = _body()


class MarkRead(StrictSchema):
    up_to_seq = fields.Integer(strict=True, load_default=None, allow_none=True,
                               validate=validate.Range(min=0))


class Archive(StrictSchema):
    archived = fields.Boolean(load_default=True)


class AddParticipant(StrictSchema):
    staff_id = fields.String(required=True, validate=validate.Length(
        min=1, max=36, error="Choose a colleague."), error_messages={
            "required": "Choose a colleague.", "null": "Choose a colleague."})


class UpdateSettings(StrictSchema):
    enabled = fields.Boolean()
    emergency_notice = fields.String(allow_none=True, validate=rule(texts.notice_problem))


class ClientSetting(StrictSchema):
    enabled = fields.Boolean(required=True, error_messages={
        "required": "Say whether messaging is on for this person."})


class AssignClinician(StrictSchema):
    clinician_id = fields.String(required=True, validate=validate.Length(
        min=1, max=36, error="Choose a clinician."), error_messages={
            "required": "Choose a clinician.", "null": "Choose a clinician."})


class PartyRef(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ("client", "contact", "account", "staff")))
    id = fields.String(required=True)


class ConversationStartedData(StrictSchema):
    """data of conversation.started: ids and parties only."""
    conversation_id = fields.String(required=True)
    client_id = fields.String(required=True)
    started_by = fields.Nested(PartyRef, required=True)
    participants = fields.List(fields.Nested(PartyRef), required=True)


class MessageSentData(StrictSchema):
    """data of message.sent: ids and parties only — never the text."""
    conversation_id = fields.String(required=True)
    message_id = fields.String(required=True)
    client_id = fields.String(required=True)
    seq = fields.Integer(required=True)
    sender = fields.Nested(PartyRef, required=True)
    recipients = fields.List(fields.Nested(PartyRef), required=True)
    sent_at = fields.String(required=True)


class MessageReadData(StrictSchema):
    """data of message.read: who read how far."""
    conversation_id = fields.String(required=True)
    client_id = fields.String(required=True)
    reader = fields.Nested(PartyRef, required=True)
    up_to_seq = fields.Integer(required=True)
    up_to_message_id = fields.String(required=True, allow_none=True)
    read_at = fields.String(required=True)


class AppointmentScheduledData(Schema):
    """What messaging reads of scheduling's `appointment.scheduled` v1 (other fields are
    ignored: a producer adding one does not break this consumer)."""
    class Meta:
        unknown = "exclude"

    appointment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    clinician_id = fields.String(required=True)


# -- what callers read -------------------------------------------------------------------
def party_view(row, receipt=None):
    """A participant as every party of the conversation sees it."""
    return {"kind": row.party_kind, "id": row.party_id, "name": row.name,
            "joined_at": row.joined_at.isoformat(),
            "read_up_to_seq": receipt.last_read_seq if receipt else 0,
            "read_at": receipt.read_at.isoformat() if receipt and receipt.read_at else None}


def message_view(row):
    return {"id": row.id, "conversation_id": row.conversation_id, "seq": row.seq,
            "sender": {"kind": row.sender_kind, "id": row.sender_id},
            "body": row.body, "sent_at": row.created_at.isoformat()}


def note_view(row):
    return {"id": row.id, "conversation_id": row.conversation_id,
            "author": {"kind": "staff", "id": row.author_id, "name": row.author_name},
            "body": row.body, "created_at": row.created_at.isoformat()}


def conversation_summary(row, unread, archived, participants):
    return {"id": row.id, "client_id": row.client_id, "subject": row.subject,
            "started_by": {"kind": row.started_by_kind, "id": row.started_by_id},
            "created_at": row.created_at.isoformat(),
            "last_message_at": row.last_message_at.isoformat(),
            "message_count": row.last_seq, "unread": unread, "archived": archived,
            "participants": participants}
