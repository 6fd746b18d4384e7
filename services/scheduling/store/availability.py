"""What availability is computed from, read in one go: the clinicians' periods, the
practice's locations, blocks and scheduled appointments around a window. Plain column
reads (no ORM objects): one question reads thousands of rows."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from services.scheduling.domain import availability
from services.scheduling.models import Block, Location, WorkPeriod
from services.scheduling.store import appointments


@dataclass
class Inputs:
    periods: list          # availability.Period
    places: dict           # {location_id: availability.Place}
    blocks: list           # availability.Blocked
    appointments: dict     # {clinician_id: [(starts_at, ends_at)]}


def inputs(session, practice_id, clinician_ids, starts_at, ends_at, location_id=None,
           telehealth=None, buffer_minutes=0):
    """Everything needed for offers between starts_at and ends_at (UTC), for these
    clinicians, at one location or kind of place when asked."""
    clinician_ids = list(clinician_ids)
    places = {}
    for row in session.execute(select(Location.id, Location.kind, Location.time_zone).where(
            Location.practice_id == practice_id, Location.active.is_(True))):
        if (location_id is None or row.id == location_id) and (
                telehealth is None or (row.kind == "telehealth") == telehealth):
            places[row.id] = availability.Place(row.id, row.kind, row.time_zone)
    periods = [availability.Period(*row) for row in session.execute(select(
        WorkPeriod.clinician_id, WorkPeriod.weekday, WorkPeriod.starts, WorkPeriod.ends,
        WorkPeriod.location_id, WorkPeriod.effective_from, WorkPeriod.effective_until).where(
            WorkPeriod.practice_id == practice_id,
            WorkPeriod.clinician_id.in_(clinician_ids),
            # effective dates are local: a day each side covers every zone
            WorkPeriod.effective_from <= (ends_at + timedelta(days=1)).date(),
            (WorkPeriod.effective_until.is_(None))
            | (WorkPeriod.effective_until >= (starts_at - timedelta(days=1)).date())))
        if row.location_id in places]
    blocks = [availability.Blocked(*row) for row in session.execute(select(
        Block.clinician_id, Block.starts_local, Block.ends_local, Block.time_zone,
        Block.recurrence, Block.repeat_until).where(
            Block.practice_id == practice_id,
            Block.clinician_id.in_(clinician_ids) | Block.clinician_id.is_(None),
            # a one-off block far from the window cannot matter (a day each side for
            # the zone's offset); a repeating one may, until its last day
            Block.starts_local <= ends_at.replace(tzinfo=None) + timedelta(days=1),
            ((Block.recurrence == "none")
             & (Block.ends_local >= starts_at.replace(tzinfo=None) - timedelta(days=1)))
            | ((Block.recurrence != "none")
               & (Block.repeat_until.is_(None) | (Block.repeat_until >= starts_at.date()
                                                  - timedelta(days=1))))))]
    pad = timedelta(minutes=buffer_minutes, days=1)
    booked = appointments.scheduled_by_clinician(session, practice_id, clinician_ids,
                                                 starts_at - pad, ends_at + pad)
    return Inputs(periods, places, blocks, booked)
