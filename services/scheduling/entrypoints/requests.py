"""Client requests: request an offered time, withdraw it; staff approve (possibly
changing it) or deny; a client cancels within the practice's policy; staff mark an
appointment attended or a no-show. Log lines carry ids only."""
import logging
from datetime import timedelta

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput
from services.common.rpc import rpc
from services.common.schemas import load
from services.scheduling import domain, events, schemas, store
from services.scheduling.entrypoints.appointments import (
    client_id_of,
    dump,
    require_manager,
    staff_of,
)
from services.scheduling.entrypoints.availability import service_for
from services.scheduling.models import Appointment, Location

log = logging.getLogger(__name__)
REQ = domain.requests


def require_requester(actor, client_id):
    """A client account or contact holding `view_appointments` for the client; staff
    book directly (book_appointment)."""
    if actor.is_staff or actor.is_system:
        raise Forbidden("clients_only", "Staff book appointments directly.")
    actor.require_client(client_id, domain.appointments.VIEW_APPOINTMENTS)


def settings_in(session, practice_id):
    row = store.setup.settings_row(session, practice_id)
    return domain.setup.settings_of(row.values if row else None)


def location_for(session, actor, location_id):
    row = session.get(Location, location_id) if location_id else None
    if row is None or row.practice_id != actor.practice_id or not row.active:
        raise InvalidInput("invalid_input", "Choose where: one of the practice's offices "
                           "or telehealth.", {"location_id": ["Not a location of this practice."]})
    return row


