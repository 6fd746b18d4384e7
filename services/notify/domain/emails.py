"""What an email may say and to whom: the draft, the whitelisted context of the welcome
and "something new in your portal" notices, one email per address, header-safe text,
where links point, and how long to wait before trying an email again. Plain functions:
no nameko, no SQL.
"""
import re
from dataclasses import dataclass

# where an emailed link points: one rule for every part of Haven
from services.common.links import own_origin, portal_url  # noqa: F401

WELCOME = "welcome"
# The only values a welcome email may show. Anything else an event carries (names,
# client ids, chart fields) never reaches a template: no health information in email.
WELCOME_CONTEXT_KEYS = ("practice_name", "portal_url")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class EmailDraft:
    to: str
    template: str
    context: dict
    from_name: str = None


def one_per_address(drafts):
    """The drafts in order, without a second one to an address already written to (case
    does not matter: a parent whose child's chart carries the parent's address, and who
    holds a grant over the child too, gets one email)."""
    seen, kept = set(), []
    for draft in drafts:
        key = (draft.to or "").strip().lower()
        if key not in seen:
            seen.add(key)
            kept.append(draft)
    return kept


def is_email_address(text):
    return bool(text) and len(text) <= 254 and bool(_EMAIL.match(text))


def one_line(text, limit=200):
    """Header-safe text: no line breaks (header injection), bounded length."""
    return " ".join(str(text or "").split())[:limit]


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def link_settings(config):
    """(PUBLIC_URL, PORTAL_BASE_DOMAIN or None) from the service's config. The base domain
    counts only when the deployment set it (HAVEN_PORTAL_BASE_DOMAIN): the gateway's
    development default, `localhost`, names no address a mail reader could reach."""
    return (config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL,
            (config.get("PORTAL_BASE_DOMAIN") or "").strip() or None)


def welcome_email(data, public_url, base_domain=None):
    """The welcome email for a new portal account, or None when the account was created
    suspended (it cannot sign in yet), through an accepted invitation (they had the
    invitation email already) or its login is not an email address (nowhere to send it)."""
    if (data.get("status") or "active") != "active":
        return None
    if data.get("via") == "invitation":
        return None   # they came in through the invitation email: no second welcome
    login = (data.get("login") or "").strip()
    if not is_email_address(login):
        return None
    practice_name = one_line(data.get("practice_name")) or "Your practice"
    context = {"practice_name": practice_name,
               "portal_url": portal_url(public_url, data.get("portal_path"),
                                        data.get("portal_subdomain"), base_domain)}
    return EmailDraft(to=login, template=WELCOME, context=context, from_name=practice_name)


def retry_delay(attempts, base_seconds=30.0, cap_seconds=3600.0):
    """Seconds to wait after the `attempts`-th failed try: doubling, capped."""
    return min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))


def portal_notice(to, practice, template, public_url, base_domain=None):
    """A notice that something is new in the portal (a shared document, an appointment
    booked or cancelled), or None when `to` is not an email address. Its context is
    the whitelist (WELCOME_CONTEXT_KEYS) and nothing else: no time, clinician, title,
    place, reason or document name ever reaches a template. `practice` is identity's
    `get_practice_address` answer ({practice_name, portal_path, portal_subdomain}); when
    identity did not know the practice it is empty, and the email says "your practice"
    and links PUBLIC_URL."""
    to = (to or "").strip()
    if not is_email_address(to):
        return None
    practice = practice or {}
    name = one_line(practice.get("practice_name"))
    context = {"practice_name": name or "Your practice",
               "portal_url": portal_url(public_url, practice.get("portal_path"),
                                        practice.get("portal_subdomain"), base_domain)}
    return EmailDraft(to=to, template=template, context=context, from_name=name or None)
