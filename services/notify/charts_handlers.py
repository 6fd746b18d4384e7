"""notify's handlers of charts' events (docs/charts.md, "Events"): an alert per upload,
a staff alert when a stored document fails its integrity check, and an email telling a
client that a document was shared — "something new to review", no health information.

A mixin of NotifyService (needs `db`, `mailer`, `config`, `charts`, `identity`). The
address is not in the event (events name ids, never contact details): the handler asks
one hop, bounded by RPC_TIMEOUT, before it opens its transaction — charts
(`get_notification_address`) for a client, identity (`get_contact_email`) for a document
shared with one contact — and identity (`get_practice_address`) for the practice's name
and portal address the email names and links to. Nor, since charts' v2 events, is the client's name: an alert
asks charts (`get_client_name`) the same way, so staff still read whose chart it is.
Handler names are frozen: they name the queues.
"""
import logging

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.notify import domain, queries
from services.notify.addresses import practice_address
from services.notify.events import Consumed, check_version
from services.notify.outgoing import QueueOnce

log = logging.getLogger(__name__)

RECEIVES_PORTAL_UPLOADS = "receives_portal_uploads"
PORTAL_UPLOAD = "portal_upload"
DOCUMENT_DAMAGED = "document_integrity_failed"
DOCUMENT_INFECTED = "document_quarantined"
DOCUMENT_SHARED_TEMPLATE = "document_shared"

# v2 dropped client_name (v1, still possibly queued, carried it): the name is asked of charts
DOCUMENT_UPLOADED = Consumed("charts", "document.uploaded", (1, 2), """
{document_id, client_id, uploaded_by_kind, content_type, size} → one `portal_upload`
alert for `receives_portal_uploads`.""")
DOCUMENT_SHARED = Consumed("charts", "document.shared", (1, 2), """
{document_id, client_id, contact_id, type_id} → an email to the client
(contact_id null, when the client may be emailed) or to that contact (while its login
is active).""")
DOCUMENT_INTEGRITY_FAILED = Consumed("charts", "document.integrity_failed", (1, 2), """
{document_id, client_id} → one `document_integrity_failed` alert for
`receives_portal_uploads`.""")

DOCUMENT_QUARANTINED = Consumed("charts", "document.quarantined", (1, 2), """
{document_id, client_id} → one `document_quarantined` alert for
`receives_portal_uploads`.""")


class ChartsHandlers(QueueOnce):

    def client_name_for_alert(self, event):
        """Whose chart a staff alert is about. v1 events carried the name; v2 events name
        only the id (they also reach other practice systems), so charts is asked — one
        hop, bounded, before the handler's transaction. A record charts does not know
        gives an alert without a name (staff open it by its link)."""
        data = event.get("data") or {}
        if data.get("client_name") or not data.get("client_id"):
            return data.get("client_name")
        system = Actor.system(event["practice_id"]).to_wire()
        try:
            return self.charts.get_client_name(system, data["client_id"]).get("client_name")
        except NotFound:
            return None

    def _alert(self, event, handler, consumed, kind):
        check_version(consumed, event)
        data = event.get("data") or {}
        draft = domain.AlertDraft(
            practice_id=event["practice_id"], audience=RECEIVES_PORTAL_UPLOADS, kind=kind,
            client_id=data.get("client_id"), client_name=self.client_name_for_alert(event),
            event_id=event["id"], subject_id=data.get("document_id"))
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], f"notify.{handler}"):
                return
            queries.add_alert(tx.session, draft)

    @event_handler("charts", "document.uploaded")
    def on_document_uploaded(self, event):
        """ONE `portal_upload` alert per upload for `receives_portal_uploads`."""
        self._alert(event, "on_document_uploaded", DOCUMENT_UPLOADED, PORTAL_UPLOAD)

    @event_handler("charts", "document.integrity_failed")
    def on_document_integrity_failed(self, event):
        """A stored file was altered: staff are told, once."""
        self._alert(event, "on_document_integrity_failed", DOCUMENT_INTEGRITY_FAILED,
                    DOCUMENT_DAMAGED)

    @event_handler("charts", "document.quarantined")
    def on_document_quarantined(self, event):
        """The virus scanner refused a file: staff are told, once."""
        self._alert(event, "on_document_quarantined", DOCUMENT_QUARANTINED, DOCUMENT_INFECTED)

    @event_handler("charts", "document.shared")
    def on_document_shared(self, event):
        """Email the person the document was shared with that there is something new to
        review: the client (charts has the address and the client's email preference),
        or the one contact it was shared with (identity has the contact's address; an
        invited, suspended or ended contact gets none). Nothing but the portal address."""
        check_version(DOCUMENT_SHARED, event)
        data = event.get("data") or {}
        system = Actor.system(event["practice_id"]).to_wire()
        # ask first, then write: never a call inside an open transaction
        if data.get("contact_id"):
            address = self.identity.get_contact_email(system, data["contact_id"])
        else:
            address = self.charts.get_notification_address(system, data["client_id"])
        draft = None
        if address.get("may_email"):
            draft = domain.portal_notice(
                address.get("email"), practice_address(self.identity, event["practice_id"]),
                DOCUMENT_SHARED_TEMPLATE, *domain.link_settings(self.config))
        self.queue_once(event, "on_document_shared", draft, client_id=data["client_id"])
        log.info("document.shared handled", extra={"event_id": event["id"],
                                                   "emailed": draft is not None})
