"""The rules of a client record: validation, diffing into revisions, who may do what.

Plain functions: no nameko, no SQL. Values are never put in exception texts that could
reach a log; messages describe what is expected, not what was given.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from services.common.clock import utcnow
from services.common.errors import Conflict, InvalidInput

# The editable columns of `clients`, in the order the contract lists them.
FIELDS = (
    "first_name", "last_name", "preferred_name", "date_of_birth", "email",
    "phone_mobile", "phone_home", "phone_work", "address_line1", "address_line2",
    "city", "state", "postal_code", "country", "primary_language",
    # added with the portal's Basic tab (issue 5)
    "pronouns", "sex", "gender_identity", "phone_mobile_texts", "phone_home_texts",
    "phone_work_texts", "time_zone",
)
REQUIRED = ("first_name", "last_name")
PHONE_FIELDS = ("phone_mobile", "phone_home", "phone_work")
MAX_LENGTH = {
    "first_name": 100, "last_name": 100, "preferred_name": 100, "email": 254,
    "phone_mobile": 32, "phone_home": 32, "phone_work": 32, "address_line1": 200,
    "address_line2": 200, "city": 100, "state": 100, "postal_code": 20, "country": 2,
    "primary_language": 100, "pronouns": 50, "gender_identity": 100, "time_zone": 64,
}
# Kept in `clients` beside Basic's columns but part of the Details tab (issue 5): every
# change of them moves the Details tab's version and is a revision of tab "details",
# whichever save made it, so a stale Details save always sees it (docs/charts.md).
DETAILS_COLUMNS = ("primary_language",)
TAB_BASIC = "basic"
PORTAL, STAFF_SOURCE = "portal", "staff"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_POSTAL_BY_COUNTRY = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "a US ZIP code such as 12345 or 12345-6789"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), "a Canadian postal code such as K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "a UK postcode such as SW1A 1AA"),
}
_POSTAL_ANY = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,9}$")


# -- single-field rules: each returns a message for people, or None -------------------

def latest_today(now=None):
    """The latest calendar date anywhere on Earth (UTC+14): a birth date after it is in
    the future for everyone, whatever the practice's or client's time zone."""
    return ((now or utcnow()) + timedelta(hours=14)).date()


def date_of_birth_problem(value, today=None):
    if value > (today or latest_today()):
        return "Date of birth cannot be in the future."
    if value < EARLIEST_BIRTH_DATE:
        return "Date of birth must be on or after 1900-01-01."
    return None


def email_problem(value):
    if len(value) > MAX_LENGTH["email"] or not _EMAIL.match(value):
        return "Enter an email address such as name@example.com."
    return None


def phone_problem(value):
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 7 <= digits <= 15:
        return ("Enter a phone number of 7 to 15 digits; only digits, spaces, "
                "a leading +, brackets and dashes are allowed.")
    return None


def country_problem(value):
    if not _COUNTRY.match(value):
        return "Use the two-letter country code, such as US or CA."
    return None


def postal_code_problem(value, country=None):
    rule = _POSTAL_BY_COUNTRY.get((country or "").upper())
    if rule is not None:
        pattern, example = rule
        if not pattern.match(value.upper()):
            return f"Enter {example}."
        return None
    if not _POSTAL_ANY.match(value.upper()):
        return "Enter a postal code of 2 to 10 letters, digits, spaces or dashes."
    return None


def normalize(field, value):
    """Trimmed text, blanks as None, codes upper-cased; other values unchanged."""
    if isinstance(value, str):
        value = " ".join(value.split())  # trim and collapse inner whitespace
        if value == "":
            return None
        if field in ("country", "postal_code"):
            value = value.upper()
    return value


# -- the whole record -----------------------------------------------------------------

def check_record(values):
    """Rules that need more than one field (the record as it would be after the save)."""
    problems = {}
    for name in REQUIRED:
        if not values.get(name):
            problems[name] = [f"{name.replace('_', ' ').capitalize()} is required."]
    postal = values.get("postal_code")
    if postal:
        message = postal_code_problem(postal, values.get("country"))
        if message:
            problems["postal_code"] = [message]
    if problems:
        field, messages = next(iter(problems.items()))
        raise InvalidInput("invalid_input", messages[0], problems)


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


def diff(current, changes):
    """The fields whose value a save really changes, in FIELDS order."""
    return [Change(name, current.get(name), changes[name])
            for name in FIELDS
            if name in changes and as_text(current.get(name)) != as_text(changes[name])]


def as_text(value):
    """How a value is kept in a revision: text, dates as YYYY-MM-DD, None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_json(value):
    """A basic field's value as revisions keep it for a revert: JSON (dates as text)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def source_for(actor):
    """portal when a client or contact made the change, staff otherwise."""
    return PORTAL if actor.kind in ("client", "contact") else STAFF_SOURCE


def client_name(values):
    return " ".join(part for part in (values.get("first_name"), values.get("last_name")) if part)


def refuse_stale(given_version, current_version, changed_since):
    """A save based on an older read is refused; `changed` names what moved since."""
    if given_version == current_version:
        return
    raise Conflict(
        "stale_version",
        "These details were changed by someone else after you opened them. "
        "Review the current details and save again.",
        {"changed": sorted(set(changed_since), key=_field_order)})


def refuse_stale_record(given_version, current_version, changed_since, would_change):
    """`update_demographics`' check. The record's `version` (Basic's) moves with every
    change of its columns: Basic's, and the Details columns it keeps (DETAILS_COLUMNS),
    whichever tab saved them — but a Details column's revision is of tab details, so
    `changed_since` (Basic's fields changed after `given_version`) does not name it. A
    gap with no Basic field changed since is therefore Details-column changes only: it
    makes stale only a save that would change such a column (an older page, "my
    details", overwriting a language saved on Details since it was read); a save of
    Basic's fields alone is never refused because another tab moved."""
    if given_version < current_version and not changed_since:
        moved = [name for name in DETAILS_COLUMNS if name in would_change]
        if not moved:
            return
        changed_since = moved
    refuse_stale(given_version, current_version, changed_since)


def _field_order(name):
    return FIELDS.index(name) if name in FIELDS else len(FIELDS)


# -- who may do what ------------------------------------------------------------------

def require_reader(actor, client_id):
    """Staff with view_clients, or an actor holding that client (any permission)."""
    if actor.is_staff:
        actor.require_staff("view_clients")
    else:
        actor.require_client(client_id)


def require_editor(actor, client_id):
    """Staff with edit_clients, or an actor holding the client with `*` or
    `manage_information`."""
    if actor.is_staff:
        actor.require_staff("edit_clients")
    else:
        actor.require_client(client_id, "manage_information")
