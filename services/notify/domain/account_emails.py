"""What notify emails for identity's events (docs/identity.md, "Emails"): the welcome
invitation, the password reset link, "your password was changed", "access removed" (to
a client, a contact, or to one client), "someone tried to sign in" and the staff
invitation. Plain functions: no nameko, no SQL.

Each email shows the practice's name and portal address (and, for a link, the link and
when it stops working) — never a name from the chart, a date of birth or anything else
about the person's care. A link is built from PUBLIC_URL and the event's *path*: an
absolute URL in an event would let an event send people elsewhere. A practice with its
own subdomain (the event's `portal_subdomain`) gets its portal links at that address when
the deployment declared its base domain (`services.common.links.portal_url` decides, for every email).
"""
from datetime import datetime

from services.notify.domain.emails import EmailDraft, is_email_address, one_line, portal_url

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
ACCESS_REMOVED = "access_removed"
STAFF_INVITATION = "staff_invitation"
CONTACT_INVITATION = "contact_invitation"
SIGN_IN_THROTTLED = "sign_in_throttled"


def _date(iso):
    """'March 9, 2026' from an ISO time (UTC); '' when absent or unreadable."""
    try:
        value = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return ""
    return f"{value:%B} {value.day}, {value.year}"


def _draft(to, template, data, public_url, base_domain, link_path=None, **extra):
    to = (to or "").strip()
    if not is_email_address(to):
        return None
    practice_name = one_line(data.get("practice_name")) or "Your practice"
    subdomain = data.get("portal_subdomain")
    context = {"practice_name": practice_name,
               "portal_url": portal_url(public_url, data.get("portal_path"), subdomain,
                                        base_domain), **extra}
    if link_path is not None:
        context["link_url"] = portal_url(public_url, link_path, subdomain, base_domain)
    return EmailDraft(to=to, template=template, context=context, from_name=practice_name)


def invitation_email(data, public_url, base_domain=None):
    """`invitation.sent` → the welcome invitation with its single-use link."""
    return _draft(data.get("email"), INVITATION, data, public_url, base_domain,
                  link_path=data.get("link_path") or "",
                  expires_on=_date(data.get("expires_at")))


def password_reset_email(data, public_url, base_domain=None):
    """`password_reset.requested` → the reset link (24 hours, single use)."""
    return _draft(data.get("email"), PASSWORD_RESET, data, public_url, base_domain,
                  link_path=data.get("link_path") or "",
                  requested_by_staff=data.get("requested_by") == "staff")


def password_changed_email(data, public_url, base_domain=None):
    """`password.changed` → "your password was changed" (if it was not you, call)."""
    return _draft(data.get("login"), PASSWORD_CHANGED, data, public_url, base_domain)


def access_removed_email(data, public_url, base_domain=None):
    """`account.suspended` → "your access to the portal was removed / paused"."""
    return _draft(data.get("login"), ACCESS_REMOVED, data, public_url, base_domain,
                  paused=data.get("status") == "suspended", one_person=False)


def access_ended_email(address, public_url, status=None, base_domain=None):
    """A contact's login ended or paused (`status`), or — without `status` — the access of a
    contact or account to ONE client ended (a grant revoked, a linked client unlinked).
    `address` is identity's `get_notice_address` answer. The client is never named: the
    email may be read by someone the person shares a mailbox with."""
    return _draft(address.get("email"), ACCESS_REMOVED, address, public_url, base_domain,
                  paused=status == "suspended", one_person=status is None)


def sign_in_throttled_email(data, public_url, base_domain=None):
    """`sign_in.throttled` → "someone tried to sign in to your account": what happened
    and what to do, once per throttle episode."""
    return _draft(data.get("login"), SIGN_IN_THROTTLED, data, public_url, base_domain)


def staff_invitation_email(data, public_url, base_domain=None):
    """`staff.invited` → a link to set a staff password."""
    return _draft(data.get("email"), STAFF_INVITATION, data, public_url, base_domain,
                  link_path=data.get("link_path") or "",
                  expires_on=_date(data.get("expires_at")))


def contact_invitation_email(data, public_url, base_domain=None):
    """`contact.invited` → a link for a guardian or other contact to choose a password.
    Names no client: whom the contact acts for is shown only after sign-in."""
    return _draft(data.get("email"), CONTACT_INVITATION, data, public_url, base_domain,
                  link_path=data.get("link_path") or "",
                  expires_on=_date(data.get("expires_at")))