class RequestEntrypoints:
    """Mixin of SchedulingService: needs `db`, `clock` and `identity`."""

    @rpc(expected_exceptions=EXPECTED)
    def request_appointment(self, actor, client_id, payload):
        """A client (or a holder of `view_appointments` for the client) requests an
        offered time: payload {service_id, clinician_id, location_id, starts_at, note?,
        id? (idempotency key)} → the appointment, status `requested`. Refused with a
        sentence: requests closed or for existing clients only (403); a service the
        clinician does not offer or this client may not request, a time in the past,
        inside the notice, beyond the horizon, outside every work period, off the step
        (422); a time no longer free, too many future appointments (409). Emits
        `appointment.requested`."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        require_requester(actor, client_id)
        cmd = load(schemas.RequestAppointment(), payload)
        request_id = str(cmd["id"]) if cmd["id"] else None
        starts_at = domain.appointments.parse_starts_at(cmd["starts_at"])
        now = self.clock()
        with self.db.transaction() as tx:
            session = tx.session
            if request_id and (existing := session.get(Appointment, request_id)):
                if existing.practice_id != actor.practice_id or existing.client_id != client_id:
                    raise Conflict("id_taken", "That id is already in use. Send a new one.")
                return dump(actor, existing)
            store.appointments.lock_client(session, actor.practice_id, client_id)
            settings = settings_in(session, actor.practice_id)
            service = service_for(session, actor, cmd["service_id"])
            location = location_for(session, actor, cmd["location_id"])
            REQ.check_may_request(
                settings, service, cmd["clinician_id"],
                store.appointments.is_existing_client(session, actor.practice_id, client_id),
                store.appointments.future_count(session, actor.practice_id, client_id, now))
            rules = domain.availability.Rules.of(settings)
            ends_at = starts_at + timedelta(minutes=service.duration_minutes)
            got = store.availability.inputs(
                session, actor.practice_id, [cmd["clinician_id"]], starts_at, ends_at,
                location.id, None, rules.buffer_minutes)
            window = (starts_at - timedelta(days=1), ends_at + timedelta(days=1))
            busy = domain.availability.unavailable(
                cmd["clinician_id"], got.appointments.get(cmd["clinician_id"], ()),
                domain.availability.block_intervals(got.blocks, *window),
                rules.buffer_minutes)
            REQ.check_requested_time(starts_at, service.duration_minutes, rules,
                                     got.periods, got.places, busy, now)
            name = store.setup.clinician_names(session, actor.practice_id,
                                               [cmd["clinician_id"]])
            row = Appointment(
                id=request_id, practice_id=actor.practice_id, client_id=client_id,
                clinician_id=cmd["clinician_id"],
                clinician_name=name.get(cmd["clinician_id"], ""),
                starts_at=starts_at, ends_at=ends_at, location=location.kind,
                title=service.name, status=REQ.REQUESTED, service_id=service.id,
                location_id=location.id, fee_cents=service.fee_cents, created_at=now,
                created_by=actor.id, requested_at=now, requested_by=actor.id,
                request_note=domain.appointments.clean_text(cmd["note"]), version=1)
            session.add(row)
            session.flush()
            events.APPOINTMENT_REQUESTED.record(tx, actor, events.request_data_of(row))
            result = dump(actor, row)
        log.info("appointment requested", extra={"appointment_id": result["id"],
                                                 "client_id": client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def list_requests(self, actor, payload=None):
        """Staff `view_clients`: the practice's pending requests (status `any`: every
        request ever made), soonest first, optionally of one clinician or client.
        Clients and contacts: give `client_id` (held with `view_appointments`)."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.ListRequests(), payload)
        if actor.is_staff or actor.is_system:
            actor.require_staff(domain.appointments.VIEW_CLIENTS)
            client_ids = [cmd["client_id"]] if cmd["client_id"] else None
        else:
            if not cmd["client_id"]:
                raise InvalidInput("invalid_input", "Say whose requests to list.",
                                   {"client_id": ["Give the client id."]})
            actor.require_client(cmd["client_id"], domain.appointments.VIEW_APPOINTMENTS)
            client_ids = [cmd["client_id"]]
        with self.db.read() as session:
            rows = store.appointments.requests(session, actor.practice_id, client_ids,
                                               cmd["status"], cmd["clinician_id"],
                                               cmd["limit"])
            return {"items": [dump(actor, row) for row in rows]}

    @rpc(expected_exceptions=EXPECTED)
    def withdraw_request(self, actor, appointment_id, payload):
        """The requester (a holder of `view_appointments` for the client) withdraws a
        pending request: {version} → status `withdrawn`. Emits `appointment.withdrawn`."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.VersionOnly(), payload)
        with self.db.transaction() as tx:
            row = store.appointments.appointment_of_practice(tx.session, actor,
                                                             appointment_id, for_update=True)
            require_requester(actor, row.client_id)
            REQ.check_pending(row, cmd["version"])
            REQ.decide(row, REQ.WITHDRAWN, self.clock(), actor.id)
            tx.session.flush()
            events.APPOINTMENT_WITHDRAWN.record(tx, actor, events.request_data_of(row))
            return dump(actor, row)

    @rpc(expected_exceptions=EXPECTED)
    def approve_request(self, actor, appointment_id, payload):
        """Staff `manage_appointments`: {version, starts_at?, clinician_id?, service_id?,
        location_id?} → the scheduled appointment (same id). The clinician's bookings
        are serialized: of two requests for one slot the first approval wins, the second
        is 409 `clinician_busy`. 409 `not_pending` when already decided or withdrawn.
        Emits `appointment.approved` with what changed."""
        actor = Actor.from_wire(actor)
        require_manager(actor)
        cmd = load(schemas.ApproveRequest(), payload)
        clinician = None
        if cmd["clinician_id"]:           # identity first, never inside the transaction
            clinician = domain.appointments.active_clinician(
                staff_of(self.identity, actor, "The request was not approved"),
                cmd["clinician_id"])
        now = self.clock()
        with self.db.transaction() as tx:
            session = tx.session
            row = store.appointments.appointment_of_practice(session, actor,
                                                             appointment_id, for_update=True)
            REQ.check_pending(row, cmd["version"])
            changed = []
            if clinician and clinician["id"] != row.clinician_id:
                row.clinician_id, row.clinician_name = clinician["id"], clinician.get("name") or ""
                changed.append("clinician_id")
            duration = row.ends_at - row.starts_at
            if cmd["service_id"] and cmd["service_id"] != row.service_id:
                service = service_for(session, actor, cmd["service_id"])
                row.service_id, row.title, row.fee_cents = service.id, service.name, service.fee_cents
                duration = timedelta(minutes=service.duration_minutes)
                changed.append("service_id")
            if cmd["location_id"] and cmd["location_id"] != row.location_id:
                location = location_for(session, actor, cmd["location_id"])
                row.location_id, row.location = location.id, location.kind
                changed.append("location_id")
            if cmd["starts_at"]:
                starts_at = domain.appointments.parse_starts_at(cmd["starts_at"])
                if starts_at != row.starts_at:
                    row.starts_at = starts_at
                    changed.append("starts_at")
            row.ends_at = row.starts_at + duration
            domain.appointments.check_not_past(row.starts_at, now)
            store.appointments.lock_clinician(session, actor.practice_id, row.clinician_id)
            domain.appointments.check_free(row.starts_at, row.ends_at,
                                           store.appointments.booked_times(
                session, actor.practice_id, row.clinician_id, row.starts_at, row.ends_at))
            REQ.decide(row, domain.appointments.SCHEDULED, now, actor.id)
            session.flush()
            events.APPOINTMENT_APPROVED.record(tx, actor, events.request_data_of(row, changed))
            result = dump(actor, row)
        log.info("request approved", extra={"appointment_id": row.id,
                                            "client_id": row.client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def deny_request(self, actor, appointment_id, payload):
        """Staff `manage_appointments`: {version, reason (told to the requester, never in
        the event)} → status `denied`. Emits `appointment.denied`."""
        actor = Actor.from_wire(actor)
        require_manager(actor)
        cmd = load(schemas.DenyRequest(), payload)
        with self.db.transaction() as tx:
            row = store.appointments.appointment_of_practice(tx.session, actor,
                                                             appointment_id, for_update=True)
            REQ.check_pending(row, cmd["version"])
            REQ.decide(row, REQ.DENIED, self.clock(), actor.id, cmd["reason"])
            tx.session.flush()
            events.APPOINTMENT_DENIED.record(tx, actor, events.request_data_of(row))
            result = dump(actor, row)
        log.info("request denied", extra={"appointment_id": row.id, "client_id": row.client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def cancel_own_appointment(self, actor, appointment_id, payload):
        """A client (or a holder of `view_appointments`) cancels a scheduled appointment
        within the policy: {version}. Before the late window → `cancelled`; inside it →
        `late_cancelled` (stays on the calendar, billing may charge the fee); inside the
        no-cancel window, or when the practice takes no portal cancellations → refused
        with a sentence telling them to contact the practice. Emits
        `appointment.cancelled` (late, cancelled_by, charge)."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.ClientCancel(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            row = store.appointments.appointment_of_practice(tx.session, actor,
                                                             appointment_id, for_update=True)
            require_requester(actor, row.client_id)
            settings = settings_in(tx.session, actor.practice_id)
            late = REQ.client_cancellation(row, settings, now)
            REQ.check_version(row, cmd["version"])
            REQ.cancel_by_client(row, late, now, actor.id)
            tx.session.flush()
            events.APPOINTMENT_CANCELLED.record(
                tx, actor, events.cancelled_data_of(row, actor, late, settings))
            result = dump(actor, row)
        log.info("appointment cancelled by client", extra={"appointment_id": row.id,
                                                           "client_id": row.client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def mark_attended(self, actor, appointment_id, payload):
        """Staff `manage_appointments`: {version} → `completed`, once it has started.
        Emits `appointment.completed`."""
        return self._outcome(actor, appointment_id, payload, REQ.COMPLETED,
                             events.APPOINTMENT_COMPLETED)

    @rpc(expected_exceptions=EXPECTED)
    def mark_no_show(self, actor, appointment_id, payload):
        """Staff `manage_appointments`: {version} → `no_show`, once it has started.
        Emits `appointment.no_show`."""
        return self._outcome(actor, appointment_id, payload, REQ.NO_SHOW,
                             events.APPOINTMENT_NO_SHOW)

    def _outcome(self, actor, appointment_id, payload, status, event):
        actor = Actor.from_wire(actor)
        require_manager(actor)
        cmd = load(schemas.VersionOnly(), payload)
        with self.db.transaction() as tx:
            row = store.appointments.appointment_of_practice(tx.session, actor,
                                                             appointment_id, for_update=True)
            REQ.mark_outcome(row, status, self.clock(), cmd["version"])
            tx.session.flush()
            event.record(tx, actor, events.data_of(row))
            return dump(actor, row)
