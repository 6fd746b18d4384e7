"""Conversations: who is in one, read positions, unread counts and archiving.

Messages of a conversation are numbered 1, 2, 3 … (`seq`). A party's read receipt is the
highest `seq` it has read; a message is unread for a party when its `seq` is above that
and the party did not send it. Staff-only notes are not messages: they are never unread
and never counted. Archiving is each party's own: it hides the conversation from that
party's inbox until a new message arrives, and deletes nothing.
"""
from services.common.errors import Forbidden, InvalidInput
from services.messaging.domain.access import STAFF, Party


def read_position(current, requested, last_seq):
    """The new read position: never backwards, never past the last message. `requested`
    None = everything so far."""
    target = last_seq if requested is None else min(int(requested), last_seq)
    return max(current or 0, target)


def is_unread(seq, sender, party, read_seq):
    return seq > (read_seq or 0) and sender != party


def unread_count(messages, party, read_seq):
    """`messages`: (seq, sender Party) pairs."""
    return sum(1 for seq, sender in messages if is_unread(seq, sender, party, read_seq))


def recipients(members, sender):
    """Every party but the sender, in the order they joined."""
    return [member for member in members if member != sender]


def new_members(starter, other):
    """The parties of a new conversation: the one who starts it and the one addressed."""
    if starter == other:
        raise InvalidInput("invalid_input", "Choose someone other than yourself.",
                           {"clinician_id": ["That is you."]})
    return [starter, other]


def check_colleague(adder, colleague_id, members):
    """Only a staff party adds a colleague; someone already in it is not added twice
    (the call answers as if it had been: idempotent)."""
    if not adder.is_staff:
        raise Forbidden("staff_only", "Only the practice's staff can add someone to a "
                        "conversation.")
    return Party(STAFF, colleague_id) not in set(members)


def active_staff(staff, staff_id):
    """The entry of identity's `list_staff` answer that is `staff_id` and active."""
    for person in staff or ():
        if person.get("id") == staff_id and person.get("status") == "active":
            return person
    return None
