"""The chart's tabs beyond Basic: Details, Contacts, Insurance, Communication.

Basic lives in the `clients` table (its columns, `domain.FIELDS`, `update_demographics`).
Every other tab is one JSON document per client and tab (`chart_tabs`), with a version of
its own: each tab is saved on its own, and a stale save of one tab never blocks another.
The Details tab also owns a column of `clients`, `primary_language`
(`domain.DETAILS_COLUMNS`): read and saved with the tab, stored beside Basic's columns.

A save is partial at the top level: the keys sent replace those keys (a nested object,
such as `primary` of Insurance, is replaced whole; `null` clears it). Changes are found
leaf by leaf on the flattened document (`primary.subscriber.name`), so revisions, events
and alerts name exactly the fields that changed. Plain rules and marshmallow schemas:
no nameko, no SQL.
"""
import uuid
from datetime import date
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from services.charts import domain
from services.common.errors import Forbidden, InvalidInput
from services.common.schemas import StrictSchema, rule

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

_TIME_ZONES = None


def time_zone_problem(value):
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = available_timezones()
    if value not in _TIME_ZONES:
        return "Choose a time zone from the list, such as America/New_York."
    return None



def text(label, max_length=100, required=False, rules=()):
    return fields.String(
        required=required, allow_none=not required,
        validate=[validate.Length(max=max_length,
                                  error=f"{label} must be at most {max_length} characters."),
                  *rules],
        error_messages={"null": f"{label} is required.", "required": f"{label} is required.",
                        "invalid": f"{label} must be text."})


def choice(label, name, required=False):
    allowed = CHOICES[name]
    return fields.String(required=required, allow_none=not required,
                         validate=validate.OneOf(allowed, error=f"{label}: choose one of "
                                                 + ", ".join(allowed) + "."),
                         error_messages={"null": f"{label} is required.",
                                         "required": f"{label} is required."})


def flag(label):
    return fields.Boolean(allow_none=True,
                          error_messages={"invalid": f"{label} must be true or false."})


def day(label, required=False, rules=()):
    return fields.Date(required=required, allow_none=not required, validate=list(rules),
                       error_messages={"invalid": f"Enter the {label.lower()} as YYYY-MM-DD.",
                                       "null": f"{label} is required.",
                                       "required": f"{label} is required."})


class _Normalized(StrictSchema):
    @pre_load
    def _normalize(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {key: domain.normalize(key, value) for key, value in data.items()}


class Address(_Normalized):
    line1 = text("Address line 1", 200)
    line2 = text("Address line 2", 200)
    city = text("City")
    state = text("State")
    postal_code = text("Postal code", 20, rules=[rule(domain.postal_code_problem)])
    country = text("Country", 2, rules=[rule(domain.country_problem)])

    @validates_schema(skip_on_field_errors=False)
    def _postal_for_country(self, data, **kwargs):
        if data.get("postal_code"):
            message = domain.postal_code_problem(data["postal_code"], data.get("country"))
            if message:
                raise ValidationError(message, "postal_code")


class Person(_Normalized):
    """Emergency contact, responsible party, legal guardian."""
    name = text("Name", 200, required=True)
    relationship = text("Relationship", 100)
    phone_mobile = text("Mobile phone", 32, rules=[rule(domain.phone_problem)])
    phone_home = text("Home phone", 32, rules=[rule(domain.phone_problem)])
    phone_work = text("Work phone", 32, rules=[rule(domain.phone_problem)])
    email = text("Email", 254, rules=[rule(domain.email_problem)])
    address = fields.Nested(Address, allow_none=True)


class Subscriber(_Normalized):
    relationship = choice("Subscriber relationship", "subscriber_relationship", required=True)
    name = text("Subscriber name", 200)
    date_of_birth = day("Subscriber date of birth", rules=[rule(domain.date_of_birth_problem)])

    @validates_schema
    def _other_person_needs_name_and_birth_date(self, data, **kwargs):
        if data.get("relationship") != "self":
            problems = {}
            if not data.get("name"):
                problems["name"] = ["Enter the subscriber's name when it is not the client."]
            if not data.get("date_of_birth"):
                problems["date_of_birth"] = [
                    "Enter the subscriber's date of birth when it is not the client."]
            if problems:
                raise ValidationError(problems)


class Coverage(_Normalized):
    payer = text("Insurance company", 200, required=True)
    member_id = text("Member id", 64, required=True)
    group_number = text("Group number", 64)
    plan = text("Plan", 200)
    subscriber = fields.Nested(Subscriber, allow_none=True)
    effective_from = day("Effective from")
    effective_to = day("Effective to")
    card_front_document_id = fields.UUID(allow_none=True, error_messages={
        "invalid": "Card front must be the id of an uploaded document."})
    card_back_document_id = fields.UUID(allow_none=True, error_messages={
        "invalid": "Card back must be the id of an uploaded document."})

    @validates_schema(skip_on_field_errors=False)
    def _dates_in_order(self, data, **kwargs):
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            raise ValidationError("Effective to must be on or after effective from.",
                                  "effective_to")


VERSION_ERRORS = {
    "invalid": "Version must be a whole number.",
    "required": "Send the version of the page you read, so that a change made since is "
                "not overwritten.",
    "null": "Send the version of the page you read, so that a change made since is not "
            "overwritten."}


class _Tab(StrictSchema):
    # required: without it a save could silently overwrite one made since it was read
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             error_messages=VERSION_ERRORS)


