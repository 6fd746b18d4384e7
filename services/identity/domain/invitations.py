"""Welcome invitations and password reset links: single-use tokens, stored hashed.

An invitation is emailed to the address on the client's chart (as TherapyNotes and
Sessions Health do). To create the account the client types their date of birth, which
must match the chart exactly; MAX_DOB_FAILURES wrong ones lock the link. It expires
after the practice's `invitation_days` (7 by default) and may be sent again only
RESEND_AFTER after the last send; sending again supersedes the older link.

A reset link works once, for RESET_LIFETIME. Plain functions: no nameko, no SQL.
"""
import hashlib
import secrets
from datetime import date, timedelta

from services.common.errors import Conflict, InvalidInput, NotFound, TooManyRequests

TOKEN_BYTES = 32
RESEND_AFTER = timedelta(minutes=5)
MAX_DOB_FAILURES = 5
DEFAULT_INVITATION_DAYS = 7
RESET_LIFETIME = timedelta(hours=24)
# a second self-service reset request within this span sends no second email
RESET_REQUEST_QUIET = timedelta(minutes=1)

# password_resets.purpose: a reset, or the first password of an invited contact or staff
PURPOSE_RESET, PURPOSE_INVITE = "reset", "invite"

# invitation rows
PENDING, ACCEPTED, LOCKED, SUPERSEDED, REVOKED, CANCELLED = (
    "pending", "accepted", "locked", "superseded", "revoked", "cancelled")

# what staff see per client (get_portal_access_status / list_portal_access)
NEVER_INVITED = "never_invited"
SENT = "sent"
EXPIRED = "expired"
SIGNED_UP = "signed_up"
SUSPENDED = "suspended"
ACCESS_REMOVED = "access_removed"
# CANCELLED: staff withdrew the newest invitation (cancel_invitation)
ACCESS_STATUSES = (NEVER_INVITED, SENT, EXPIRED, LOCKED, SIGNED_UP, SUSPENDED, ACCESS_REMOVED,
                   CANCELLED)

MISSING_EMAIL = "The client's chart has no email address. Add one before sending an invitation."
MISSING_DOB = "The client's chart has no date of birth. Add one before sending an invitation."
DOB_MISMATCH = "That date of birth does not match our records."


