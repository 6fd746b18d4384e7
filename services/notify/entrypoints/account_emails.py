"""Account emails: what notify sends for identity's account events (docs/identity.md,
"Emails") — the welcome email, the invitation, the password reset link, "your password
was changed", "access removed / paused", "someone tried to sign in", the staff and the
contact invitations.

Each handler is idempotent (the inbox, in the transaction that queues the email) and
reliable (services.common.handlers). Handler names are frozen: they name the queues.
"""
import logging

from services.common.handlers import event_handler
from services.notify import events, schemas
from services.notify.domain import account_emails, emails
from services.notify.entrypoints.email_queue import QueueOnce
from services.notify.events import check_version

log = logging.getLogger(__name__)


class AccountEmailEntrypoints(QueueOnce):
    """Needs `db`, `mailer` and `config` on the service."""

    def _email_for(self, consumed, event, handler, make_draft, client_id=None):
        check_version(consumed, event)
        public_url, base_domain = emails.link_settings(self.config)
        draft = make_draft(event.get("data") or {}, public_url, base_domain=base_domain)
        if draft is None:
            log.info("no email: no usable address", extra={"event_id": event["id"],
                                                            "handler": handler})
        self.queue_once(event, handler, draft, client_id=client_id)

    @event_handler("identity", "account.created")
    def on_account_created(self, event):
        """A welcome email to the new account's login address: the practice's name and
        portal address only, never health information."""
        check_version(events.ACCOUNT_CREATED, event)
        data = schemas.AccountCreatedData().load(event["data"])
        draft = emails.welcome_email(data, *emails.link_settings(self.config))
        self.queue_once(event, "on_account_created", draft, client_id=data["client_id"])
        if draft is None:
            log.info("no welcome email: account suspended or login not an email address",
                     extra={"event_id": event["id"], "account_id": data["account_id"]})

    @event_handler("identity-private", "invitation.sent")
    def on_invitation_sent(self, event):
        """The welcome invitation with its single-use link."""
        self._email_for(events.INVITATION_SENT, event, "on_invitation_sent",
                        account_emails.invitation_email,
                        client_id=(event.get("data") or {}).get("client_id"))

    @event_handler("identity-private", "password_reset.requested")
    def on_password_reset_requested(self, event):
        """The password reset link."""
        self._email_for(events.PASSWORD_RESET_REQUESTED, event,
                        "on_password_reset_requested", account_emails.password_reset_email)

    @event_handler("identity", "password.changed")
    def on_password_changed(self, event):
        """'Your password was changed'."""
        self._email_for(events.PASSWORD_CHANGED, event, "on_password_changed",
                        account_emails.password_changed_email)

    @event_handler("identity", "account.suspended")
    def on_account_suspended(self, event):
        """'Your access was removed' (inactive) or 'paused' (suspended)."""
        self._email_for(events.ACCOUNT_SUSPENDED, event, "on_account_suspended",
                        account_emails.access_removed_email,
                        client_id=(event.get("data") or {}).get("client_id"))

    @event_handler("identity", "sign_in.throttled")
    def on_sign_in_throttled(self, event):
        """'Someone tried to sign in to your account' (once per throttle episode)."""
        self._email_for(events.SIGN_IN_THROTTLED, event, "on_sign_in_throttled",
                        account_emails.sign_in_throttled_email)

    @event_handler("identity-private", "staff.invited")
    def on_staff_invited(self, event):
        """A new staff member's link to choose a password."""
        self._email_for(events.STAFF_INVITED, event, "on_staff_invited",
                        account_emails.staff_invitation_email)

    @event_handler("identity-private", "contact.invited")
    def on_contact_invited(self, event):
        """A new contact's (guardian's) link to choose a password."""
        self._email_for(events.CONTACT_INVITED, event, "on_contact_invited",
                        account_emails.contact_invitation_email)
