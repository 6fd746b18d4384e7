"""The chart's tabs beyond Basic: Details, Contacts, Insurance, Communication.

Basic lives in the `clients` table (its columns, `records.FIELDS`, `update_demographics`).
Every other tab is one JSON document per client and tab (`chart_tabs`), with a version of
its own: each tab is saved on its own, and a stale save of one tab never blocks another.
The Details tab also owns a column of `clients`, `primary_language`
(`records.DETAILS_COLUMNS`): read and saved with the tab, stored beside Basic's columns.

A save is partial at the top level: the keys sent replace those keys (a nested object,
such as `primary` of Insurance, is replaced whole; `null` clears it). Changes are found
leaf by leaf on the flattened document (`primary.subscriber.name`), so revisions, events
and alerts name exactly the fields that changed. What each tab may hold is its schema
(`schemas/tabs.py`); these are the rules around it. Plain functions: no nameko, no SQL.
"""
import uuid
from datetime import date

from services.charts.domain import records
from services.common.errors import Forbidden, InvalidInput, NotFound

BASIC, DETAILS, CONTACTS, INSURANCE, COMMUNICATION = (
    "basic", "details", "contacts", "insurance", "communication")
TABS = (BASIC, DETAILS, CONTACTS, INSURANCE, COMMUNICATION)
JSON_TABS = (DETAILS, CONTACTS, INSURANCE, COMMUNICATION)

DECLINED = "declined"
CHOICES = {
    "race": ("american_indian_or_alaska_native", "asian", "black_or_african_american",
             "native_hawaiian_or_other_pacific_islander", "white", "other", DECLINED),
    "ethnicity": ("hispanic_or_latino", "not_hispanic_or_latino", DECLINED),
    "marital_status": ("single", "married", "domestic_partner", "separated", "divorced",
                       "widowed", "other", DECLINED),
    "employment": ("employed_full_time", "employed_part_time", "self_employed", "unemployed",
                   "student", "retired", "unable_to_work", "other", DECLINED),
    "education": ("less_than_high_school", "high_school", "some_college", "associate",
                  "bachelor", "master", "doctorate", "other", DECLINED),
    "smoking_status": ("never", "former", "current_some_days", "current_every_day",
                       "unknown", DECLINED),
    "sex": ("female", "male", "intersex", "unknown", DECLINED),
    "subscriber_relationship": ("self", "spouse", "parent", "child", "other"),
}
EXTRA_TYPES = ("text", "choice", "boolean", "date")

TAB_TITLES = {DETAILS: "Details", CONTACTS: "Contacts", INSURANCE: "Insurance",
              COMMUNICATION: "Communication preferences"}


# -- JSON form ------------------------------------------------------------------------

def to_json(value):
    """Loaded (typed) values as they are kept in the JSON document: dates as text."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def flatten(values, prefix=""):
    """{"primary": {"payer": "Aetna"}} → {"primary.payer": "Aetna"}; lists are leaves."""
    flat = {}
    for key, value in (values or {}).items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name))
        elif value not in (None, {}, []):
            flat[name] = value
    return flat


def set_path(values, path, value):
    """A copy of `values` with the leaf at `path` set (None removes it)."""
    result = dict(values or {})
    head, _, rest = path.partition(".")
    if rest:
        child = result.get(head) if isinstance(result.get(head), dict) else {}
        result[head] = set_path(child, rest, value)
    elif value is None:
        result.pop(head, None)
    else:
        result[head] = value
    return result


def diff(current, merged):
    """Changes between two JSON documents, leaf by leaf, in a stable order."""
    before, after = flatten(current), flatten(merged)
    return [records.Change(name, before.get(name), after.get(name))
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)]


def as_text(value):
    """How a leaf is shown in a revision: booleans as yes/no, lists joined."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return records.as_text(value)


def check_extra(values, definitions):
    """Practice-defined Details fields: only those the practice asks for, each of its type."""
    by_key = {d["key"]: d for d in definitions}
    problems, clean = {}, {}
    for key, value in values.items():
        definition = by_key.get(key)
        name = f"extra.{key}"
        if definition is None:
            problems[name] = ["This practice does not ask for that."]
            continue
        label = definition.get("label") or key
        if value is None or value == "":
            continue
        kind = definition.get("type", "text")
        if kind == "boolean" and not isinstance(value, bool):
            problems[name] = [f"{label} must be yes or no."]
        elif kind == "choice" and value not in (definition.get("choices") or []):
            problems[name] = [f"{label}: choose one of " + ", ".join(definition["choices"]) + "."]
        elif kind == "date":
            try:
                date.fromisoformat(str(value))
            except ValueError:
                problems[name] = [f"Enter {label.lower()} as YYYY-MM-DD."]
        elif kind == "text" and (not isinstance(value, str)
                                 or len(value) > int(definition.get("max_length") or 200)):
            problems[name] = [f"{label} must be text of at most "
                              f"{int(definition.get('max_length') or 200)} characters."]
        if name not in problems:
            clean[key] = " ".join(value.split()) if isinstance(value, str) else value
    if problems:
        first = next(iter(problems.values()))[0]
        raise InvalidInput("invalid_input", first, problems)
    return clean


# -- who may do what ---------------------------------------------------------------------

INSURANCE_READ_ONLY = ("Insurance details can only be changed by the practice. "
                       "Please call the practice to update them.")


def may_edit(actor, tab, settings):
    """(editable, reason code or None) for an actor who may edit the chart at all."""
    if tab == INSURANCE and not (actor.is_staff or actor.is_system) \
            and not settings.get("allow_clients_update_insurance"):
        return False, "insurance_read_only"
    return True, None


def require_tab_editable(actor, tab, settings):
    editable, reason = may_edit(actor, tab, settings)
    if not editable:
        raise Forbidden(reason, INSURANCE_READ_ONLY)


def shown_tabs(actor, settings):
    """The tabs `actor` is offered. Staff and Haven's own services: every tab. Clients and
    contacts: Insurance only while the practice lets clients update it — with the switch
    off the practice keeps insurance itself, and the tab is not there at all (not shown
    read-only)."""
    if actor.is_staff or actor.is_system or settings.get("allow_clients_update_insurance"):
        return TABS
    return tuple(tab for tab in TABS if tab != INSURANCE)


def require_tab_shown(actor, tab, settings):
    """NotFound("unknown_tab") for a tab there is none of, NotFound("tab_not_offered") for
    one the practice does not offer `actor`."""
    if tab not in TABS:
        raise NotFound("unknown_tab", "There is no such tab.")
    if tab not in shown_tabs(actor, settings):
        raise NotFound("tab_not_offered", "This practice keeps insurance details itself: "
                       "there is no Insurance section in the portal. Please call the "
                       "practice about your insurance.")

