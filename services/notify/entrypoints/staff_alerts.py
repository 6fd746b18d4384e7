"""Staff alerts raised by others' events: a chart saved through the portal
(`demographics_changed`), an upload, a stored document that failed its integrity check or
the virus scanner (docs/charts.md, "Events"), and a client's invitation locked by wrong
dates of birth (docs/identity.md).

Since charts' v2 events the client's name is not in the event (they also reach other
practice systems): the handler asks charts (`get_client_name`, system, one hop bounded by
RPC_TIMEOUT) before its transaction, so staff still read whose chart it is. Handler names
are frozen: they name the queues.
"""
import logging

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.notify import events, schemas
from services.notify.domain import alerts
from services.notify.events import check_version
from services.notify.store import alerts as store

log = logging.getLogger(__name__)


class StaffAlertEntrypoints:
    """Needs `db` and `charts` on the service."""

    def client_name_for_alert(self, event):
        """Whose chart a staff alert is about. v1 events carried the name; v2 events name
        only the id, so charts is asked — one hop, bounded, before the handler's
        transaction. A record charts does not know gives an alert without a name (staff
        open it by its link)."""
        data = event.get("data") or {}
        if data.get("client_name") or not data.get("client_id"):
            return data.get("client_name")
        system = Actor.system(event["practice_id"]).to_wire()
        try:
            return self.charts.get_client_name(system, data["client_id"]).get("client_name")
        except NotFound:
            return None

    def _add_once(self, event, handler, draft):
        """Add the alert (or none, for a None draft) in the transaction that records the
        event handled: a redelivery adds nothing. → whether this was the first delivery."""
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], f"notify.{handler}"):
                return False
            if draft is not None:
                store.add_alert(tx.session, draft)
        return True

    @event_handler("charts", "client.updated")
    def on_client_updated(self, event):
        """A save made through the portal raises ONE `demographics_changed` alert for
        staff holding `receives_demographic_changes` per saved tab (the alert names the
        tab and the changed fields); staff saves raise none."""
        check_version(events.CLIENT_UPDATED, event)
        event = dict(event, data=schemas.ClientUpdatedData().load(event["data"]))
        if event["data"]["source"] == alerts.PORTAL:  # only these alert: ask for the name
            event["data"]["client_name"] = self.client_name_for_alert(event)
        draft = alerts.alert_for_client_updated(event)
        if self._add_once(event, "on_client_updated", draft):
            log.info("client.updated handled", extra={"event_id": event["id"],
                                                      "alerted": draft is not None})

    def _document_alert(self, event, handler, consumed, kind):
        check_version(consumed, event)
        draft = alerts.alert_for_document(event, kind, self.client_name_for_alert(event))
        self._add_once(event, handler, draft)

    @event_handler("charts", "document.uploaded")
    def on_document_uploaded(self, event):
        """ONE `portal_upload` alert per upload for `receives_portal_uploads`."""
        self._document_alert(event, "on_document_uploaded", events.DOCUMENT_UPLOADED,
                             alerts.PORTAL_UPLOAD)

    @event_handler("charts", "document.integrity_failed")
    def on_document_integrity_failed(self, event):
        """A stored file was altered: staff are told, once."""
        self._document_alert(event, "on_document_integrity_failed",
                             events.DOCUMENT_INTEGRITY_FAILED, alerts.DOCUMENT_DAMAGED)

    @event_handler("charts", "document.quarantined")
    def on_document_quarantined(self, event):
        """The virus scanner refused a file: staff are told, once."""
        self._document_alert(event, "on_document_quarantined", events.DOCUMENT_QUARANTINED,
                             alerts.DOCUMENT_INFECTED)

    @event_handler("identity", "invitation.locked")
    def on_invitation_locked(self, event):
        """Too many wrong dates of birth locked a client's invitation: ONE
        `invitation_locked` alert (subject = the invitation) for staff holding
        `manage_portal_access`, who can call the client and send a new one."""
        check_version(events.INVITATION_LOCKED, event)
        self._add_once(event, "on_invitation_locked", alerts.alert_for_invitation_locked(event))
