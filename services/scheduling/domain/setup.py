"""What a practice sets up: services, locations, work periods, blocks, the portal
scheduling settings and the cancellation policy — their values and the rules between
them (plain functions; the schemas carry these sentences to 422s).
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# staff permission to change the practice's setup (identity's roles: practice_admin)
MANAGE_PRACTICE_SETTINGS = "manage_practice_settings"

REQUESTABLE_BY = ("new", "existing", "both")
LOCATION_KINDS = ("office", "telehealth")
BLOCK_KINDS = ("time_off", "block")
RECURRENCES = ("none", "weekly", "biweekly", "monthly")
WHO_MAY_REQUEST = ("everyone", "existing", "no_one")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SERVICE_NAME_MAX, ADDRESS_MAX, LABEL_MAX, INSTRUCTIONS_MAX = 120, 300, 120, 2000
MAX_FEE_CENTS = 10_000_000          # $100,000: a typo guard, not a business rule
MAX_BLOCK_DAYS = 366                # one occurrence of a block (a long leave is one)

DEFAULT_SETTINGS = {
    "online_booking": False,        # the practice turns requests on
    "who_may_request": "existing",  # everyone (any client account) | existing | no_one
    "min_notice_minutes": 24 * 60,
    "horizon_days": 60,
    "slot_step_minutes": 15,
    "buffer_minutes": 0,
    "max_future_appointments": None,   # per client; None = no limit
    "instructions": None,
    # cancellation policy
    "clients_may_cancel": False,    # the practice turns portal cancellation on
    "late_cancel_hours": 24,        # inside it: the appointment stays, late_cancelled
    "no_cancel_hours": 0,           # inside it: the portal refuses (contact the practice)
    "late_cancel_fee_cents": None,  # None: the service's fee
}


def settings_of(stored):
    """The practice's settings: its saved values over the defaults."""
    return {**DEFAULT_SETTINGS, **(stored or {})}


def late_window_applies(settings):
    """Decision (docs/scheduling.md): when the no-cancel window is as long as the late
    one or longer, a client's cancellation is on time until the no-cancel window starts
    and refused after it — the late window never applies from the portal."""
    return settings["late_cancel_hours"] > settings["no_cancel_hours"]


def time_zone_problem(name):
    if not isinstance(name, str) or not name:
        return "Choose a time zone, e.g. America/New_York."
    if name not in _zones():
        return "Time zone must be an IANA name, e.g. America/New_York."
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "Time zone must be an IANA name, e.g. America/New_York."
    return None


_ZONES = None


def _zones():
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return _ZONES


def clock_time_problem(text):
    """A message when `text` is not a wall-clock time HH:MM (00:00–24:00)."""
    if text == "24:00":
        return None
    try:
        parse_clock(text)
    except (TypeError, ValueError):
        return "Give the time as HH:MM, e.g. 09:00."
    return None


def parse_clock(text):
    """"09:30" → time(9, 30) ("24:00" is said by minutes_of and combine)."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise ValueError(text)
    return time(int(text[:2]), int(text[3:]))


def minutes_of(text):
    """"09:30" → 570; "24:00" → 1440."""
    if text == "24:00":
        return 1440
    value = parse_clock(text)
    return value.hour * 60 + value.minute


def period_problems(period):
    """Field problems of one work period {weekday, starts, ends, effective_from,
    effective_until} beyond each field's own: {} when sound."""
    problems = {}
    if minutes_of(period["ends"]) <= minutes_of(period["starts"]):
        problems["ends"] = ["A period must end after it starts (split one that crosses "
                            "midnight in two)."]
    until = period.get("effective_until")
    if until is not None and until < period["effective_from"]:
        problems["effective_until"] = ["The period must end on or after its first day."]
    return problems


def overlapping_periods(periods):
    """Pairs of indexes of one clinician's periods that overlap in time on a weekday in
    a date range both are effective: a schedule says where a clinician is, once."""
    found = []
    for i, a in enumerate(periods):
        for j in range(i + 1, len(periods)):
            b = periods[j]
            if a["weekday"] != b["weekday"]:
                continue
            if not (minutes_of(a["starts"]) < minutes_of(b["ends"])
                    and minutes_of(b["starts"]) < minutes_of(a["ends"])):
                continue
            a_until = a.get("effective_until") or date.max
            b_until = b.get("effective_until") or date.max
            if a["effective_from"] <= b_until and b["effective_from"] <= a_until:
                found.append((i, j))
    return found


def block_problems(block):
    """Field problems of a block {starts_local, ends_local, recurrence, repeat_until}."""
    problems = {}
    starts, ends = block["starts_local"], block["ends_local"]
    if ends <= starts:
        problems["ends_at"] = ["Blocked time must end after it starts."]
    elif (ends - starts).days > MAX_BLOCK_DAYS:
        problems["ends_at"] = [f"One block may last at most {MAX_BLOCK_DAYS} days."]
    elif block["recurrence"] != "none":
        limit = {"weekly": 7, "biweekly": 14, "monthly": 28}[block["recurrence"]]
        if (ends - starts).days >= limit:
            problems["ends_at"] = ["A repeating block must end before it repeats."]
    until = block.get("repeat_until")
    if until is not None and until < starts.date():
        problems["repeat_until"] = ["Repeat until a day on or after the first one."]
    return problems


def local_naive(aware, zone):
    """An aware time as naive wall-clock time of `zone` (how blocks are stored)."""
    return aware.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def combine(day, clock_text, zone):
    """The wall-clock time `clock_text` of `day` in `zone`, aware ("24:00" → the next
    midnight)."""
    if clock_text == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(zone))
    return datetime.combine(day, parse_clock(clock_text), ZoneInfo(zone))
