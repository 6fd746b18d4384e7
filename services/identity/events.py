"""The events identity publishes on `identity.events` (routing key = type).

Each is recorded in the outbox in the same transaction as the change it reports
(`EVENT.record(tx, actor, data)`) and leaves only once that commits. Those declared
`private=True` carry a single-use link and go to identity-private.events instead.
Data carries ids and codes; the one personal detail is the sign-in email of
`account.created`, which the welcome email needs.
"""
from services.common.events import EventType


ACCOUNT_CREATED = EventType("account.created", 1, """\
A client's portal access was set up. data: {account_id, client_id, practice_name,
portal_path, portal_subdomain, login, status, via}. `portal_path` is relative to the public
address (PUBLIC_URL); `portal_subdomain` is the practice's own subdomain or null (every
event below that carries `portal_path` carries it too; a mail sender links to
https://<portal_subdomain>.<HAVEN_PORTAL_BASE_DOMAIN>/ when both are set);
`login` is the address a welcome email goes to; `status` is "active" or "suspended"
(no welcome email is due for a suspended one); `via` is "staff" (a staff-set login) or
"invitation" (the client accepted a welcome invitation: they already had the email).""")

ACCOUNT_SUSPENDED = EventType("account.suspended", 1, """\
A client's portal access stopped: status became "suspended" or "inactive".
data: {account_id, client_id, status, login, practice_name, portal_path, portal_subdomain}.
Followed in the same transaction by `session.revoked` when the account had open sessions.
notify sends the "access removed" email to `login`.""")

SESSION_REVOKED = EventType("session.revoked", 1, """\
Sessions ended before their time (sign-out, access stopped, password changed, a reused
refresh token, idle past the practice's limit: reason "idle_timeout"). data: {session_ids: [...], account_id, revoked_at, reason}. Every gateway
replica refuses access tokens carrying these `sid`s from then on.""")

PASSWORD_CHANGED = EventType("password.changed", 1, """\
A password was changed. data: {account_id, kind, via, login, practice_name, portal_path,
portal_subdomain}
with kind "client" or "staff" and via "change" (signed in, knowing the old one) or
"reset" (through an emailed reset link). Sessions of that person were revoked in the same
transaction. notify sends "your password was changed" to `login`.""")

INVITATION_SENT = EventType("invitation.sent", 1, """\
A welcome invitation was (re)sent. data: {invitation_id, client_id, email, practice_name,
portal_path, portal_subdomain, link_path, expires_at, resend}. `link_path` (/p/<code>/invite/<token>) holds
the single-use token: only notify should read it (see docs/identity.md, "Secrets in
events"). An older pending invitation of the client is superseded.""", private=True)

INVITATION_ACCEPTED = EventType("invitation.accepted", 1, """\
The client accepted an invitation and created their account. data: {invitation_id,
client_id, account_id}. `account.created` (via "invitation") is recorded with it.""")

INVITATION_LOCKED = EventType("invitation.locked", 1, """\
Too many wrong dates of birth locked an invitation. data: {invitation_id, client_id}.
notify raises an `invitation_locked` alert for staff holding `manage_portal_access`.""")

INVITATION_CANCELLED = EventType("invitation.cancelled", 1, """\
Staff withdrew a pending welcome invitation: its link no longer works. data:
{invitation_id, client_id}. A new invitation may be sent at once.""")

PASSWORD_RESET_REQUESTED = EventType("password_reset.requested", 1, """\
A reset link was issued. data: {reset_id, kind, account_id, email, practice_name,
portal_path, portal_subdomain, link_path, expires_at, requested_by} with requested_by "self" or "staff".
`link_path` holds the single-use token (docs/identity.md, "Secrets in events").""", private=True)

PRACTICE_UPDATED = EventType("practice.updated", 1, """\
A practice's portal settings changed. data: the whole practice as `get_practice` returns
it, plus `previous_code` (the code before this change). The gateway's branding read model
replaces its copy with it.""")

CLIENT_LINKED = EventType("account.client_linked", 1, """\
Staff linked a further client to a portal account (same email on the chart). data:
{account_id, client_id}. The account's next token carries the client with ["*"].""")

