"""Conversations: start one, list an inbox with unread counts, read one, add a
colleague, archive.

Each method: load the schema, check the actor, ask identity (before any transaction),
open the transaction, apply the domain's rules, write, record the event, answer. Log
lines carry ids only — never a subject, a text or a name.
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput
from services.common.rpc import rpc
from services.common.schemas import load
from services.messaging import domain, events, schemas, store
from services.messaging.domain.access import CLIENT, STAFF, Party
from services.messaging.entrypoints.guards import (
    open_conversation,
    require_enabled,
    staff_of,
    switches,
)
from services.messaging.models import Conversation

log = logging.getLogger(__name__)


def conversation_view(session, opened):
    """The whole conversation as the actor's party may see it."""
    conv, party = opened.conversation, opened.party
    receipts = store.conversations.receipts(session, conv.id)
    participants = [schemas.party_view(r, receipts.get((r.party_kind, r.party_id)))
                    for r in opened.rows]
    messages = store.conversations.messages(session, conv.id)
    own = receipts.get((party.kind, party.id))
    unread = domain.conversations.unread_count(
        [(m.seq, Party(m.sender_kind, m.sender_id)) for m in messages], party,
        own.last_read_seq if own else 0)
    own_row = opened.own_row
    view = schemas.conversation_summary(conv, unread, own_row.archived_at is not None,
                                        participants)
    view["you"] = party.to_wire()
    view["messages"] = [schemas.message_view(m) for m in messages]
    if domain.access.sees_notes(party):
        view["notes"] = [schemas.note_view(n) for n in store.conversations.notes(session, conv.id)]
    return view


