"""What each tab beyond Basic may hold (marshmallow 3), a save of one loaded, and a
revert's result checked against it. The rules around the tabs are `domain/tabs.py`."""
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from services.charts.domain import field_rules
from services.charts.domain import records, tabs
from services.common.errors import InvalidInput
from services.common.schemas import StrictSchema, load, rule


def text(label, max_length=100, required=False, rules=()):
    return fields.String(
        required=required, allow_none=not required,
        validate=[validate.Length(max=max_length,
                                  error=f"{label} must be at most {max_length} characters."),
                  *rules],
        error_messages={"null": f"{label} is required.", "required": f"{label} is required.",
                        "invalid": f"{label} must be text."})


def choice(label, name, required=False):
    allowed = tabs.CHOICES[name]
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
        return {key: field_rules.normalize(key, value) for key, value in data.items()}


class Address(_Normalized):
    line1 = text("Address line 1", 200)
    line2 = text("Address line 2", 200)
    city = text("City")
    state = text("State")
    postal_code = text("Postal code", 20, rules=[rule(field_rules.postal_code_problem)])
    country = text("Country", 2, rules=[rule(field_rules.country_problem)])

    @validates_schema(skip_on_field_errors=False)
    def _postal_for_country(self, data, **kwargs):
        if data.get("postal_code"):
            message = field_rules.postal_code_problem(data["postal_code"], data.get("country"))
            if message:
                raise ValidationError(message, "postal_code")


class Person(_Normalized):
    """Emergency contact, responsible party, legal guardian."""
    name = text("Name", 200, required=True)
    relationship = text("Relationship", 100)
    phone_mobile = text("Mobile phone", 32, rules=[rule(field_rules.phone_problem)])
    phone_home = text("Home phone", 32, rules=[rule(field_rules.phone_problem)])
    phone_work = text("Work phone", 32, rules=[rule(field_rules.phone_problem)])
    email = text("Email", 254, rules=[rule(field_rules.email_problem)])
    address = fields.Nested(Address, allow_none=True)


class Subscriber(_Normalized):
    relationship = choice("Subscriber relationship", "subscriber_relationship", required=True)
    name = text("Subscriber name", 200)
    date_of_birth = day("Subscriber date of birth", rules=[rule(field_rules.date_of_birth_problem)])

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
    # stored in `clients` (records.DETAILS_COLUMNS), saved with this tab
    primary_language = text("Primary language", records.MAX_LENGTH["primary_language"])
    interpreter_needed = flag("Interpreter needed")
    race = fields.List(fields.String(validate=validate.OneOf(
        tabs.CHOICES["race"], error="Race: choose from " + ", ".join(tabs.CHOICES["race"]) + ".")),
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
        # the same trimming as Basic's columns get (field_rules.normalize)
        if isinstance(data, dict):
            data = {key: field_rules.normalize(key, value) if key in records.DETAILS_COLUMNS
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


SCHEMAS = {tabs.DETAILS: DetailsTab, tabs.CONTACTS: ContactsTab, tabs.INSURANCE: InsuranceTab,
           tabs.COMMUNICATION: CommunicationTab}


def load_save(tab, payload, settings):
    """Validate a save of `tab`: returns (the version read, {top key: JSON value})."""
    if tab not in SCHEMAS:
        raise InvalidInput("unknown_tab", "There is no such tab.", {"tab": ["Unknown tab."]})
    cmd = load(SCHEMAS[tab](), payload)
    version = cmd.pop("version")
    if tab == tabs.DETAILS and cmd.get("extra") is not None:
        cmd["extra"] = tabs.check_extra(cmd["extra"], settings.get("extra_fields") or [])
    return version, tabs.to_json(cmd)


def check_reverted(tab, values, path, settings):
    """The whole tab as a revert of `path` would leave it must still be valid (a
    coverage without its payer, another subscriber without a name…): InvalidInput
    ("revert_invalid") naming each problem otherwise. Practice-defined extras are checked
    only for the reverted key: the practice may have changed its questions since."""
    whole = {k: v for k, v in (values or {}).items() if k != "extra"}
    try:
        load(SCHEMAS[tab](), {"version": 1, **whole})
        if tab == tabs.DETAILS and path.startswith("extra."):
            key = path.split(".", 1)[1]
            if key in (values.get("extra") or {}):
                tabs.check_extra({key: values["extra"][key]}, settings.get("extra_fields") or [])
    except InvalidInput as exc:
        first = next(iter(exc.fields.values()), [""])[0]
        raise InvalidInput(
            "revert_invalid", f"This change cannot be undone on its own: the {tabs.TAB_TITLES[tab]} "
            f"details would no longer be valid ({first}). Edit the tab instead.",
            exc.fields) from None


class ExtraField(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{0,39}$", error="Key: lower-case letters, digits and _ (max 40)."))
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    type = fields.String(load_default="text", validate=validate.OneOf(tabs.EXTRA_TYPES))
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=None, allow_none=True)
    max_length = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1, max=2000))

    @validates_schema
    def _choices_for_choice(self, data, **kwargs):
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("A choice field needs its choices.", "choices")
