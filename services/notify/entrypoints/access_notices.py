"""Access notices: a contact's login ended or paused, a grant revoked, a linked client
unlinked — the person hears that access ended (docs/identity.md, "Security that users
never see"), never which client.

The address is not in the event: identity is asked (`get_notice_address`, system, one
hop bounded by RPC_TIMEOUT) before the transaction. Handler names are frozen.
"""
from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.notify import events
from services.notify.domain import account_emails, emails
from services.notify.entrypoints.email_queue import QueueOnce
from services.notify.events import check_version

ENDED_STATUSES = ("inactive", "suspended")


class AccessNoticeEntrypoints(QueueOnce):
    """Needs `db`, `mailer`, `config` and `identity` on the service."""

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
        public_url, base_domain = emails.link_settings(self.config)
        draft = account_emails.access_ended_email(
            address, public_url, status, base_domain=base_domain) if address else None
        self.queue_once(event, handler, draft)

    @event_handler("identity", "contact.status_changed")
    def on_contact_status_changed(self, event):
        """A contact's login ended or paused: 'access removed' to the contact."""
        data = event.get("data") or {}
        status = data.get("status")
        if status not in ENDED_STATUSES:      # restored: nothing to tell
            check_version(events.CONTACT_STATUS_CHANGED, event)
            return
        self._access_ended(events.CONTACT_STATUS_CHANGED, event, "on_contact_status_changed",
                           "contact", data.get("contact_id"), status)

    @event_handler("identity", "grant.changed")
    def on_grant_changed(self, event):
        """A grant revoked: its holder hears that access to one person ended."""
        data = event.get("data") or {}
        if data.get("change") != "revoked":   # granted or changed: the portal shows it
            check_version(events.GRANT_CHANGED, event)
            return
        kind = data.get("holder_kind") or "contact"
        holder = data.get("account_id") if kind == "client" else data.get("contact_id")
        self._access_ended(events.GRANT_CHANGED, event, "on_grant_changed", kind, holder)

    @event_handler("identity", "account.client_unlinked")
    def on_client_unlinked(self, event):
        """A linked client unlinked: the account hears that access to one person ended."""
        self._access_ended(events.CLIENT_UNLINKED, event, "on_client_unlinked", "client",
                           (event.get("data") or {}).get("account_id"))
