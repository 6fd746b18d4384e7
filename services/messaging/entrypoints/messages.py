"""Messages: send, mark read (read receipts), and staff-only notes.

A message is plain text, 1–10,000 characters (domain.texts); its events carry ids and
parties only. Log lines carry ids only.
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden
from services.common.rpc import rpc
from services.common.schemas import load
from services.messaging import domain, events, schemas, store
from services.messaging.entrypoints.guards import open_conversation, require_enabled
from services.messaging.models import StaffNote

log = logging.getLogger(__name__)


class MessageEntrypoints:
    """Mixin of MessagingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def send_message(self, actor, conversation_id, payload):
        """A participant adds a message. payload {body (1–10,000 characters of plain
        text), id? (idempotency key: a retry answers the message it made),
        sender_name?} → the message. Both switches must be on (Forbidden `messaging_off`
        / `messaging_off_for_client`, for staff too); not in the conversation →
        NotFound. The conversation comes back into every other party's inbox. Emits
        `message.sent` (ids and parties, never the text)."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.SendMessage(), payload)
        message_id = str(cmd["id"]) if cmd["id"] else None
        body = domain.texts.clean(cmd["body"])
        now = self.clock()
        with self.db.transaction() as tx:
            opened = open_conversation(tx.session, actor, conversation_id, for_update=True)
            conv, party = opened.conversation, opened.party
            existing = store.conversations.message(tx.session, message_id)
            if existing is not None:        # a retry of a send that committed
                if (existing.conversation_id, existing.sender_kind, existing.sender_id) != (
                        conv.id, party.kind, party.id):
                    raise Conflict("id_taken", "That id is already in use. Send a new one.")
                return schemas.message_view(existing)
            require_enabled(tx.session, actor.practice_id, conv.client_id)
            message = store.conversations.add_message(tx.session, conv, party, body, now,
                                                      message_id)
            receipt = store.conversations.receipt_for(tx.session, conv, party)
            receipt.last_read_seq, receipt.read_at = message.seq, now
            store.conversations.unarchive_for(opened.rows, party)
            own = opened.own_row
            if own.name is None and cmd["sender_name"]:
                own.name = domain.texts.one_line(cmd["sender_name"])
            tx.session.flush()
            events.MESSAGE_SENT.record(tx, actor, {
                "conversation_id": conv.id, "message_id": message.id,
                "client_id": conv.client_id, "seq": message.seq,
                "sender": events.party(party),
                "recipients": [events.party(p) for p in
                               domain.conversations.recipients(opened.members, party)],
                "sent_at": now.isoformat()})
            result = schemas.message_view(message)
        log.info("message sent", extra={"conversation_id": conv.id,
                                        "message_id": result["id"]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def mark_read(self, actor, conversation_id, payload=None):
        """The actor's party has read the conversation up to `up_to_seq` (default: all
        of it). Never moves backwards. → {conversation_id, read_up_to_seq, unread}.
        Emits `message.read` when the position moved."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.MarkRead(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            opened = open_conversation(tx.session, actor, conversation_id)
            conv, party = opened.conversation, opened.party
            if not party.is_staff:
                require_enabled(tx.session, actor.practice_id, conv.client_id)
            receipt = store.conversations.receipt_for(tx.session, conv, party)
            before = receipt.last_read_seq or 0
            after = domain.conversations.read_position(before, cmd["up_to_seq"], conv.last_seq)
            if after > before:
                receipt.last_read_seq, receipt.read_at = after, now
                last = store.conversations.message_at(tx.session, conv.id, after)
                tx.session.flush()
                events.MESSAGE_READ.record(tx, actor, {
                    "conversation_id": conv.id, "client_id": conv.client_id,
                    "reader": events.party(party), "up_to_seq": after,
                    "up_to_message_id": last.id if last else None,
                    "read_at": now.isoformat()})
            tx.session.flush()
            unread = store.conversations.unread_counts(
                tx.session, actor.practice_id, conversation_ids=[conv.id],
                **({"staff_party": party} if party.is_staff
                   else {"client_parties": {conv.client_id: party}})).get(conv.id, 0)
        return {"conversation_id": conv.id, "read_up_to_seq": after, "unread": unread}

    @rpc(expected_exceptions=EXPECTED)
    def add_note(self, actor, conversation_id, payload):
        """A staff participant keeps a staff-only note beside the conversation: never
        shown to a client or contact, never counted as unread, no event. payload
        {body} → the note. Allowed while messaging is off (it is the practice's own
        record)."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.AddNote(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            opened = open_conversation(tx.session, actor, conversation_id)
            if not domain.access.sees_notes(opened.party):
                raise Forbidden("staff_only", "Only the practice's staff can keep notes.")
            own = opened.own_row
            note = StaffNote(conversation_id=opened.conversation.id,
                             practice_id=actor.practice_id, author_id=actor.id,
                             author_name=own.name, body=domain.texts.clean(cmd["body"]),
                             created_at=now)
            tx.session.add(note)
            tx.session.flush()
            result = schemas.note_view(note)
        log.info("staff note added", extra={"conversation_id": conversation_id,
                                            "note_id": result["id"]})
        return result
