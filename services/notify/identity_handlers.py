"""notify's handlers of identity's events that send email (docs/identity.md, "Emails").

A mixin of NotifyService, kept apart so that the service class stays small. Each handler
is idempotent (the inbox, in the transaction that queues the email) and reliable
(services.common.handlers). Handler names are frozen: they name the queues.
"""
import logging

from services.common.handlers import event_handler
from services.notify import domain, identity_emails, outgoing, queries, templates
from services.notify.events import Consumed, check_version

log = logging.getLogger(__name__)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

INVITATION_SENT = Consumed("identity-private", "invitation.sent", (1,), """
{invitation_id, client_id, email, practice_name, portal_path, link_path, expires_at}.""")
PASSWORD_RESET_REQUESTED = Consumed("identity-private", "password_reset.requested", (1,), """
{reset_id, kind, account_id, email, practice_name, portal_path, link_path, expires_at,
requested_by}.""")
PASSWORD_CHANGED = Consumed("identity", "password.changed", (1,), """
{account_id, kind, via, login, practice_name, portal_path}.""")
ACCOUNT_SUSPENDED = Consumed("identity", "account.suspended", (1,), """
{account_id, client_id, status, login, practice_name, portal_path}.""")
# Both carry a single-use link: identity publishes them on identity-private only.
STAFF_INVITED = Consumed("identity-private", "staff.invited", (1,), """
{staff_id, email, practice_name, portal_path, link_path, expires_at}.""")
CONTACT_INVITED = Consumed("identity-private", "contact.invited", (1,), """
{contact_id, email, practice_name, portal_path, link_path, expires_at, resend}.""")
INVITATION_LOCKED = Consumed("identity", "invitation.locked", (1,), """
{invitation_id, client_id} → one `invitation_locked` alert for staff holding
`manage_portal_access` (so nobody has to guess why a client "can't get in").""")
INVITATION_LOCKED_ALERT = "invitation_locked"


class IdentityEmailHandlers:
    """Needs `db`, `mailer` and `config` on the service."""

    def _email_for(self, consumed, event, handler, make_draft, client_id=None):
        check_version(consumed, event)
        public_url = self.config.get("PUBLIC_URL", DEFAULT_PUBLIC_URL)
        draft = make_draft(event.get("data") or {}, public_url)
        rendered = templates.render(draft.template, draft.context) if draft else None
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], f"notify.{handler}"):
                return
            if draft is not None:
                outgoing.queue(tx.session, event["practice_id"], draft, rendered,
                               client_id=client_id, event_id=event["id"])
        if draft is None:
            log.info("no email: no usable address", extra={"event_id": event["id"],
                                                            "handler": handler})
        else:
            self.mailer.wake()

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
