"""Request and response schemas of the secure-messaging routes (docs/messaging.md).

The gateway validates requests with these before messaging is asked (messaging checks the
same rules again); openapi.py describes the routes from them. Message text is plain text:
clients render it as text, never as HTML.
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String
ID = S(validate=validate.Length(min=1, max=64))
BODY = S(required=True, validate=validate.Length(min=1, max=20_000), metadata={
    "description": "plain text, 1-10,000 characters once line ends are normalised and "
                   "surrounding blank space trimmed (messaging says which limit was passed)"})


class Party(Schema):
    kind = S(metadata={"description": "client | contact | account | staff"})
    id = S()


class Participant(Party):
    name = S(allow_none=True)
    joined_at = S()
    read_up_to_seq = fields.Integer(metadata={"description": "their read receipt"})
    read_at = S(allow_none=True)


class Message(Schema):
    id = S()
    conversation_id = S()
    seq = fields.Integer()
    sender = fields.Nested(Party)
    body = S(metadata={"description": "plain text; render as text, never as HTML"})
    sent_at = S()


class Note(Schema):
    id = S()
    conversation_id = S()
    author = fields.Dict()
    body = S()
    created_at = S()


class Summary(Schema):
    id = S()
    client_id = S()
    subject = S(allow_none=True)
    started_by = fields.Nested(Party)
    created_at = S()
    last_message_at = S()
    message_count = fields.Integer()
    unread = fields.Integer(metadata={"description": "messages of others you have not read"})
    archived = fields.Boolean(metadata={"description": "archived by you"})
    participants = fields.List(fields.Nested(Participant))


class Conversation(Summary):
    you = fields.Nested(Party)
    messages = fields.List(fields.Nested(Message))
    notes = fields.List(fields.Nested(Note), metadata={
        "description": "staff-only notes: present for staff only"})


class Inbox(Schema):
    items = fields.List(fields.Nested(Summary))
    unread_total = fields.Integer()


class InboxQuery(StrictSchema):
    archived = fields.Boolean(metadata={"description": "the archive instead of the inbox"})
    client_id = ID
    limit = fields.Integer(validate=validate.Range(min=1, max=200))


class StartConversation(StrictSchema):
    client_id = ID
    clinician_id = ID
    with_kind = S(data_key="with", validate=validate.OneOf(["client", "contact", "account"]),
                  metadata={"description": "staff: who on the client's side (default the "
                                           "client)"})
    with_id = ID
    with_name = S(validate=validate.Length(max=200))
    subject = S(allow_none=True, validate=validate.Length(max=500))
    body = BODY


class SendMessage(StrictSchema):
    body = BODY


class MarkRead(StrictSchema):
    up_to_seq = fields.Integer(allow_none=True, validate=validate.Range(min=0))


class ReadState(Schema):
    conversation_id = S()
    read_up_to_seq = fields.Integer()
    unread = fields.Integer()


class Archive(StrictSchema):
    archived = fields.Boolean(load_default=True)


class AddParticipant(StrictSchema):
    staff_id = S(required=True, validate=validate.Length(min=1, max=64))


class AddNote(StrictSchema):
    body = BODY


class Unread(Schema):
    unread = fields.Integer()
    enabled = fields.Boolean()


class Settings(Schema):
    enabled = fields.Boolean()
    emergency_notice = S()
    updated_at = S(allow_none=True)
    clients = fields.Dict(keys=S(), values=fields.Boolean(), metadata={
        "description": "clients and contacts: for each person you may write about, "
                       "whether messaging is on for them"})


class SettingsUpdate(StrictSchema):
    enabled = fields.Boolean()
    emergency_notice = S(allow_none=True, validate=validate.Length(max=2_000))


class ClientMessaging(Schema):
    client_id = S()
    enabled = fields.Boolean()
    practice_enabled = fields.Boolean()


class ClientMessagingUpdate(StrictSchema):
    enabled = fields.Boolean(required=True)


class Clinician(Schema):
    id = S()
    name = S(allow_none=True)
    role = S(allow_none=True)


class Clinicians(Schema):
    items = fields.List(fields.Nested(Clinician))


class Assign(StrictSchema):
    clinician_id = S(required=True, validate=validate.Length(min=1, max=64))
