"""Availability: the start times a practice offers for a service (plain functions).

Work periods are weekly wall-clock times of a location's time zone. Each occurrence is
turned into one interval of real (UTC) time — a period on a clock-change night is as
long as the clocks say (00:00–04:00 is 5 hours when they fall back, 3 when they spring
forward), so a slot is neither lost nor doubled — and offered starts are every
`slot_step_minutes` of real time from the period's start while the service's duration
still fits before its end. A start is offered only when [start, start + duration)
overlaps no blocked time and no scheduled appointment widened by the buffer on both
sides, and lies in [now + minimum notice, now + horizon].
"""
import heapq
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from services.scheduling.domain.setup import combine

UTC = timezone.utc
MAX_RANGE_DAYS = 62


@dataclass(frozen=True)
class Period:
    clinician_id: str
    weekday: int                 # 0 Monday … 6 Sunday
    starts: str                  # "09:00", wall clock of the location
    ends: str                    # "12:00" (or "24:00")
    location_id: str
    effective_from: date
    effective_until: date = None


@dataclass(frozen=True)
class Place:
    id: str
    kind: str                    # office | telehealth
    time_zone: str


@dataclass(frozen=True)
class Blocked:
    clinician_id: str            # None: every clinician of the practice
    starts_local: datetime       # naive wall clock of time_zone (first occurrence)
    ends_local: datetime
    time_zone: str
    recurrence: str = "none"     # none | weekly | biweekly | monthly
    repeat_until: date = None


class Slot(NamedTuple):          # a tuple: thousands are made per question
    starts_at: datetime          # aware UTC
    ends_at: datetime
    clinician_id: str
    location_id: str
    time_zone: str               # the location's: how the practice says the time


@dataclass(frozen=True)
class Rules:
    """The settings that shape availability (a practice's, domain.setup.settings_of)."""
    slot_step_minutes: int = 15
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    horizon_days: int = 60

    @classmethod
    def of(cls, settings):
        return cls(settings["slot_step_minutes"], settings["buffer_minutes"],
                   settings["min_notice_minutes"], settings["horizon_days"])

    def window(self, now):
        """[earliest, latest] start a client may request at `now`."""
        return (now + timedelta(minutes=self.min_notice_minutes),
                now + timedelta(days=self.horizon_days))


def days(first_day, last_day):
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def work_intervals(periods, places, first_day, last_day):
    """(starts_at, ends_at, period) in UTC of each occurrence of `periods` on a local
    date (of its location's zone) from first_day to last_day, inclusive."""
    found = []
    for period in periods:
        place = places.get(period.location_id)
        if place is None:
            continue
        start = max(first_day, period.effective_from)
        end = min(last_day, period.effective_until or last_day)
        if start > end:
            continue
        start += timedelta(days=(period.weekday - start.weekday()) % 7)
        for day in _every_week(start, end):
            found.append((combine(day, period.starts, place.time_zone).astimezone(UTC),
                          combine(day, period.ends, place.time_zone).astimezone(UTC),
                          period))
    found.sort(key=lambda item: (item[0], item[2].clinician_id))
    return found


def _every_week(day, last_day):
    while day <= last_day:
        yield day
        day += timedelta(days=7)


def block_intervals(blocks, window_start, window_end):
    """(starts_at, ends_at, clinician_id) in UTC of each occurrence of `blocks` that
    overlaps [window_start, window_end). Recurrence is dateutil's rrule over wall-clock
    time, so a weekly lunch at 12:00 stays at 12:00 across a clock change."""
    found = []
    for block in blocks:
        zone = ZoneInfo(block.time_zone)
        length = block.ends_local - block.starts_local
        if block.recurrence == "none":
            starts = [block.starts_local]
        else:
            # occurrences whose start is in the window widened by one occurrence's length
            # (and a day each side for the zone's offset)
            lo = (window_start.astimezone(zone).replace(tzinfo=None) - length
                  - timedelta(days=1))
            hi = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
            until = (datetime.combine(block.repeat_until, time.max)
                     if block.repeat_until else None)
            rule = rrule(MONTHLY if block.recurrence == "monthly" else WEEKLY,
                         interval=2 if block.recurrence == "biweekly" else 1,
                         dtstart=block.starts_local, until=until)
            starts = rule.between(max(lo, block.starts_local - timedelta(seconds=1)), hi,
                                  inc=True)
        for local in starts:
            begins = local.replace(tzinfo=zone).astimezone(UTC)
            ends = (local + length).replace(tzinfo=zone).astimezone(UTC)
            if begins < window_end and window_start < ends:
                found.append((begins, ends, block.clinician_id))
    return found


