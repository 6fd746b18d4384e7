"""What every messaging entrypoint does before its own work: find the conversation as
the actor may see it, check the switches, ask identity for staff names (one bounded hop,
never inside a transaction)."""
import logging
from dataclasses import dataclass

from services.common.actor import Actor
from services.common.errors import Forbidden, Unavailable
from services.messaging import domain, store
from services.messaging.domain.access import ACCOUNT, CONTACT, Party

log = logging.getLogger(__name__)


@dataclass
class Opened:
    conversation: object
    party: Party
    rows: list          # participant rows

    @property
    def members(self):
        return store.conversations.parties(self.rows)

    @property
    def own_row(self):
        return store.conversations.member_row(self.rows, self.party)


def open_conversation(session, actor, conversation_id, for_update=False):
    """The conversation and the actor's party in it. Missing, another practice's, or one
    the actor is not in → NotFound (by every route: existence stays hidden). A member
    whose grant no longer holds `message_clinician` → Forbidden `not_permitted`."""
    if not actor.practice_id:
        raise domain.access.not_found()
    row = store.conversations.conversation_of_practice(session, actor.practice_id,
                                                       conversation_id, for_update)
    rows = store.conversations.members(session, row.id)
    members = store.conversations.parties(rows)
    try:
        party = domain.access.party_for(actor, row.client_id)
    except Forbidden:
        # a holder that is not in it learns nothing; one that is hears why it stopped
        kind = CONTACT if actor.kind == "contact" else ACCOUNT
        domain.access.require_member(Party(kind, actor.id), members)
        raise
    domain.access.require_member(party, members)
    return Opened(row, party, rows)


def switches(session, practice_id, client_id):
    """(practice on, client on)."""
    settings = store.settings.practice(session, practice_id)
    return (bool(settings and settings.enabled),
            store.settings.client_enabled(session, practice_id, client_id))


def require_enabled(session, practice_id, client_id):
    domain.access.require_enabled(*switches(session, practice_id, client_id))


def staff_of(identity, practice_id):
    """identity's `list_staff` for the practice (system actor: a client may not ask)."""
    try:
        return identity.list_staff(Actor.system(practice_id=practice_id).to_wire())
    except Unavailable:
        log.warning("identity did not answer messaging's staff lookup")
        raise Unavailable("identity_unavailable", "The practice's staff directory is not "
                          "answering. Nothing was sent: please try again in a moment.") from None
