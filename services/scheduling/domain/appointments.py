"""The rules of booking and cancelling appointments: plain functions, no nameko, no SQL.

Times are aware datetimes; everything stored and compared is UTC. An appointment
occupies [starts_at, ends_at): one that ends at 10:00 does not overlap one that starts
at 10:00.
"""
from datetime import datetime, timedelta, timezone

from services.common.errors import Conflict, InvalidInput

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
STATUSES = (SCHEDULED, CANCELLED)
LOCATIONS = ("office", "telehealth")

MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 10, 480, 50
TITLE_MAX, REASON_MAX = 120, 500

# staff permissions (identity's roles grant them)
MANAGE_APPOINTMENTS = "manage_appointments"
VIEW_CLIENTS = "view_clients"
# what a client account or contact must hold for the client (a grant permission)
VIEW_APPOINTMENTS = "view_appointments"


def starts_at_problem(text):
    """A message when `text` is not an ISO-8601 time with an offset, else None."""
    if not isinstance(text, str):
        return "Give the start time as text, e.g. 2026-03-02T15:00:00-05:00."
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return "Give the start time as ISO-8601, e.g. 2026-03-02T15:00:00-05:00."
    if value.tzinfo is None:
        return ("Give the start time with its UTC offset (e.g. -05:00 or Z), so it means "
                "one moment wherever it is read.")
    try:    # the calendar's edges (years 1 and 9999) cannot hold a whole appointment
        value.astimezone(timezone.utc) + timedelta(minutes=MAX_MINUTES)
    except OverflowError:
        return "Give a start time between now and the year 9999."
    return None


def parse_starts_at(text):
    """The start time as an aware UTC datetime (starts_at_problem(text) must be None)."""
    return datetime.fromisoformat(text.strip()).astimezone(timezone.utc)


def times(starts_at, duration_minutes):
    """(starts_at, ends_at) in UTC."""
    starts_at = starts_at.astimezone(timezone.utc)
    return starts_at, starts_at + timedelta(minutes=duration_minutes)


def check_not_past(starts_at, now):
    if starts_at < now:
        raise InvalidInput("invalid_input", "The start time is in the past. Choose a time "
                           "from now on.", {"starts_at": ["That time is in the past."]})


def active_clinician(staff, clinician_id):
    """The entry of `staff` (identity's list_staff answer) that is `clinician_id` and
    active; InvalidInput naming `clinician_id` otherwise."""
    for person in staff or ():
        if person.get("id") == clinician_id and person.get("status") == "active":
            return person
    raise InvalidInput("invalid_input", "Choose a clinician who is active staff of this "
                       "practice.", {"clinician_id": ["Not an active staff member of this practice."]})


def overlaps(starts_at, ends_at, other_starts, other_ends):
    """Half-open intervals: touching ends do not overlap."""
    return starts_at < other_ends and other_starts < ends_at


def check_free(starts_at, ends_at, booked):
    """`booked`: (starts_at, ends_at) of the clinician's scheduled appointments.
    Conflict `clinician_busy` when one overlaps."""
    for other_starts, other_ends in booked:
        if overlaps(starts_at, ends_at, other_starts, other_ends):
            raise Conflict("clinician_busy", "The clinician already has an appointment at "
                           "that time. Choose another time or clinician.",
                           {"starts_at": ["The clinician has another appointment at that time."]})


def check_cancellable(status, version, read_version):
    """Already cancelled wins over a stale version: it says what actually happened."""
    if status == CANCELLED:
        raise Conflict("already_cancelled", "That appointment is already cancelled.")
    if read_version != version:
        raise Conflict("stale_version", "That appointment changed since you read it. "
                       "Reload it and try again.", {"version": [f"The current version is {version}."]})


def cancel(row, read_version, now, by, reason):
    """Cancel `row` (an appointment with status, version and the cancel fields) as `by`
    at `now`: already cancelled and stale versions are refused; the version grows by one."""
    check_cancellable(row.status, row.version, read_version)
    row.status = CANCELLED
    row.cancelled_at = now
    row.cancelled_by = by
    row.cancel_reason = clean_text(reason)
    row.version += 1


def require_reader(actor, client_id):
    """Staff `view_clients`, or a client/contact holding `view_appointments` for the
    client (not holding the client at all → NotFound)."""
    if actor.is_staff or actor.is_system:
        actor.require_staff(VIEW_CLIENTS)
    else:
        actor.require_client(client_id, VIEW_APPOINTMENTS)


def sees_staff_fields(actor):
    return actor.is_staff or actor.is_system


def duration_minutes(starts_at, ends_at):
    return int((ends_at - starts_at).total_seconds() // 60)


def clean_text(value):
    """Stripped text, or None for blank."""
    if value is None:
        return None
    value = value.strip()
    return value or None