def new_token():
    """(token for the link, SHA-256 to store): a copy of the database opens nothing."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token):
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def invitation_path(practice_code, token):
    return f"/p/{practice_code}/invite/{token}"


def reset_path(practice_code, token):
    return f"/p/{practice_code}/reset/{token}"


def staff_reset_path(practice_code, token):
    return f"/staff/{practice_code}/reset/{token}"


def required_details(chart):
    """(email, date_of_birth) from a charts record, or InvalidInput naming what is missing."""
    email = (chart.get("email") or "").strip()
    dob = chart.get("date_of_birth")
    missing = {}
    if not email:
        missing["email"] = [MISSING_EMAIL]
    if not dob:
        missing["date_of_birth"] = [MISSING_DOB]
    if missing:
        if len(missing) == 2:
            sentence = ("The client's chart has no email address and no date of birth. "
                        "Add both before sending an invitation.")
        else:
            sentence = next(iter(missing.values()))[0]
        raise InvalidInput("client_details_missing", sentence, missing)
    return email, dob


def resend_at(last_sent_at):
    return last_sent_at + RESEND_AFTER if last_sent_at else None


def check_resend_after(previous, now):
    """The resend wait after `previous` (the newest invitation): none after a cancelled
    one — staff cancel a wrong invitation to send a right one at once."""
    if previous is not None and previous.status != CANCELLED:
        check_resend(previous.sent_at, now)


def check_resend(last_sent_at, now):
    """TooManyRequests with `retry_at` (ISO) and `retry_after` (seconds) when too soon."""
    at = resend_at(last_sent_at)
    if at is not None and now < at:
        seconds = max(1, int((at - now).total_seconds() + 0.999))
        raise TooManyRequests(
            "resend_too_soon",
            "An invitation was sent less than five minutes ago. You can send it again "
            f"at {at.strftime('%H:%M')} UTC.",
            {"retry_at": at.isoformat(), "retry_after": seconds})


def expiry(now, days):
    return now + timedelta(days=days or DEFAULT_INVITATION_DAYS)


def is_expired(invitation, now):
    return invitation.expires_at <= now


def require_usable(invitation, now):
    """The invitation behind a link, or the error its state calls for."""
    if invitation is None:
        raise NotFound("invitation_not_found",
                       "This invitation link is not valid. Please ask the practice for a new one.")
    if invitation.status == ACCEPTED:
        raise Conflict("invitation_used",
                       "This invitation has already been used. Sign in instead.")
    if invitation.status == LOCKED:
        raise Conflict("invitation_locked",
                       "This invitation is locked after too many attempts. "
                       "Please call the practice for a new one.")
    if invitation.status == CANCELLED:
        raise Conflict("invitation_cancelled",
                       "The practice withdrew this invitation. Please call the practice.")
    if invitation.status in (SUPERSEDED, REVOKED):
        raise Conflict("invitation_replaced",
                       "This invitation link is no longer valid. Use the newest email "
                       "from the practice, or ask for a new one.")
    if is_expired(invitation, now):
        raise Conflict("invitation_expired",
                       "This invitation has expired. Please ask the practice for a new one.")
    return invitation


def dob_matches(entered, on_file):
    """Exact match of two dates (date objects or YYYY-MM-DD strings)."""
    try:
        a = entered if isinstance(entered, date) else date.fromisoformat(str(entered))
        b = on_file if isinstance(on_file, date) else date.fromisoformat(str(on_file)[:10])
    except ValueError:
        return False
    return a == b


def after_mismatch(failures):
    """(failures, locked) once one more wrong date of birth was typed."""
    failures += 1
    return failures, failures >= MAX_DOB_FAILURES


def mismatch_error(failures):
    left = MAX_DOB_FAILURES - failures
    return InvalidInput("date_of_birth_mismatch", DOB_MISMATCH,
                        {"date_of_birth": [DOB_MISMATCH], "attempts_left": left})


def access_status(account, invitation, now):
    """What staff see of one client's portal access; `account` and `invitation` (the
    newest) may be None."""
    view = {"status": NEVER_INVITED, "invited_at": None, "expires_at": None,
            "resend_at": None, "signed_up_at": None, "login": None, "last_sign_in_at": None,
            "account_id": None, "account_status": None}
    if invitation is not None:
        view.update(invited_at=invitation.sent_at.isoformat(),
                    expires_at=invitation.expires_at.isoformat(),
                    resend_at=resend_at(invitation.sent_at).isoformat())
    if account is not None:
        status = {"active": SIGNED_UP, "suspended": SUSPENDED}.get(account.status, ACCESS_REMOVED)
        signed_up = invitation.accepted_at if invitation is not None and \
            invitation.accepted_at is not None else account.created_at
        view.update(status=status, signed_up_at=signed_up.isoformat(), login=account.login,
                    account_id=account.id, account_status=account.status,
                    last_sign_in_at=account.last_sign_in_at.isoformat()
                    if account.last_sign_in_at else None)
        return view
    if invitation is None:
        return view
    if invitation.status == LOCKED:
        view["status"] = LOCKED
    elif invitation.status == REVOKED:
        view["status"] = ACCESS_REMOVED
    elif invitation.status == CANCELLED:
        view.update(status=CANCELLED, resend_at=None)
    elif is_expired(invitation, now):
        view["status"] = EXPIRED
    else:
        view["status"] = SENT
    return view


def reset_usable(reset, now):
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise NotFound("reset_link_invalid",
                       "This password reset link is no longer valid. Ask for a new one from "
                       "the sign-in page.")
    return reset
