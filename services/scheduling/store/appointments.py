"""The SQL of appointments: small functions over a session."""
import zlib

from sqlalchemy import func, select, text

from services.common.errors import NotFound
from services.scheduling.domain.appointments import SCHEDULED
from services.scheduling.domain.requests import (
    CALENDAR, EXISTING_STATES, REQUEST_STATES, REQUESTED)
from services.scheduling.models import Appointment


def appointment_of_practice(session, actor, appointment_id, for_update=False):
    """The row, or NotFound when missing or of another practice (never Forbidden: that
    would say it exists)."""
    query = select(Appointment).where(Appointment.id == appointment_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first() if appointment_id else None
    if row is None or not (actor.is_system and actor.practice_id is None
                           or row.practice_id == actor.practice_id):
        raise NotFound("not_found", "That appointment does not exist.")
    return row


def lock_clinician(session, practice_id, clinician_id):
    """Serialize bookings of one clinician until the transaction ends, so two overlapping
    bookings cannot both pass the check. PostgreSQL: a transaction-scoped advisory lock
    (no row to lock before the first booking); SQLite: writers are already serialized
    (BEGIN IMMEDIATE and the kernel's write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"scheduling:{practice_id}:{clinician_id}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def lock_client(session, practice_id, client_id):
    """Serialize one client's requests until the transaction ends (PostgreSQL), so two
    sent together cannot both pass the "most future appointments" check."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"scheduling:client:{practice_id}:{client_id}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def booked_times(session, practice_id, clinician_id, starts_at, ends_at):
    """(starts_at, ends_at) of the clinician's scheduled appointments overlapping the
    given interval."""
    rows = session.execute(
        select(Appointment.starts_at, Appointment.ends_at).where(
            Appointment.practice_id == practice_id,
            Appointment.clinician_id == clinician_id,
            Appointment.status == SCHEDULED,
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at)).all()
    return [(r.starts_at, r.ends_at) for r in rows]


def client_appointments(session, practice_id, client_id, when, now, include_cancelled, limit):
    """upcoming: not yet ended, soonest first; past: ended, latest first."""
    query = select(Appointment).where(Appointment.client_id == client_id)
    if practice_id is not None:
        query = query.where(Appointment.practice_id == practice_id)
    # requests are listed apart (list_requests); a late cancellation stays on the calendar
    shown = CALENDAR + (("cancelled",) if include_cancelled else ())
    query = query.where(Appointment.status.in_(shown))
    if when == "past":
        query = query.where(Appointment.ends_at < now).order_by(
            Appointment.starts_at.desc(), Appointment.id)
    else:
        query = query.where(Appointment.ends_at >= now).order_by(
            Appointment.starts_at, Appointment.id)
    return session.scalars(query.limit(limit)).all()


def scheduled_by_clinician(session, practice_id, clinician_ids, starts_at, ends_at):
    """{clinician_id: [(starts_at, ends_at)]} of scheduled appointments overlapping the
    interval (availability's busy time)."""
    rows = session.execute(
        select(Appointment.clinician_id, Appointment.starts_at, Appointment.ends_at).where(
            Appointment.practice_id == practice_id,
            Appointment.clinician_id.in_(list(clinician_ids)),
            Appointment.status == SCHEDULED,
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at)).all()
    found = {}
    for row in rows:
        found.setdefault(row.clinician_id, []).append((row.starts_at, row.ends_at))
    return found


def is_existing_client(session, practice_id, client_id):
    """An appointment of this client was ever really on the practice's calendar."""
    return session.execute(select(Appointment.id).where(
        Appointment.practice_id == practice_id, Appointment.client_id == client_id,
        Appointment.status.in_(EXISTING_STATES)).limit(1)).first() is not None


def future_count(session, practice_id, client_id, now):
    """The client's upcoming scheduled appointments and pending requests."""
    return session.execute(select(func.count()).select_from(Appointment).where(
        Appointment.practice_id == practice_id, Appointment.client_id == client_id,
        Appointment.status.in_((SCHEDULED, REQUESTED)),
        Appointment.ends_at > now)).scalar()


def requests(session, practice_id, client_ids=None, status=REQUESTED, clinician_id=None,
             limit=100):
    """Requests of the practice (or of these clients), soonest first."""
    query = select(Appointment).where(Appointment.practice_id == practice_id)
    if status == "any":
        query = query.where(Appointment.status.in_(REQUEST_STATES)
                            | Appointment.requested_at.is_not(None))
    else:
        query = query.where(Appointment.status == status)
    if client_ids is not None:
        query = query.where(Appointment.client_id.in_(list(client_ids)))
    if clinician_id:
        query = query.where(Appointment.clinician_id == clinician_id)
    return session.scalars(query.order_by(Appointment.starts_at, Appointment.requested_at,
                                          Appointment.id).limit(limit)).all()
