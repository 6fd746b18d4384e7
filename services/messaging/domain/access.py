"""Who may start, read and send: the parties of a conversation, read from the actor.

A conversation is about one client (`client_id`, a charts id). Its parties are:
- `client`  — the client themselves, id = client_id: any actor holding `"*"` for the
  client (their own portal account, or an account the client is linked to);
- `contact` — a contact acting through a grant, id = the contact's id;
- `account` — a client portal account acting through a grant on *another* client (a
  parent who is a client too), id = the account's id;
- `staff`   — a staff member, id = the staff id.
A grant reaches a client's conversations only while it holds `message_clinician` today:
identity applies the guardian age bands when it issues the token, so the actor context
already says what the grant allows on this day (docs/identity.md, "Guardian age bands")
— nothing is moved when a band changes, the check simply stops passing.
"""
from dataclasses import dataclass

from services.common.errors import Forbidden, NotFound

CLIENT, CONTACT, ACCOUNT, STAFF = "client", "contact", "account", "staff"
PARTY_KINDS = (CLIENT, CONTACT, ACCOUNT, STAFF)
CLIENT_SIDE = (CLIENT, CONTACT, ACCOUNT)

# the grant permission (identity's grants) and the staff permissions used here
MESSAGE_CLINICIAN = "message_clinician"
VIEW_CLIENTS = "view_clients"
MANAGE_PRACTICE_SETTINGS = "manage_practice_settings"
MANAGE_PORTAL_ACCESS = "manage_portal_access"

NOT_FOUND = "That conversation does not exist."


@dataclass(frozen=True)
class Party:
    kind: str
    id: str

    @property
    def is_staff(self):
        return self.kind == STAFF

    def to_wire(self):
        return {"kind": self.kind, "id": self.id}


def not_found():
    return NotFound("not_found", NOT_FOUND)


def require_staff_member(actor):
    """A staff member of one practice (every role holds `view_clients` by default)."""
    actor.require_staff(VIEW_CLIENTS)
    if actor.is_system or not actor.practice_id:
        raise Forbidden("staff_only", "Only the practice's staff can do that.")
    return Party(STAFF, actor.id)


def party_for(actor, client_id):
    """The party `actor` is in conversations about `client_id`.

    Staff → their staff party. A client account or contact not holding the client →
    NotFound (never a hint that the client exists); holding it with `"*"` → the client;
    with `message_clinician` → the contact or account itself; holding it without that
    permission (e.g. a guardian of a 13-year-old once the confidential band began) →
    Forbidden `not_permitted`. System actors are not parties."""
    if actor.is_staff:
        return require_staff_member(actor)
    if actor.is_system:
        raise Forbidden("staff_only", "Only the practice's staff can do that.")
    held = actor.clients.get(client_id)
    if held is None:
        raise not_found()
    if "*" in held:
        return Party(CLIENT, client_id)
    if MESSAGE_CLINICIAN in held:
        return Party(CONTACT if actor.kind == "contact" else ACCOUNT, actor.id)
    raise Forbidden("not_permitted", "Your access to this person does not include secure "
                    "messages. Please contact the practice directly.")


def client_parties(actor):
    """{client_id: party} for every client a client account or contact may message
    about today (clients held without `message_clinician` are left out)."""
    found = {}
    for client_id, held in actor.clients.items():
        if "*" in held:
            found[client_id] = Party(CLIENT, client_id)
        elif MESSAGE_CLINICIAN in held:
            found[client_id] = Party(CONTACT if actor.kind == "contact" else ACCOUNT,
                                     actor.id)
    return found


def require_member(party, members):
    """`members`: the parties of the conversation. Not among them → NotFound (the same
    answer as for a conversation that does not exist)."""
    if party not in set(members):
        raise not_found()


def require_assigned(clinician_id, assigned):
    """A client or contact may start a conversation only with a clinician assigned to
    the client (docs/messaging.md, "Assigned clinicians")."""
    if clinician_id not in set(assigned):
        raise Forbidden("clinician_not_assigned", "You can start a conversation only with "
                        "a clinician assigned to you. Choose one of your clinicians, or "
                        "call the practice to reach someone else.",
                        {"clinician_id": ["Not a clinician assigned to you."]})


def require_enabled(practice_on, client_on):
    """The practice switch (off by default) and the per-client switch."""
    if not practice_on:
        raise Forbidden("messaging_off", "Secure messaging is not turned on for this "
                        "practice. Please contact the practice by phone or in person.")
    if not client_on:
        raise Forbidden("messaging_off_for_client", "Secure messaging is turned off for "
                        "this person. Please contact the practice by phone or in person.")


def sees_notes(party):
    """Staff-only notes are for staff parties; a client or contact never sees one."""
    return party.is_staff