CLIENT_UNLINKED = EventType("account.client_unlinked", 1, """\
Staff removed an account's access to one linked client. data: {account_id, client_id}.
Every session of the account was revoked in the same transaction (`session.revoked`),
so no token naming that client stays usable.""")

CONTACT_INVITED = EventType("contact.invited", 1, """\
Staff added a contact (a guardian or responsible party with a login of their own kind).
data: {contact_id, email, practice_name, portal_path, portal_subdomain, link_path,
expires_at, resend}.
`link_path` (/p/<code>/reset/<token>) holds the single-use token with which the contact
chooses a password: recorded private, on identity-private.events only.""", private=True)

CONTACT_STATUS_CHANGED = EventType("contact.status_changed", 1, """\
A contact's login was suspended, ended or restored. data: {contact_id, status}.
Leaving "active" revokes every session of the contact in the same transaction.""")

GRANT_CHANGED = EventType("grant.changed", 1, """\
A grant — a contact's, or a client portal account's (a client who is also a guardian) —
over one client was granted, changed or revoked. data: {holder_kind, contact_id,
account_id, client_id, permissions, renewed_until, change} with holder_kind "contact" |
"client" (the other holder id null), change "granted" | "changed" | "revoked" and
permissions [] when revoked. `permissions` are those staff granted; the age bands may
hide some at token issue. A change that takes anything away is followed in the same
transaction by `session.revoked` for the holder's sessions.""")

STAFF_INVITED = EventType("staff.invited", 1, """\
A staff member was invited. data: {staff_id, email, practice_name, portal_path,
portal_subdomain (null: the console is not on the practice's own address), link_path,
expires_at}. `link_path` (/staff/<code>/reset/<token>) holds the single-use
token with which they choose a password: on identity-private.events only.""", private=True)

STAFF_UPDATED = EventType("staff.updated", 1, """\
A staff member's role or status changed. data: {staff_id, role, status, previous_role,
previous_status}. Every session of the staff member was revoked in the same transaction
(their permissions are in their tokens).""")

ROLE_PERMISSIONS_CHANGED = EventType("role_permissions.changed", 1, """\
A practice changed what one role grants. data: {role, permissions, added, removed}.
When something was removed, sessions of the staff holding the role were revoked.""")

SIGN_IN_THROTTLED = EventType("sign_in.throttled", 1, """\
Wrong passwords for an existing account made its sign-in back off (the first failure of
an episode only: the next comes after a success or an hour's quiet). data: {account_id,
kind, occurred_at, login, practice_name, portal_path, portal_subdomain} with kind
"client", "contact" or "staff" (whose portal_path is the console's, /staff/<code>, and
portal_subdomain null). notify tells `login` that someone tried to sign in. Nothing is
emitted for a sign-in name without an account.""")

ALL = (CONTACT_INVITED, CONTACT_STATUS_CHANGED, GRANT_CHANGED, STAFF_INVITED, STAFF_UPDATED,
       ROLE_PERMISSIONS_CHANGED, CLIENT_LINKED, CLIENT_UNLINKED, ACCOUNT_CREATED, ACCOUNT_SUSPENDED, SESSION_REVOKED, PASSWORD_CHANGED, INVITATION_SENT,
       INVITATION_ACCEPTED, INVITATION_LOCKED, INVITATION_CANCELLED, PASSWORD_RESET_REQUESTED,
       PRACTICE_UPDATED, SIGN_IN_THROTTLED)


# -- what every identity email event carries ------------------------------------------
def portal_address(practice, kind="client"):
    """Where a person of `kind` signs in, as every identity email event carries it:
    `portal_path` (relative to PUBLIC_URL) and `portal_subdomain`, the practice's own
    subdomain (None when it has none). notify alone turns them into a link
    (services/notify/domain.py, `portal_url`). Staff sign in at the console
    (/staff/<code>), which is not on the practice's own address."""
    if kind == "staff":
        return {"portal_path": f"/staff/{practice.code}", "portal_subdomain": None}
    return {"portal_path": f"/p/{practice.code}", "portal_subdomain": practice.subdomain or None}


def email_data(practice, login, kind="client"):
    """What every identity email event carries: where to write and what to call the
    practice — never health information."""
    return {"login": login, "practice_name": practice.name, **portal_address(practice, kind)}