class DetailsTab(_Tab):
    # stored in `clients` (domain.DETAILS_COLUMNS), saved with this tab
    primary_language = text("Primary language", domain.MAX_LENGTH["primary_language"])
    interpreter_needed = flag("Interpreter needed")
    race = fields.List(fields.String(validate=validate.OneOf(
        CHOICES["race"], error="Race: choose from " + ", ".join(CHOICES["race"]) + ".")),
        allow_none=True)
    ethnicity = choice("Ethnicity", "ethnicity")
    marital_status = choice("Marital status", "marital_status")
    employment = choice("Employment", "employment")
    education = choice("Education", "education")
    smoking_status = choice("Smoking status", "smoking_status")
    # practice-defined fields, checked against the practice's settings (check_extra)
    extra = fields.Dict(keys=fields.String(), allow_none=True)

    @pre_load
    def _normalize_columns(self, data, **kwargs):
        # the same trimming as Basic's columns get (domain.normalize)
        if isinstance(data, dict):
            data = {key: domain.normalize(key, value) if key in domain.DETAILS_COLUMNS
                    else value for key, value in data.items()}
        return data


class ContactsTab(_Tab):
    emergency_contact = fields.Nested(Person, allow_none=True)
    responsible_party = fields.Nested(Person, allow_none=True)
    legal_guardian = fields.Nested(Person, allow_none=True)


class InsuranceTab(_Tab):
    primary = fields.Nested(Coverage, allow_none=True)
    secondary = fields.Nested(Coverage, allow_none=True)


class CommunicationTab(_Tab):
    email_ok = flag("May we email you")
    text_ok = flag("May we text you")
    voicemail_ok = flag("May we leave a voicemail")
    appointment_reminders = flag("Appointment reminders")


SCHEMAS = {DETAILS: DetailsTab, CONTACTS: ContactsTab, INSURANCE: InsuranceTab,
           COMMUNICATION: CommunicationTab}


def top_keys(tab):
    return tuple(name for name in SCHEMAS[tab]().fields if name != "version")


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
    return [domain.Change(name, before.get(name), after.get(name))
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
    return domain.as_text(value)


# -- loading a save --------------------------------------------------------------------

def load_save(tab, payload, settings):
    """Validate a save of `tab`: returns (the version read, {top key: JSON value})."""
    from services.common.schemas import load
    if tab not in SCHEMAS:
        raise InvalidInput("unknown_tab", "There is no such tab.", {"tab": ["Unknown tab."]})
    cmd = load(SCHEMAS[tab](), payload)
    version = cmd.pop("version")
    if tab == DETAILS and cmd.get("extra") is not None:
        cmd["extra"] = check_extra(cmd["extra"], settings.get("extra_fields") or [])
    return version, to_json(cmd)


TAB_TITLES = {DETAILS: "Details", CONTACTS: "Contacts", INSURANCE: "Insurance",
              COMMUNICATION: "Communication preferences"}


def check_reverted(tab, values, path, settings):
    """The whole tab as a revert of `path` would leave it must still be valid (a
    coverage without its payer, another subscriber without a name…): InvalidInput
    ("revert_invalid") naming each problem otherwise. Practice-defined extras are checked
    only for the reverted key: the practice may have changed its questions since."""
    from services.common.schemas import load
    whole = {k: v for k, v in (values or {}).items() if k != "extra"}
    try:
        load(SCHEMAS[tab](), {"version": 1, **whole})
        if tab == DETAILS and path.startswith("extra."):
            key = path.split(".", 1)[1]
            if key in (values.get("extra") or {}):
                check_extra({key: values["extra"][key]}, settings.get("extra_fields") or [])
    except InvalidInput as exc:
        first = next(iter(exc.fields.values()), [""])[0]
        raise InvalidInput(
            "revert_invalid", f"This change cannot be undone on its own: the {TAB_TITLES[tab]} "
            f"details would no longer be valid ({first}). Edit the tab instead.",
            exc.fields) from None


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


class ExtraField(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{0,39}$", error="Key: lower-case letters, digits and _ (max 40)."))
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    type = fields.String(load_default="text", validate=validate.OneOf(EXTRA_TYPES))
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=None, allow_none=True)
    max_length = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1, max=2000))

    @validates_schema
    def _choices_for_choice(self, data, **kwargs):
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("A choice field needs its choices.", "choices")


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