def overlaps_interval(start, end, other_start, other_end):
    """Half-open intervals: touching ends do not overlap."""
    return start < other_end and other_start < end


def merged(intervals):
    """Sorted, disjoint [start, end) intervals covering `intervals`."""
    result = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


class Busy:
    """A clinician's unavailable time, merged, for fast overlap questions."""

    def __init__(self, intervals):
        self.intervals = merged(intervals)
        self._ends = [end for _, end in self.intervals]

    def overlaps(self, start, end):
        i = bisect_right(self._ends, start)        # first interval ending after start
        return i < len(self.intervals) and self.intervals[i][0] < end


def unavailable(clinician_id, appointments, blocks, buffer):
    """Busy time of one clinician: `appointments` (start, end) widened by the buffer on
    both sides, and `blocks` (start, end, clinician_id or None)."""
    pad = timedelta(minutes=buffer)
    spans = [(start - pad, end + pad) for start, end in appointments]
    spans += [(start, end) for start, end, who in blocks
              if who is None or who == clinician_id]
    return Busy(spans)


def offered(service_minutes, rules, periods, places, blocks, appointments, now,
            first_day, last_day, limit=None):
    """The offered slots, soonest first (then by clinician).

    `periods`: the Periods of the clinicians who offer the service (already filtered by
    clinician and location); `places`: {location_id: Place}; `blocks`: Blocked of these
    clinicians and the practice; `appointments`: {clinician_id: [(start, end)]} of
    scheduled appointments; first_day..last_day: local dates, inclusive.
    """
    duration = timedelta(minutes=service_minutes)
    step = timedelta(minutes=rules.slot_step_minutes)
    earliest, latest = rules.window(now)
    intervals = work_intervals(periods, places, first_day, last_day)
    if not intervals:
        return []
    window_start = min(start for start, _, _ in intervals)
    window_end = max(end for _, end, _ in intervals)
    block_spans = block_intervals(blocks, window_start, window_end)
    busy = {}
    slots = []
    # with a limit, a max-heap of the `limit` earliest starts found: once a period begins
    # after the latest of them, no later period (they come soonest first) can add one
    kept = []
    seen = set()                        # overlapping periods of one clinician: one offer
    for start, end, period in intervals:
        if limit and len(kept) >= limit and start.timestamp() > -kept[0]:
            break
        who = period.clinician_id
        if who not in busy:
            busy[who] = unavailable(who, appointments.get(who, ()), block_spans,
                                    rules.buffer_minutes)
        overlaps = busy[who].overlaps
        zone = places[period.location_id].time_zone
        candidate = start
        if candidate < earliest:                    # jump to the first start on the step
            candidate += step * -((start - earliest) // step)
        while candidate + duration <= end and candidate <= latest:
            if (candidate, who) not in seen and not overlaps(candidate, candidate + duration):
                seen.add((candidate, who))
                slots.append(Slot(candidate, candidate + duration, who, period.location_id,
                                  zone))
                if limit:
                    stamp = candidate.timestamp()
                    if len(kept) < limit:
                        heapq.heappush(kept, -stamp)
                    elif stamp < -kept[0]:
                        heapq.heapreplace(kept, -stamp)
            candidate += step
    slots.sort(key=lambda s: (s.starts_at, s.clinician_id, s.location_id))
    return slots[:limit] if limit else slots


def local_days_around(instant, places):
    """The local dates `instant` may fall on in any of `places`' zones (for checking
    one requested time against the work periods of those days)."""
    found = set()
    for place in places.values():
        day = instant.astimezone(ZoneInfo(place.time_zone)).date()
        found.update({day - timedelta(days=1), day})
    return min(found), max(found)


def containing_period(starts_at, ends_at, periods, places):
    """(period start, period) of a work period occurrence that holds [starts_at,
    ends_at), or None."""
    if not places:
        return None
    first_day, last_day = local_days_around(starts_at, places)
    for start, end, period in work_intervals(periods, places, first_day, last_day):
        if start <= starts_at and ends_at <= end:
            return start, period
    return None
