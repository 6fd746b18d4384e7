"""The rows an entrypoint acts on, or the refusal every capability gives alike: the
actor's practice, a client portal account or a contact of it (NotFound otherwise), a
second portal access for the same client or sign-in (Conflict), and a flush that lost a
race for a unique value (Conflict).
"""
from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict, NotFound
from services.identity import store
from services.identity.domain import accounts
from services.identity.models import Contact, Practice


def practice_of(session, actor):
    practice = session.get(Practice, actor.practice_id) if actor.practice_id else None
    if practice is None:
        raise NotFound("practice_not_found", "There is no such practice.")
    return practice


def account_of(session, actor, account_id):
    account = store.principals.get(session, accounts.CLIENT, account_id, actor.practice_id)
    if account is None:
        raise NotFound("no_portal_access", "There is no such portal account.")
    return account


def contact_of(session, actor, contact_id):
    contact = session.get(Contact, contact_id) if isinstance(contact_id, str) else None
    if contact is None or contact.practice_id != actor.practice_id:
        raise NotFound("no_contact", "There is no such contact.")
    return contact


def refuse_duplicate_access(session, practice_id, client_id, login):
    if store.client_accounts.client_reached(session, practice_id, client_id):
        raise Conflict("access_exists", "This client already has portal access.")
    if store.client_accounts.login_taken(session, practice_id, login):
        raise Conflict("login_taken",
                       "That sign-in email is already used by another client of the practice.")


def flush_or_conflict(session):
    try:
        session.flush()
    except IntegrityError:  # a concurrent request took the same unique value
        raise Conflict("already_exists", "That already exists. Reload and try again.") from None
