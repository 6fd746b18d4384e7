"""What availability is computed from, read in one go: the clinicians' periods, the
practice's locations, blocks and scheduled appointments around a window."""
from dataclasses import dataclass
from datetime import timedelta

from services.scheduling.store import appointments, setup


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
    places = {row.id: setup.as_place(row)
              for row in setup.locations(session, practice_id, active_only=True)
              if (location_id is None or row.id == location_id)
              and (telehealth is None or (row.kind == "telehealth") == telehealth)}
    periods = [setup.as_period(row)
               for row in setup.periods(session, practice_id, clinician_ids)
               if row.location_id in places]
    blocks = [setup.as_blocked(row) for row in setup.blocks(session, practice_id,
                                                             clinician_ids)]
    pad = timedelta(minutes=buffer_minutes, days=1)
    booked = appointments.scheduled_by_clinician(session, practice_id, clinician_ids,
                                                 starts_at - pad, ends_at + pad)
    return Inputs(periods, places, blocks, booked)
