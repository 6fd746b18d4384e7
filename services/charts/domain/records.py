"""The rules of a client record (the Basic tab's columns of `clients`): what it must
hold as a whole, how a save becomes revisions, and when a save is stale.

Plain functions: no nameko, no SQL. Values are never put in exception texts that could
reach a log; messages describe what is expected, not what was given.
"""
from dataclasses import dataclass
from datetime import date

from services.charts.domain.field_rules import postal_code_problem
from services.common.errors import Conflict, Forbidden, InvalidInput

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
PORTAL, STAFF_SOURCE = "portal", "staff"
# Who the client is: the date of birth proves it at sign-up (identity's invitation check).
# Clients and contacts see them but never change them; the practice corrects them.
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")
IDENTITY_READ_ONLY = ("Legal name and date of birth can only be changed by the practice. "
                      "Please contact the practice to correct them.")


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


def read_only_fields(actor):
    """The record's fields `actor` may see but not change: the identity fields for a
    client or contact, none for staff and Haven's own services."""
    return list(IDENTITY_FIELDS) if actor.kind in ("client", "contact") else []


def refuse_identity_change(actor, changes):
    """A client or contact may not change the legal name or date of birth, alone: the
    practice does (Forbidden("identity_read_only"), naming each field). Sending the value
    the record already holds is no change, and is not refused."""
    locked = [c.field for c in changes if c.field in read_only_fields(actor)]
    if locked:
        raise Forbidden("identity_read_only", IDENTITY_READ_ONLY,
                        {name: ["Only the practice can change this."] for name in locked})


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
