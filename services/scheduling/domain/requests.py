"""Client requests and what follows them: requesting an offered time, withdrawing it,
staff approving or denying it, a client cancelling within the practice's policy, and
staff marking an appointment attended or a no-show (plain functions).
"""
from datetime import timedelta

from services.common.errors import Conflict, Forbidden, InvalidInput
from services.scheduling.domain import availability
from services.scheduling.domain.appointments import CANCELLED, SCHEDULED, clean_text
from services.scheduling.domain.setup import late_window_applies

REQUESTED = "requested"
DENIED = "denied"
WITHDRAWN = "withdrawn"
LATE_CANCELLED = "late_cancelled"
COMPLETED = "completed"
NO_SHOW = "no_show"
# on the calendar (what a client's appointment list shows); requests are listed apart
CALENDAR = (SCHEDULED, LATE_CANCELLED, COMPLETED, NO_SHOW)
REQUEST_STATES = (REQUESTED, DENIED, WITHDRAWN)
# what makes a client "existing": an appointment that was really on the calendar
EXISTING_STATES = (SCHEDULED, LATE_CANCELLED, COMPLETED, NO_SHOW)


def _refuse(field, sentence, code="invalid_input"):
    raise InvalidInput(code, sentence, {field: [sentence]})


def check_may_request(settings, service, clinician_id, is_existing, future_count):
    """The practice's switches and the service's rules, before any time is looked at."""
    if not settings["online_booking"] or settings["who_may_request"] == "no_one":
        raise Forbidden("requests_closed", "This practice does not take appointment "
                        "requests in the portal. Please contact the practice.")
    if settings["who_may_request"] == "existing" and not is_existing:
        raise Forbidden("existing_clients_only", "Only existing clients can request "
                        "appointments in the portal. Please contact the practice.")
    if service is None or not service.active:
        _refuse("service_id", "Choose one of the services the portal offers.")
    if service.requestable_by == "new" and is_existing:
        _refuse("service_id", f"{service.name} is for new clients. Choose another "
                "service, or contact the practice.")
    if service.requestable_by == "existing" and not is_existing:
        _refuse("service_id", f"{service.name} is for existing clients. Choose another "
                "service, or contact the practice.")
    if clinician_id not in (service.clinician_ids or ()):
        _refuse("clinician_id", f"That clinician does not offer {service.name}. Choose "
                "one of the clinicians shown for it.")
    limit = settings["max_future_appointments"]
    if limit is not None and future_count >= limit:
        raise Conflict("too_many_appointments", f"You already have {future_count} upcoming "
                       "appointments or requests, the most this practice takes in the "
                       "portal. Cancel one, or contact the practice.")


def check_requested_time(starts_at, duration_minutes, rules, periods, places, busy, now):
    """Why [starts_at, +duration) cannot be requested, in order — past, notice, horizon,
    outside every work period, off the step, taken — each raising with a sentence;
    nothing when it is an offered time. `busy` is the clinician's availability.Busy."""
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    earliest, latest = rules.window(now)
    if starts_at < now:
        _refuse("starts_at", "That time is in the past. Choose one of the offered times.")
    if starts_at < earliest:
        _refuse("starts_at", f"Requests need at least {_span(rules.min_notice_minutes)} "
                "notice. Choose a later time.")
    if starts_at > latest:
        _refuse("starts_at", f"Requests can be made up to {rules.horizon_days} days ahead. "
                "Choose an earlier time.")
    found = availability.containing_period(starts_at, ends_at, periods, places)
    if found is None:
        _refuse("starts_at", "The clinician does not see clients then. Choose one of the "
                "offered times.")
    period_start, _ = found
    step = timedelta(minutes=rules.slot_step_minutes)
    if (starts_at - period_start) % step:
        _refuse("starts_at", f"Appointments start every {rules.slot_step_minutes} minutes "
                "from the start of the clinician's hours. Choose one of the offered times.")
    if busy.overlaps(starts_at, ends_at):
        raise Conflict("slot_unavailable", "That time is no longer free. Choose another "
                       "of the offered times.", {"starts_at": ["That time is taken."]})
    return found


def _span(minutes):
    if minutes % 1440 == 0:
        n = minutes // 1440
        return f"{n} day's" if n == 1 else f"{n} days'"
    if minutes % 60 == 0:
        n = minutes // 60
        return f"{n} hour's" if n == 1 else f"{n} hours'"
    return f"{minutes} minutes'"


def check_version(row, read_version):
    if read_version != row.version:
        raise Conflict("stale_version", "That appointment changed since you read it. "
                       "Reload it and try again.",
                       {"version": [f"The current version is {row.version}."]})


def check_pending(row, read_version):
    """A decision (approve, deny, withdraw) is taken once: what happened is said before
    a stale version."""
    if row.status != REQUESTED:
        said = {SCHEDULED: "already approved", DENIED: "already denied",
                WITHDRAWN: "withdrawn"}.get(row.status, "no longer pending")
        raise Conflict("not_pending", f"That request is {said}.")
    check_version(row, read_version)


def decide(row, status, now, by, reason=None):
    row.status = status
    row.decided_at = now
    row.decided_by = by
    if reason is not None:
        row.deny_reason = clean_text(reason)
    row.version += 1


def client_cancellation(row, settings, now):
    """Whether a client's cancellation of `row` at `now` is late (True) or on time
    (False); refused inside the no-cancel window, after the start, and when the
    practice does not let clients cancel."""
    if row.status != SCHEDULED:
        raise Conflict("not_scheduled", "Only a scheduled appointment can be cancelled.")
    if not settings["clients_may_cancel"]:
        raise Forbidden("cancel_by_contacting", "This practice takes cancellations by "
                        "phone or message, not in the portal. Please contact the practice.")
    if now >= row.starts_at:
        raise Conflict("already_started", "That appointment has started. Please contact "
                       "the practice.")
    before = row.starts_at - now
    if before < timedelta(hours=settings["no_cancel_hours"]):
        raise Conflict("inside_no_cancel_window", "This appointment is less than "
                       f"{settings['no_cancel_hours']} hours away and can no longer be "
                       "cancelled in the portal. Please contact the practice.")
    return late_window_applies(settings) and before < timedelta(
        hours=settings["late_cancel_hours"])


def cancel_by_client(row, late, now, by):
    row.status = LATE_CANCELLED if late else CANCELLED
    row.late = late
    row.cancelled_at = now
    row.cancelled_by = by
    row.version += 1


def mark_outcome(row, status, now, read_version):
    """Staff: attended (`completed`) or `no_show`, once the appointment has started."""
    if row.status != SCHEDULED:
        raise Conflict("not_scheduled", "Only a scheduled appointment can be marked "
                       "attended or no-show.")
    if now < row.starts_at:
        raise Conflict("not_started", "An appointment can be marked attended or no-show "
                       "once it has started.")
    check_version(row, read_version)
    row.status = status
    row.version += 1
