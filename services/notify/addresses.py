"""Whose portal a notice names: the practice's name and portal address, asked of identity
(`get_practice_address`, system, one hop bounded by RPC_TIMEOUT) before the handler
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
