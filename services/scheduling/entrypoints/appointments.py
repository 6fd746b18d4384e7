"""Appointments: staff book and cancel; clients and holders of `view_appointments` read.

Each method: load the schema, check the actor, ask identity (before any transaction),
open the transaction, apply the domain's rules, write, record the event, answer. Log
lines carry ids only — never a time, title, name or reason of an appointment.
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput, Unavailable
from services.common.rpc import rpc
from services.common.schemas import load
from services.scheduling import domain, events, schemas, store
from services.scheduling.models import Appointment

log = logging.getLogger(__name__)


def client_id_of(value):
    if not isinstance(value, str) or not 0 < len(value) <= 36:
        raise InvalidInput("invalid_input", "Name the client by its id.",
                           {"client_id": ["must be a client id"]})
    return value


def require_manager(actor):
    """Staff with `manage_appointments`, or a system actor of one practice (the seed): an
    appointment always belongs to a practice, so a system actor naming none is refused."""
    actor.require_staff(domain.appointments.MANAGE_APPOINTMENTS)
    if not actor.practice_id:
        raise Forbidden("practice_required", "Say which practice the appointment belongs to.")


def dump(actor, row):
    schema = schemas.StaffAppointment() if domain.appointments.sees_staff_fields(actor) \
        else schemas.Appointment()
    return schema.dump(row)


def staff_of(identity, actor, what="The appointment was not booked"):
    """identity's `list_staff` (one bounded hop, never inside a transaction)."""
    try:
        return identity.list_staff(actor.to_wire())
    except Unavailable:
        log.warning("identity did not answer a staff check")
        raise Unavailable("identity_unavailable", f"{what}: the staff directory is not "
                          "answering. Please try again in a moment.") from None


class AppointmentEntrypoints:
    """Mixin of SchedulingService: needs `db`, `clock` and `identity`."""

    @rpc(expected_exceptions=EXPECTED)
    def book_appointment(self, actor, client_id, payload):
        """Staff `manage_appointments`: book `client_id` with an active clinician of the
        practice. payload {clinician_id, starts_at (ISO-8601 with offset, not past),
        duration_minutes 10–480 (50), location office|telehealth (office), title?, id?}.
        `id` is an idempotency key: a retry with the same id returns the row it made.
        InvalidInput names the field; Conflict `clinician_busy` when the clinician has a
        scheduled appointment overlapping; Unavailable `identity_unavailable` (nothing
        stored) when identity does not answer. Emits `appointment.scheduled`."""
        rules = domain.appointments
        actor = Actor.from_wire(actor)
        require_manager(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.BookAppointment(), payload)
        appointment_id = str(cmd["id"]) if cmd["id"] else None
        if appointment_id:
            with self.db.read() as session:
                existing = session.get(Appointment, appointment_id)
                if existing is not None:
                    return self._replayed(actor, existing, client_id)
        starts_at, ends_at = rules.times(rules.parse_starts_at(cmd["starts_at"]),
                                         cmd["duration_minutes"])
        rules.check_not_past(starts_at, self.clock())
        clinician = rules.active_clinician(staff_of(self.identity, actor),
                                           cmd["clinician_id"])
        with self.db.transaction() as tx:
            if appointment_id:
                existing = tx.session.get(Appointment, appointment_id)
                if existing is not None:      # a concurrent retry committed meanwhile
                    return self._replayed(actor, existing, client_id)
            store.appointments.lock_clinician(tx.session, actor.practice_id, clinician["id"])
            rules.check_free(starts_at, ends_at, store.appointments.booked_times(
                tx.session, actor.practice_id, clinician["id"], starts_at, ends_at))
            row = Appointment(
                id=appointment_id, practice_id=actor.practice_id, client_id=client_id,
                clinician_id=clinician["id"], clinician_name=clinician.get("name") or "",
                starts_at=starts_at, ends_at=ends_at, location=cmd["location"],
                title=rules.clean_text(cmd["title"]), status=rules.SCHEDULED,
                created_at=self.clock(), created_by=actor.id, version=1)
            tx.session.add(row)
            tx.session.flush()
            events.APPOINTMENT_SCHEDULED.record(tx, actor, events.data_of(row))
            result = dump(actor, row)
        log.info("appointment booked", extra={"appointment_id": result["id"],
                                              "client_id": client_id})
        return result

    def _replayed(self, actor, existing, client_id):
        if existing.practice_id != actor.practice_id or existing.client_id != client_id:
            raise Conflict("id_taken", "That id is already in use. Send a new one.")
        return dump(actor, existing)

    @rpc(expected_exceptions=EXPECTED)
    def list_client_appointments(self, actor, client_id, payload=None):
        """Staff `view_clients`, or a client/contact holding `view_appointments` for the
        client. payload {when: upcoming (not ended, soonest first) | past (latest first),
        include_cancelled (staff default true, others false), limit 1–100 (50)} →
        {items: [appointment]}. Only the actor's practice's rows, ever."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        domain.appointments.require_reader(actor, client_id)
        cmd = load(schemas.ListAppointments(), payload)
        include_cancelled = cmd["include_cancelled"]
        if include_cancelled is None:
            include_cancelled = domain.appointments.sees_staff_fields(actor)
        with self.db.read() as session:
            rows = store.appointments.client_appointments(
                session, actor.practice_id, client_id, cmd["when"], self.clock(),
                include_cancelled, cmd["limit"])
            return {"items": [dump(actor, row) for row in rows]}

    @rpc(expected_exceptions=EXPECTED)
    def get_appointment(self, actor, appointment_id):
        """One appointment, under the rule of `list_client_appointments` for its client.
        Missing, another practice's, or of a client the actor does not hold → NotFound;
        held without `view_appointments` → Forbidden."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            row = store.appointments.appointment_of_practice(session, actor, appointment_id)
            domain.appointments.require_reader(actor, row.client_id)
            return dump(actor, row)

    @rpc(expected_exceptions=EXPECTED)
    def cancel_appointment(self, actor, appointment_id, payload):
        """Staff `manage_appointments`: payload {version (the one read, required),
        reason? (≤500, staff only)}. Conflict `already_cancelled`, or `stale_version`
        when it changed since. Bumps the version; emits `appointment.cancelled`."""
        actor = Actor.from_wire(actor)
        require_manager(actor)
        cmd = load(schemas.CancelAppointment(), payload)
        with self.db.transaction() as tx:
            row = store.appointments.appointment_of_practice(
                tx.session, actor, appointment_id, for_update=True)
            domain.appointments.cancel(row, cmd["version"], self.clock(), actor.id,
                                       cmd["reason"])
            tx.session.flush()
            events.APPOINTMENT_CANCELLED.record(tx, actor, events.cancelled_data_of(row, actor))
            result = dump(actor, row)
        log.info("appointment cancelled", extra={"appointment_id": row.id,
                                                 "client_id": row.client_id})
        return result
