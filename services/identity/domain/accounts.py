"""Portal account status rules (after PIMSY's client portal access).

- active: may sign in.
- suspended: temporarily barred (for example a balance dispute); staff can restore it.
- inactive: access ended (discharged client); staff can restore it too.
"Change Password at Next Login" is a flag beside the status: sign-in succeeds, but the
session can do nothing but change the password (the token says `mcp: true`).
"""
import re

ACTIVE = "active"
SUSPENDED = "suspended"
INACTIVE = "inactive"
INVITED = "invited"     # a contact or staff member who has not chosen a password yet
STATUSES = (ACTIVE, SUSPENDED, INACTIVE)
INITIAL_STATUSES = (ACTIVE, SUSPENDED)

# the kinds of person who sign in, as actor contexts, tokens and audit rows name them
CLIENT = "client"       # a client portal account (the client's own login)
CONTACT = "contact"     # a parent, guardian or other contact acting through grants
STAFF = "staff"
AUDIENCE_KIND = {"portal": CLIENT, "staff": STAFF}

CODE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def can_sign_in(status):
    return status == ACTIVE


def ends_sessions(old_status, new_status):
    """Leaving active (or moving between barred states) ends every open session."""
    return new_status != ACTIVE and old_status != new_status


def normalize_login(login):
    """Logins are emails, compared and stored in lower case, without surrounding blanks."""
    return (login or "").strip().lower()


def normalize_code(code):
    return (code or "").strip().lower()


def valid_code(code):
    """Practice codes appear in the portal address: lowercase letters, digits, hyphens."""
    return bool(CODE_PATTERN.match(code or ""))


def chart_name(chart):
    """A client's name as identity copies it from charts' record: first and last."""
    return " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
