"""notify's handlers of scheduling's events (docs/scheduling.md, "Emails"): staff booked
or cancelled an appointment, and the client — and everyone who holds `view_appointments`
for the client and may sign in (a guardian contact, a parent's account with a grant, the
account the client is linked to) — hears that something changed in the portal: never
when, with whom, what or why.

A mixin of NotifyService (needs `db`, `mailer`, `config`, `charts`, `identity`). The
addresses and the client's email preference are not in the event (events name ids, never
contact details): the handler asks charts (`get_notification_address`), and identity
(`list_notice_recipients` for the holders, `get_practice_address` for the practice's name
and portal address), one hop each bounded by RPC_TIMEOUT, before it opens its
transaction — as `document.shared` does. Every email of one event is queued in the one
transaction that records it handled, each address once. Only an appointment that has not
started yet is worth an email: a backdated booking (an import of past sessions) or the
cancellation of one already begun mails nobody.
Handler names are frozen: they name the queues.
"""
import logging

from services.common.actor import Actor
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.notify import domain, schemas
from services.notify.addresses import notice_recipients, practice_address
from services.notify.events import Consumed, check_version
from services.notify.outgoing import QueueOnce

log = logging.getLogger(__name__)

APPOINTMENT_SCHEDULED_TEMPLATE = "appointment_scheduled"
APPOINTMENT_CANCELLED_TEMPLATE = "appointment_cancelled"
# who else hears of it: those who may see the client's appointments (docs/identity.md)
VIEW_APPOINTMENTS = "view_appointments"

APPOINTMENT_SCHEDULED = Consumed("scheduling", "appointment.scheduled", (1,), """
{appointment_id, client_id, clinician_id, starts_at, ends_at, location, status} → "an
appointment was added to your portal" to the client, when it starts in the future and
the client may be emailed, and to every holder of `view_appointments` who may sign in.""")
APPOINTMENT_CANCELLED = Consumed("scheduling", "appointment.cancelled", (1,), """
{appointment_id, client_id, clinician_id, starts_at, ends_at, location, status} → "an
appointment in your portal was cancelled" to the client, under the same conditions.""")


class SchedulingHandlers(QueueOnce):

    def _appointment_notice(self, consumed, event, handler, template):
        check_version(consumed, event)
        data = schemas.AppointmentEventData().load(event.get("data") or {})
        drafts = []
        if data["starts_at"] > utcnow():
            # ask first, then write: never a call inside an open transaction
            system = Actor.system(event["practice_id"]).to_wire()
            try:
                address = self.charts.get_notification_address(system, data["client_id"])
            except NotFound:   # a record charts does not know: nowhere to write
                address = {}
            to = [address.get("email")] if address.get("may_email") else []
            to += notice_recipients(self.identity, event["practice_id"], data["client_id"],
                                    VIEW_APPOINTMENTS)
            if to:
                practice = practice_address(self.identity, event["practice_id"])
                drafts = [domain.portal_notice(a, practice, template,
                                               *domain.link_settings(self.config))
                          for a in to]
        # queue_once drops the None drafts and a second one to the same address
        emailed = self.queue_once(event, handler, drafts, client_id=data["client_id"])
        log.info("%s handled", consumed.type, extra={
            "event_id": event["id"], "appointment_id": data["appointment_id"],
            "emailed": emailed})

    @event_handler("scheduling", "appointment.scheduled")
    def on_appointment_scheduled(self, event):
        """Staff booked an appointment that has not started: the client (when charts says
        they may be emailed) and each holder of `view_appointments` who may sign in hear,
        once each, that one was added to the portal — nothing more."""
        self._appointment_notice(APPOINTMENT_SCHEDULED, event, "on_appointment_scheduled",
                                 APPOINTMENT_SCHEDULED_TEMPLATE)

    @event_handler("scheduling", "appointment.cancelled")
    def on_appointment_cancelled(self, event):
        """Staff cancelled an appointment that has not started: the client and each holder
        of `view_appointments` hear that one in the portal was cancelled — never which,
        nor why."""
        self._appointment_notice(APPOINTMENT_CANCELLED, event, "on_appointment_cancelled",
                                 APPOINTMENT_CANCELLED_TEMPLATE)
