"""Parked-delivery alerts: a practice's administrators hear that an update could not be
processed (docs/operations.md, "Parked events and replay").

A service whose handler parks a delivery records the kernel event `delivery.parked` on
`<service>-private.events` (services.common.handlers). notify turns one into a to-do
alert for the practice's staff with `view_operations`, who can replay it from the
console's Operations page. It names the update's type only: no client, no data.
Every service with event handlers has one here (`on_<service>_delivery_parked`: handler
names are frozen, they name the queues); a service that gains handlers gets one too.
"""
import logging

from services.common.handlers import DELIVERY_PARKED, event_handler
from services.notify.domain.alerts import alert_for_parked_delivery
from services.notify.store import alerts as store

log = logging.getLogger(__name__)


class ParkedDeliveryEntrypoints:
    """Needs `db` on the service."""

    def _alert_parked(self, event, handler):
        draft = alert_for_parked_delivery(event)
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], handler):
                return
            if draft is not None:
                store.add_alert(tx.session, draft)
        log.info("delivery.parked handled", extra={"event_id": event["id"],
                                                   "alerted": draft is not None})

    @event_handler("notify-private", DELIVERY_PARKED)
    def on_notify_delivery_parked(self, event):
        """notify could not process an update after its retries: one `delivery_parked`
        alert for the practice's staff with `view_operations`."""
        self._alert_parked(event, "notify.on_notify_delivery_parked")

    @event_handler("identity-private", DELIVERY_PARKED)
    def on_identity_delivery_parked(self, event):
        """identity could not apply a chart correction after its retries (chart_sync)."""
        self._alert_parked(event, "notify.on_identity_delivery_parked")
