"""notify's handlers of identity's events that send email (docs/identity.md, "Emails").

A mixin of NotifyService, kept apart so that the service class stays small. Each handler
is idempotent (the inbox, in the transaction that queues the email) and reliable
(services.common.handlers). Handler names are frozen: they name the queues.
"""
import logging

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.notify import domain, identity_emails, queries
from services.notify.events import Consumed, check_version
from services.notify.outgoing import QueueOnce

log = logging.getLogger(__name__)

INVITATION_SENT = Consumed("identity-private", "invitation.sent", (1,), """
{invitation_id, client_id, email, practice_name, portal_path, portal_subdomain, link_path,
expires_at}.""")
PASSWORD_RESET_REQUESTED = Consumed("identity-private", "password_reset.requested", (1,), """
{reset_id, kind, account_id, email, practice_name, portal_path, portal_subdomain, link_path,
expires_at, requested_by}.""")
PASSWORD_CHANGED = Consumed("identity", "password.changed", (1,), """
{account_id, kind, via, login, practice_name, portal_path, portal_subdomain}.""")
ACCOUNT_SUSPENDED = Consumed("identity", "account.suspended", (1,), """
{account_id, client_id, status, login, practice_name, portal_path, portal_subdomain}.""")
# Both carry a single-use link: identity publishes them on identity-private only.
STAFF_INVITED = Consumed("identity-private", "staff.invited", (1,), """
{staff_id, email, practice_name, portal_path, portal_subdomain, link_path, expires_at}.""")
CONTACT_INVITED = Consumed("identity-private", "contact.invited", (1,), """
{contact_id, email, practice_name, portal_path, portal_subdomain, link_path, expires_at,
resend}.""")
INVITATION_LOCKED = Consumed("identity", "invitation.locked", (1,), """
{invitation_id, client_id} → one `invitation_locked` alert for staff holding
`manage_portal_access` (so nobody has to guess why a client "can't get in").""")
INVITATION_LOCKED_ALERT = "invitation_locked"
SIGN_IN_THROTTLED = Consumed("identity", "sign_in.throttled", (1,), """
{account_id, kind, occurred_at, login, practice_name, portal_path, portal_subdomain} →
"someone tried to sign in to your account", once per throttle episode.""")
CONTACT_STATUS_CHANGED = Consumed("identity", "contact.status_changed", (1,), """
{contact_id, status} → "access removed / paused" to the contact when status is
"inactive" or "suspended" (address from identity.get_notice_address).""")
GRANT_CHANGED = Consumed("identity", "grant.changed", (1,), """
{holder_kind, contact_id, account_id, client_id, permissions, renewed_until, change} →
when change is "revoked": "your access to one person's information ended" to the holder,
naming no client.""")
CLIENT_UNLINKED = Consumed("identity", "account.client_unlinked", (1,), """
{account_id, client_id} → as a revoked grant, to the account.""")
ENDED_STATUSES = ("inactive", "suspended")


