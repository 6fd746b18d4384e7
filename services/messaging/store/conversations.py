"""The SQL of conversations, their parties, messages, receipts and notes."""
from sqlalchemy import and_, false, func, or_, select

from services.messaging.domain.access import Party, not_found
from services.messaging.models import (Conversation, Message, Participant, ReadReceipt,
                                       StaffNote)


def conversation_of_practice(session, practice_id, conversation_id, for_update=False):
    """The row, or NotFound when missing or of another practice."""
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 36:
        raise not_found()
    query = select(Conversation).where(Conversation.id == conversation_id)
    if for_update:   # PostgreSQL: numbering messages is serialized per conversation
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None or row.practice_id != practice_id:
        raise not_found()
    return row


def members(session, conversation_id):
    """The participant rows, in the order they joined."""
    return session.scalars(select(Participant).where(
        Participant.conversation_id == conversation_id).order_by(
            Participant.position)).all()


def parties(rows):
    return [Party(r.party_kind, r.party_id) for r in rows]


def member_row(rows, party):
    return next((r for r in rows if (r.party_kind, r.party_id) == (party.kind, party.id)),
                None)


def add_member(session, conversation, party, name, by, now):
    """`party` joins last (its position is one more than the highest so far)."""
    session.flush()
    highest = session.scalar(select(func.max(Participant.position)).where(
        Participant.conversation_id == conversation.id))
    row = Participant(conversation_id=conversation.id, practice_id=conversation.practice_id,
                      party_kind=party.kind, party_id=party.id, name=name,
                      position=(highest or 0) + 1, joined_at=now, added_by=by)
    session.add(row)
    return row


def receipts(session, conversation_id):
    """{(kind, id): ReadReceipt} of the conversation."""
    rows = session.scalars(select(ReadReceipt).where(
        ReadReceipt.conversation_id == conversation_id)).all()
    return {(r.party_kind, r.party_id): r for r in rows}


def receipt_for(session, conversation, party):
    """The party's receipt, made at 0 when it has none yet."""
    row = session.get(ReadReceipt, (conversation.id, party.kind, party.id))
    if row is None:
        row = ReadReceipt(conversation_id=conversation.id, practice_id=conversation.practice_id,
                          party_kind=party.kind, party_id=party.id, last_read_seq=0)
        session.add(row)
    return row


def add_message(session, conversation, sender, body, now, message_id=None):
    """The next message of the conversation (its seq is last_seq + 1)."""
    conversation.last_seq += 1
    conversation.last_message_at = now
    row = Message(id=message_id, conversation_id=conversation.id,
                  practice_id=conversation.practice_id, seq=conversation.last_seq,
                  sender_kind=sender.kind, sender_id=sender.id, body=body, created_at=now)
    session.add(row)
    return row


def message(session, message_id):
    return session.get(Message, message_id) if message_id else None


def message_at(session, conversation_id, seq):
    return session.scalars(select(Message).where(
        Message.conversation_id == conversation_id, Message.seq == seq)).first()


def messages(session, conversation_id):
    return session.scalars(select(Message).where(
        Message.conversation_id == conversation_id).order_by(Message.seq)).all()


def notes(session, conversation_id):
    return session.scalars(select(StaffNote).where(
        StaffNote.conversation_id == conversation_id).order_by(
            StaffNote.created_at, StaffNote.id)).all()


def unarchive_for(rows, sender):
    """A new message brings the conversation back into every other party's inbox."""
    for row in rows:
        if (row.party_kind, row.party_id) != (sender.kind, sender.id):
            row.archived_at = None


def _party_clause(practice_id, staff_party=None, client_parties=None):
    """Participant rows that are the actor: its staff party, or for each client it may
    message about, its party in that client's conversations."""
    base = [Participant.practice_id == practice_id]
    if staff_party is not None:
        return and_(*base, Participant.party_kind == staff_party.kind,
                    Participant.party_id == staff_party.id)
    if not client_parties:
        return false()
    return and_(*base, or_(*[
        and_(Conversation.client_id == client_id, Participant.party_kind == party.kind,
             Participant.party_id == party.id)
        for client_id, party in client_parties.items()]))


def inbox(session, practice_id, archived, limit, client_id=None, staff_party=None,
          client_parties=None):
    """(conversation, participant row) of the actor's conversations, latest first."""
    clause = _party_clause(practice_id, staff_party, client_parties)
    query = (select(Conversation, Participant)
             .join(Participant, Participant.conversation_id == Conversation.id)
             .where(clause)
             .where(Participant.archived_at.is_not(None) if archived
                    else Participant.archived_at.is_(None)))
    if client_id:
        query = query.where(Conversation.client_id == client_id)
    return session.execute(query.order_by(Conversation.last_message_at.desc(),
                                          Conversation.id).limit(limit)).all()


def unread_counts(session, practice_id, staff_party=None, client_parties=None,
                  conversation_ids=None):
    """{conversation_id: unread} for the actor (conversations with none are absent):
    messages above the party's read receipt that the party did not send."""
    clause = _party_clause(practice_id, staff_party, client_parties)
    query = (select(Participant.conversation_id, func.count(Message.id))
             .join(Conversation, Conversation.id == Participant.conversation_id)
             .join(Message, Message.conversation_id == Participant.conversation_id)
             .outerjoin(ReadReceipt, and_(
                 ReadReceipt.conversation_id == Participant.conversation_id,
                 ReadReceipt.party_kind == Participant.party_kind,
                 ReadReceipt.party_id == Participant.party_id))
             .where(clause)
             .where(Message.seq > func.coalesce(ReadReceipt.last_read_seq, 0))
             .where(or_(Message.sender_kind != Participant.party_kind,
                        Message.sender_id != Participant.party_id))
             .group_by(Participant.conversation_id))
    if conversation_ids is not None:
        query = query.where(Participant.conversation_id.in_(list(conversation_ids)))
    return dict(session.execute(query).all())


def participants_of(session, conversation_ids):
    """{conversation_id: [participant rows]} for a page of conversations."""
    found = {}
    if not conversation_ids:
        return found
    rows = session.scalars(select(Participant).where(
        Participant.conversation_id.in_(list(conversation_ids))).order_by(
            Participant.position)).all()
    for row in rows:
        found.setdefault(row.conversation_id, []).append(row)
    return found
