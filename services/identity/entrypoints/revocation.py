"""Ending sessions, and saying so: `session.revoked` is recorded in the transaction that
ends them, so every gateway replica refuses their tokens within a second.
"""
from services.identity import events, store
from services.identity.domain import accounts
from services.identity.models import Practice


def record_revoked(tx, actor, practice_id, principal_id, session_ids, now, reason):
    """`session.revoked` for sessions just ended, in the transaction that ended them."""
    events.SESSION_REVOKED.record(tx, actor, {
        "session_ids": session_ids, "account_id": principal_id,
        "revoked_at": now.isoformat(), "reason": reason}, practice_id=practice_id)


def end_sessions(tx, actor, kind, row, now, reason):
    """End every open session of `row` (a `kind` person) → the ids it ended."""
    still_open = store.sessions.open_sessions(tx.session, kind, row.id)
    ended = store.sessions.revoke(tx.session, still_open, now, reason)
    if ended:
        record_revoked(tx, actor, row.practice_id, row.id, ended, now, reason)
    return ended


def stop_access(tx, actor, account, now):
    """A client account left "active": `account.suspended` (notify emails its login) and
    every session of it ends."""
    practice = tx.session.get(Practice, account.practice_id)
    events.ACCOUNT_SUSPENDED.record(tx, actor, {
        "account_id": account.id, "client_id": account.client_id, "status": account.status,
        **events.email_data(practice, account.login)})
    end_sessions(tx, actor, accounts.CLIENT, account, now, account.status)
