"""Whose portal a notice names — the practice's name and portal address — and who else
hears of a change to a client, asked of identity (`get_practice_address`,
`list_notice_recipients`: system, one hop each bounded by RPC_TIMEOUT) before the handler
opens its transaction — never inside one. Events name ids, never addresses."""
from services.common.actor import Actor
from services.common.errors import NotFound


def practice_address(identity, practice_id):
    """{practice_name, portal_path, portal_subdomain}, or {} for a practice identity does
    not know (the notice then says "your practice" and links PUBLIC_URL). Identity not
    answering raises Unavailable: the delivery is retried, never sent without it."""
    try:
        return identity.get_practice_address(Actor.system(practice_id).to_wire()) or {}
    except NotFound:
        return {}


def notice_recipients(identity, practice_id, client_id, permission):
    """The sign-in addresses of everyone who holds `permission` for the client today (the
    age bands applied) and may sign in — contacts and accounts with such a grant, accounts
    the client is linked to — or [] for a practice identity does not know. Identity not
    answering raises Unavailable: the delivery is retried, never sent to fewer people."""
    try:
        return identity.list_notice_recipients(
            Actor.system(practice_id).to_wire(),
            {"client_id": client_id, "permission": permission}).get("emails") or []
    except NotFound:
        return []
