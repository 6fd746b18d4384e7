"""Portal notices: "something new in your portal" — a document shared (docs/charts.md,
"Events"), an appointment booked or cancelled by staff (docs/scheduling.md, "Emails").
They name the practice and link to its portal; never what, when, with whom or why.

Events name ids, never contact details: before it opens its transaction the handler asks
charts (`get_notification_address`: the client's address and email preference) and
identity (`get_contact_email` for a document shared with one contact,
`list_notice_recipients` for everyone else who holds `view_appointments` for the client,
`get_practice_address` for the practice's name and portal address) — system, one hop
each bounded by RPC_TIMEOUT, never inside a transaction. Every email of one event is
queued in the one transaction that records it handled, each address once. Only an
appointment that has not started yet is worth an email: a backdated booking (an import of
past sessions) or the cancellation of one already begun mails nobody.
Handler names are frozen: they name the queues.
"""
import logging

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import event_handler
from services.common.times import utcnow
from services.notify import events, schemas
from services.notify.domain import emails
from services.notify.entrypoints.email_queue import QueueOnce
from services.notify.events import check_version

log = logging.getLogger(__name__)

DOCUMENT_SHARED_TEMPLATE = "document_shared"
APPOINTMENT_SCHEDULED_TEMPLATE = "appointment_scheduled"
APPOINTMENT_CANCELLED_TEMPLATE = "appointment_cancelled"
# who else hears of an appointment: those who may see the client's appointments
VIEW_APPOINTMENTS = "view_appointments"


def practice_address(identity, practice_id):
    """{practice_name, portal_path, portal_subdomain}, or {} for a practice identity does
    not know (the notice then says "your practice" and links PUBLIC_URL). Identity not
    answering raises Unavailable: the delivery is retried, never sent without it."""
    try:
        return identity.get_practice_address(Actor.system(practice_id).to_wire()) or {}
    except NotFound:
        return {}


def notice_recipients(identity, practice_id, client_id, permission):
    """The sign-in addresses of everyone who holds `permission` for the client today (the
    age bands applied) and may sign in — contacts and accounts with such a grant, accounts
    the client is linked to — or [] for a practice identity does not know. Identity not
    answering raises Unavailable: the delivery is retried, never sent to fewer people."""
    try:
        return identity.list_notice_recipients(
            Actor.system(practice_id).to_wire(),
            {"client_id": client_id, "permission": permission}).get("emails") or []
    except NotFound:
        return []


class PortalNoticeEntrypoints(QueueOnce):
    """Needs `db`, `mailer`, `config`, `charts` and `identity` on the service."""

    @event_handler("charts", "document.shared")
    def on_document_shared(self, event):
        """Email the person the document was shared with that there is something new to
        review: the client (charts has the address and the client's email preference),
        or the one contact it was shared with (identity has the contact's address; an
        invited, suspended or ended contact gets none). Nothing but the portal address."""
        check_version(events.DOCUMENT_SHARED, event)
        data = event.get("data") or {}
        system = Actor.system(event["practice_id"]).to_wire()
        # ask first, then write: never a call inside an open transaction
        if data.get("contact_id"):
            address = self.identity.get_contact_email(system, data["contact_id"])
        else:
            address = self.charts.get_notification_address(system, data["client_id"])
        draft = None
        if address.get("may_email"):
            draft = emails.portal_notice(
                address.get("email"), practice_address(self.identity, event["practice_id"]),
                DOCUMENT_SHARED_TEMPLATE, *emails.link_settings(self.config))
        self.queue_once(event, "on_document_shared", draft, client_id=data["client_id"])
        log.info("document.shared handled", extra={"event_id": event["id"],
                                                   "emailed": draft is not None})

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
                drafts = [emails.portal_notice(a, practice, template,
                                               *emails.link_settings(self.config))
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
        self._appointment_notice(events.APPOINTMENT_SCHEDULED, event,
                                 "on_appointment_scheduled", APPOINTMENT_SCHEDULED_TEMPLATE)

    @event_handler("scheduling", "appointment.cancelled")
    def on_appointment_cancelled(self, event):
        """Staff cancelled an appointment that has not started: the client and each holder
        of `view_appointments` hear that one in the portal was cancelled — never which,
        nor why."""
        self._appointment_notice(events.APPOINTMENT_CANCELLED, event,
                                 "on_appointment_cancelled", APPOINTMENT_CANCELLED_TEMPLATE)
