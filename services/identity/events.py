"""The events identity publishes on `identity.events` (routing key = type).

Each is recorded in the outbox in the same transaction as the change it reports
(`tx.record(TYPE, data, actor, version=VERSION)`) and leaves only once that commits.
Data carries ids and codes; the one personal detail is the sign-in email of
`account.created`, which the welcome email needs.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    type: str
    version: int
    doc: str


ACCOUNT_CREATED = EventType("account.created", 1, """\
A client's portal access was set up. data: {account_id, client_id, practice_name,
portal_path, login, status}. `portal_path` is relative to the public address (PUBLIC_URL);
`login` is the address a welcome email goes to; `status` is "active" or "suspended"
(no welcome email is due for a suspended one).""")

ACCOUNT_SUSPENDED = EventType("account.suspended", 1, """\
A client's portal access stopped: status became "suspended" or "inactive".
data: {account_id, client_id, status}. Followed in the same transaction by
`session.revoked` when the account had open sessions.""")

SESSION_REVOKED = EventType("session.revoked", 1, """\
Sessions ended before their time (sign-out, access stopped, password changed, a reused
refresh token). data: {session_ids: [...], account_id, revoked_at, reason}. Every gateway
replica refuses access tokens carrying these `sid`s from then on.""")

PASSWORD_CHANGED = EventType("password.changed", 1, """\
Someone changed their own password. data: {account_id, kind} with kind "client" or
"staff". Every other session of that person was revoked in the same transaction.""")

ALL = (ACCOUNT_CREATED, ACCOUNT_SUSPENDED, SESSION_REVOKED, PASSWORD_CHANGED)