class IdentityEmailHandlers(QueueOnce):
    """Needs `db`, `mailer` and `config` on the service."""

    def _email_for(self, consumed, event, handler, make_draft, client_id=None):
        check_version(consumed, event)
        public_url, base_domain = domain.link_settings(self.config)
        draft = make_draft(event.get("data") or {}, public_url, base_domain=base_domain)
        if draft is None:
            log.info("no email: no usable address", extra={"event_id": event["id"],
                                                            "handler": handler})
        self.queue_once(event, handler, draft, client_id=client_id)

    @event_handler("identity-private", "invitation.sent")
    def on_invitation_sent(self, event):
        """The welcome invitation with its single-use link."""
        self._email_for(INVITATION_SENT, event, "on_invitation_sent",
                        identity_emails.invitation_email,
                        client_id=(event.get("data") or {}).get("client_id"))

    @event_handler("identity-private", "password_reset.requested")
    def on_password_reset_requested(self, event):
        """The password reset link."""
        self._email_for(PASSWORD_RESET_REQUESTED, event, "on_password_reset_requested",
                        identity_emails.password_reset_email)

    @event_handler("identity", "password.changed")
    def on_password_changed(self, event):
        """'Your password was changed'."""
        self._email_for(PASSWORD_CHANGED, event, "on_password_changed",
                        identity_emails.password_changed_email)

    @event_handler("identity", "account.suspended")
    def on_account_suspended(self, event):
        """'Your access was removed' (inactive) or 'paused' (suspended)."""
        self._email_for(ACCOUNT_SUSPENDED, event, "on_account_suspended",
                        identity_emails.access_removed_email,
                        client_id=(event.get("data") or {}).get("client_id"))

    def _access_ended(self, consumed, event, handler, kind, person_id, status=None):
        """Ask identity where to write (one hop, before the transaction), then queue the
        "access removed" email once. A person identity no longer knows gets none."""
        check_version(consumed, event)
        address = None
        if person_id:
            try:
                address = self.identity.get_notice_address(
                    Actor.system(event["practice_id"]).to_wire(),
                    {"kind": kind, "id": person_id})
            except NotFound:
                address = None
        public_url, base_domain = domain.link_settings(self.config)
        draft = identity_emails.access_ended_email(
            address, public_url, status, base_domain=base_domain) if address else None
        self.queue_once(event, handler, draft)

    @event_handler("identity", "sign_in.throttled")
    def on_sign_in_throttled(self, event):
        """'Someone tried to sign in to your account' (once per throttle episode)."""
        self._email_for(SIGN_IN_THROTTLED, event, "on_sign_in_throttled",
                        identity_emails.sign_in_throttled_email)

    @event_handler("identity", "contact.status_changed")
    def on_contact_status_changed(self, event):
        """A contact's login ended or paused: 'access removed' to the contact."""
        data = event.get("data") or {}
        status = data.get("status")
        if status not in ENDED_STATUSES:      # restored: nothing to tell
            check_version(CONTACT_STATUS_CHANGED, event)
            return
        self._access_ended(CONTACT_STATUS_CHANGED, event, "on_contact_status_changed",
                           "contact", data.get("contact_id"), status)

    @event_handler("identity", "grant.changed")
    def on_grant_changed(self, event):
        """A grant revoked: its holder hears that access to one person ended."""
        data = event.get("data") or {}
        if data.get("change") != "revoked":   # granted or changed: the portal shows it
            check_version(GRANT_CHANGED, event)
            return
        kind = data.get("holder_kind") or "contact"
        holder = data.get("account_id") if kind == "client" else data.get("contact_id")
        self._access_ended(GRANT_CHANGED, event, "on_grant_changed", kind, holder)

    @event_handler("identity", "account.client_unlinked")
    def on_client_unlinked(self, event):
        """A linked client unlinked: the account hears that access to one person ended."""
        self._access_ended(CLIENT_UNLINKED, event, "on_client_unlinked", "client",
                           (event.get("data") or {}).get("account_id"))

    @event_handler("identity-private", "staff.invited")
    def on_staff_invited(self, event):
        """A new staff member's link to choose a password."""
        self._email_for(STAFF_INVITED, event, "on_staff_invited",
                        identity_emails.staff_invitation_email)

    @event_handler("identity-private", "contact.invited")
    def on_contact_invited(self, event):
        """A new contact's (guardian's) link to choose a password."""
        self._email_for(CONTACT_INVITED, event, "on_contact_invited",
                        identity_emails.contact_invitation_email)

    @event_handler("identity", "invitation.locked")
    def on_invitation_locked(self, event):
        """Too many wrong dates of birth locked a client's invitation: ONE
        `invitation_locked` alert (subject = the invitation) for staff holding
        `manage_portal_access`, who can call the client and send a new one."""
        check_version(INVITATION_LOCKED, event)
        data = event.get("data") or {}
        draft = domain.AlertDraft(
            practice_id=event["practice_id"], audience=domain.MANAGES_PORTAL_ACCESS,
            kind=INVITATION_LOCKED_ALERT, client_id=data.get("client_id"),
            event_id=event["id"], subject_id=data.get("invitation_id"))
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], "notify.on_invitation_locked"):
                return
            queries.add_alert(tx.session, draft)
