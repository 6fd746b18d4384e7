"""Contact grants and guardian age bands (docs/identity.md, "Contacts and grants").

A contact — a guardian or responsible party who need not be a client — acts for a client
with the permissions staff chose for that client. A grant made while the client was a
minor is a *guardian* grant and follows the practice's age bands (after Epic MyChart):

- before the `full_until` birthday (12): everything granted;
- from it until the `ends_at` birthday (18): what was granted minus the practice's
  confidential permissions;
- from the `ends_at` birthday: nothing, unless staff renewed the grant (`renewed_until`,
  a date, inclusive), when what was granted applies again (an adult chose to keep it).

Ages are counted on the practice's local calendar date, so a band changes at local
midnight of the birthday. Someone born on 29 February has their birthday on 1 March in
common years (the day after 28 February, as most US state laws count it).
Plain functions: no nameko, no SQL.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

VIEW_APPOINTMENTS = "view_appointments"
MANAGE_INFORMATION = "manage_information"
MANAGE_DOCUMENTATION = "manage_documentation"
MESSAGE_CLINICIAN = "message_clinician"
BILLING = "billing"
PERMISSIONS = (VIEW_APPOINTMENTS, MANAGE_INFORMATION, MANAGE_DOCUMENTATION, MESSAGE_CLINICIAN,
               BILLING)

# What a guardian of a client in the partial band does not see by default: the
# client's conversations with the clinician and the clinical paperwork.
DEFAULT_CONFIDENTIAL = (MESSAGE_CLINICIAN, MANAGE_DOCUMENTATION)
DEFAULT_FULL_UNTIL = 12
DEFAULT_ENDS_AT = 18
DEFAULT_OWN_ACCESS_FROM = 12

FULL, PARTIAL, ENDED, RENEWED, ADULT = "full", "partial", "ended", "renewed", "not_guardian"


def local_today(now, time_zone):
    """The practice's calendar date at the UTC instant `now`."""
    return now.astimezone(ZoneInfo(time_zone or "UTC")).date()


def age_on(date_of_birth, today):
    """Whole years on `today` (birthday counted from its local midnight)."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def normalize(permissions):
    """Known permissions, each once, in the canonical order."""
    held = set(permissions or ())
    return [p for p in PERMISSIONS if p in held]


def band(date_of_birth, today, full_until, ends_at, guardian=True, renewed_until=None):
    if not guardian or date_of_birth is None:
        return ADULT
    age = age_on(date_of_birth, today)
    if age < full_until:
        return FULL
    if age < ends_at:
        return PARTIAL
    if renewed_until is not None and today <= renewed_until:
        return RENEWED
    return ENDED


def effective(permissions, date_of_birth, today, full_until=DEFAULT_FULL_UNTIL,
              ends_at=DEFAULT_ENDS_AT, confidential=DEFAULT_CONFIDENTIAL, guardian=True,
              renewed_until=None):
    """What a grant allows on `today`: a list in canonical order ([] = no access)."""
    granted = normalize(permissions)
    current = band(date_of_birth, today, full_until, ends_at, guardian, renewed_until)
    if current == ENDED:
        return []
    if current == PARTIAL:
        hidden = set(confidential if confidential is not None else DEFAULT_CONFIDENTIAL)
        return [p for p in granted if p not in hidden]
    return granted


def is_guardian_grant(date_of_birth, today, ends_at=DEFAULT_ENDS_AT):
    """A grant made while the client is a minor follows the age bands."""
    return date_of_birth is not None and age_on(date_of_birth, today) < ends_at


def narrows(old, new):
    """True when `new` takes away something `old` allowed."""
    return bool(set(old or ()) - set(new or ()))


def parse_date(value):
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def own_access_opens_on(date_of_birth, from_age):
    """The local date a client's own sign-in starts working: the `from_age` birthday
    (29 February → 1 March in common years, as `age_on` counts it)."""
    year = date_of_birth.year + from_age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:          # 29 February in a common year
        return date(year, 3, 1)


def own_access_open(date_of_birth, today, from_age=DEFAULT_OWN_ACCESS_FROM):
    """True when a client may sign in to their own account on the practice's date
    `today`: from their `from_age` birthday on. An unknown date of birth does not bar
    anyone (identity knows it only from the chart at invitation or from staff)."""
    if date_of_birth is None or not from_age:
        return True
    return age_on(date_of_birth, today) >= from_age