class ConversationEntrypoints:
    """Mixin of MessagingService: needs `db`, `clock` and `identity`."""

    @rpc(expected_exceptions=EXPECTED)
    def start_conversation(self, actor, payload):
        """Start a conversation about `client_id` with its first message.

        A client account or contact (holding `"*"` or `message_clinician` for the client)
        names `clinician_id`, one of the client's assigned clinicians (Forbidden
        `clinician_not_assigned` otherwise). A staff member (`view_clients`) writes to
        the client (`with: client`, default) or to a contact / account holding a grant
        (`with: contact|account`, `with_id`). Both switches must be on (Forbidden
        `messaging_off` / `messaging_off_for_client`). payload {client_id, clinician_id?,
        with?, with_id?, subject? (≤120, one line), body (1–10,000), id? (idempotency
        key), sender_name?, with_name?} → the conversation. Emits `conversation.started`
        and `message.sent`."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.StartConversation(), payload)
        client_id = cmd["client_id"]
        starter = domain.access.party_for(actor, client_id)
        conversation_id = str(cmd["id"]) if cmd["id"] else None
        with self.db.read() as session:
            if conversation_id and session.get(Conversation, conversation_id) is not None:
                return self._replayed(session, actor, conversation_id, starter)
            require_enabled(session, actor.practice_id, client_id)
            assigned = store.assignments.assigned(session, actor.practice_id, client_id)
        if starter.is_staff:
            other, other_name = self._addressee(cmd, client_id)
            staff = staff_of(self.identity, actor.practice_id)
            me = domain.conversations.active_staff(staff, actor.id)
            starter_name = (me or {}).get("name") or cmd["sender_name"]
        else:
            if not cmd["clinician_id"]:
                raise InvalidInput("invalid_input", "Choose the clinician you are writing to.",
                                   {"clinician_id": ["Choose a clinician."]})
            domain.access.require_assigned(cmd["clinician_id"], assigned)
            clinician = domain.conversations.active_staff(
                staff_of(self.identity, actor.practice_id), cmd["clinician_id"])
            if clinician is None:   # assigned, but no longer active staff
                domain.access.require_assigned(cmd["clinician_id"], ())
            other, other_name = Party(STAFF, clinician["id"]), clinician.get("name")
            starter_name = cmd["sender_name"]
        members = domain.conversations.new_members(starter, other)
        body = domain.texts.clean(cmd["body"])
        now = self.clock()
        with self.db.transaction() as tx:
            if conversation_id and tx.session.get(Conversation, conversation_id) is not None:
                return self._replayed(tx.session, actor, conversation_id, starter)
            conv = Conversation(id=conversation_id, practice_id=actor.practice_id,
                                client_id=client_id,
                                subject=domain.texts.one_line(cmd["subject"],
                                                              domain.texts.SUBJECT_MAX),
                                started_by_kind=starter.kind, started_by_id=starter.id,
                                created_at=now, last_message_at=now, last_seq=0)
            tx.session.add(conv)
            tx.session.flush()
            store.conversations.add_member(tx.session, conv, starter,
                                           domain.texts.one_line(starter_name), actor.id, now)
            store.conversations.add_member(tx.session, conv, other,
                                           domain.texts.one_line(other_name), actor.id, now)
            message = store.conversations.add_message(tx.session, conv, starter, body, now)
            receipt = store.conversations.receipt_for(tx.session, conv, starter)
            receipt.last_read_seq, receipt.read_at = message.seq, now
            tx.session.flush()
            wire = [events.party(m) for m in members]
            events.CONVERSATION_STARTED.record(tx, actor, {
                "conversation_id": conv.id, "client_id": client_id,
                "started_by": events.party(starter), "participants": wire})
            events.MESSAGE_SENT.record(tx, actor, {
                "conversation_id": conv.id, "message_id": message.id, "client_id": client_id,
                "seq": message.seq, "sender": events.party(starter),
                "recipients": [events.party(m) for m in
                               domain.conversations.recipients(members, starter)],
                "sent_at": now.isoformat()})
            opened = open_conversation(tx.session, actor, conv.id)
            result = conversation_view(tx.session, opened)
        log.info("conversation started", extra={"conversation_id": conv.id,
                                                "client_id": client_id})
        return result

    @staticmethod
    def _addressee(cmd, client_id):
        if cmd["with_kind"] == CLIENT:
            return Party(CLIENT, client_id), cmd["with_name"]
        if not cmd["with_id"]:
            raise InvalidInput("invalid_input", "Choose the contact you are writing to.",
                               {"with_id": ["Choose a contact."]})
        return Party(cmd["with_kind"], cmd["with_id"]), cmd["with_name"]

    def _replayed(self, session, actor, conversation_id, starter):
        """A retried start (same id): the conversation it made, if it is the actor's."""
        conv = session.get(Conversation, conversation_id)
        if (conv.practice_id != actor.practice_id
                or (conv.started_by_kind, conv.started_by_id) != (starter.kind, starter.id)):
            raise Conflict("id_taken", "That id is already in use. Send a new one.")
        return conversation_view(session, open_conversation(session, actor, conversation_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_conversations(self, actor, payload=None):
        """The actor's inbox: conversations it is in, latest message first, each with the
        actor's unread count. payload {archived? (false: the inbox; true: the archive),
        client_id?, limit? (1–200, 50)} → {items: [summary], unread_total}. A client or
        contact sees only clients it may message about today whose switch is on; the
        practice's switch off → Forbidden `messaging_off`. Staff see theirs always."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.ListConversations(), payload)
        scope = self._scope(actor)
        with self.db.read() as session:
            if "client_parties" in scope:
                practice_on, _ = switches(session, actor.practice_id, None)
                domain.access.require_enabled(practice_on, True)
                off = store.settings.clients_off(session, actor.practice_id,
                                                 scope["client_parties"])
                scope["client_parties"] = {c: p for c, p in scope["client_parties"].items()
                                           if c not in off}
            rows = store.conversations.inbox(session, actor.practice_id, cmd["archived"],
                                             cmd["limit"], cmd["client_id"], **scope)
            ids = [conv.id for conv, _ in rows]
            unread = store.conversations.unread_counts(session, actor.practice_id,
                                                       conversation_ids=ids, **scope)
            total = store.conversations.unread_counts(session, actor.practice_id, **scope)
            members = store.conversations.participants_of(session, ids)
            items = [schemas.conversation_summary(
                conv, unread.get(conv.id, 0), row.archived_at is not None,
                [schemas.party_view(m) for m in members.get(conv.id, [])])
                for conv, row in rows]
        return {"items": items, "unread_total": sum(total.values())}

    @staticmethod
    def _scope(actor):
        if actor.is_staff:
            return {"staff_party": domain.access.require_staff_member(actor)}
        if actor.is_system:
            raise Forbidden("staff_only", "Only the practice's staff can do that.")
        return {"client_parties": domain.access.client_parties(actor)}

    @rpc(expected_exceptions=EXPECTED)
    def count_unread(self, actor):
        """For the page header: {unread, enabled}. Never refuses a signed-in person: with
        messaging off (for the practice) it answers {unread: 0, enabled: false}."""
        actor = Actor.from_wire(actor)
        scope = self._scope(actor)
        with self.db.read() as session:
            practice_on, _ = switches(session, actor.practice_id, None)
            if "client_parties" in scope:
                if not practice_on:
                    return {"unread": 0, "enabled": False}
                off = store.settings.clients_off(session, actor.practice_id,
                                                 scope["client_parties"])
                scope["client_parties"] = {c: p for c, p in scope["client_parties"].items()
                                           if c not in off}
            counts = store.conversations.unread_counts(session, actor.practice_id, **scope)
        return {"unread": sum(counts.values()), "enabled": practice_on}

    @rpc(expected_exceptions=EXPECTED)
    def get_conversation(self, actor, conversation_id):
        """One conversation with every message (and, for staff, its staff-only notes),
        the participants with their read receipts and the actor's unread count. Not in
        it → NotFound; a client or contact with messaging off → Forbidden."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            opened = open_conversation(session, actor, conversation_id)
            if not opened.party.is_staff:
                require_enabled(session, actor.practice_id, opened.conversation.client_id)
            return conversation_view(session, opened)

    @rpc(expected_exceptions=EXPECTED)
    def add_participant(self, actor, conversation_id, payload):
        """A staff member in the conversation adds a colleague (an active staff member of
        the practice: a supervisor, the biller). payload {staff_id} → the conversation.
        Already in it → the conversation unchanged. InvalidInput `staff_id` when not
        active staff."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.AddParticipant(), payload)
        with self.db.read() as session:
            opened = open_conversation(session, actor, conversation_id)
            if not domain.conversations.check_colleague(opened.party, cmd["staff_id"],
                                                        opened.members):
                return conversation_view(session, opened)
        colleague = domain.conversations.active_staff(staff_of(self.identity, actor.practice_id),
                                                      cmd["staff_id"])
        if colleague is None:
            raise InvalidInput("invalid_input", "Choose a colleague who is active staff of "
                               "this practice.", {"staff_id": ["Not an active staff member."]})
        now = self.clock()
        with self.db.transaction() as tx:
            opened = open_conversation(tx.session, actor, conversation_id, for_update=True)
            party = Party(STAFF, colleague["id"])
            if party not in set(opened.members):
                store.conversations.add_member(tx.session, opened.conversation, party,
                                               domain.texts.one_line(colleague.get("name")),
                                               actor.id, now)
                tx.session.flush()
                opened = open_conversation(tx.session, actor, conversation_id)
            result = conversation_view(tx.session, opened)
        log.info("participant added", extra={"conversation_id": conversation_id,
                                             "staff_id": colleague["id"]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def archive_conversation(self, actor, conversation_id, payload=None):
        """Archive (or, `{archived: false}`, bring back) the conversation for the actor's
        party only; a new message brings it back by itself. Deletes nothing. → the
        conversation's summary."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.Archive(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            opened = open_conversation(tx.session, actor, conversation_id)
            if not opened.party.is_staff:
                require_enabled(tx.session, actor.practice_id, opened.conversation.client_id)
            opened.own_row.archived_at = now if cmd["archived"] else None
            tx.session.flush()
            result = conversation_view(tx.session, opened)
        result.pop("messages", None)
        result.pop("notes", None)
        return result
