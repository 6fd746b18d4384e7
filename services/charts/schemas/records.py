"""The client record's RPC payloads and results, its revisions and their review
(marshmallow 3)."""
from marshmallow import fields, pre_load, validate

from services.charts.domain import field_rules, records, tabs
from services.charts.schemas.tabs import VERSION_ERRORS
from services.common.schemas import StrictSchema, rule


def _text(name, required=False, nullable=None, rules=()):
    label = name.replace("_", " ").capitalize()
    return fields.String(
        required=required, allow_none=(not required) if nullable is None else nullable,
        validate=[validate.Length(max=records.MAX_LENGTH[name],
                                  error=f"{label} must be at most {{max}} characters."),
                  *rules],
        error_messages={"null": f"{label} is required.", "required": f"{label} is required.",
                        "invalid": f"{label} must be text."})


class _Demographics(StrictSchema):
    first_name = _text("first_name", required=True)
    last_name = _text("last_name", required=True)
    preferred_name = _text("preferred_name")
    date_of_birth = fields.Date(
        allow_none=True, validate=rule(field_rules.date_of_birth_problem),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    email = _text("email", rules=[rule(field_rules.email_problem)])
    phone_mobile = _text("phone_mobile", rules=[rule(field_rules.phone_problem)])
    phone_home = _text("phone_home", rules=[rule(field_rules.phone_problem)])
    phone_work = _text("phone_work", rules=[rule(field_rules.phone_problem)])
    address_line1 = _text("address_line1")
    address_line2 = _text("address_line2")
    city = _text("city")
    state = _text("state")
    # the country-specific format is checked on the whole record (records.check_record)
    postal_code = _text("postal_code", rules=[rule(field_rules.postal_code_problem)])
    country = _text("country", rules=[rule(field_rules.country_problem)])
    primary_language = _text("primary_language")
    pronouns = _text("pronouns")
    sex = fields.String(allow_none=True, validate=validate.OneOf(
        tabs.CHOICES["sex"], error="Sex: choose one of " + ", ".join(tabs.CHOICES["sex"]) + "."))
    gender_identity = _text("gender_identity")
    phone_mobile_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (mobile) must be true or false."})
    phone_home_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (home) must be true or false."})
    phone_work_texts = fields.Boolean(allow_none=True, error_messages={
        "invalid": "May receive texts (work) must be true or false."})
    time_zone = _text("time_zone", rules=[rule(field_rules.time_zone_problem)])

    @pre_load
    def _normalize(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {key: field_rules.normalize(key, value) for key, value in data.items()}


class CreateClient(_Demographics):
    """`create_client` payload. `id` is optional: a caller that retries with the same id
    gets the record it already made (an idempotency key)."""
    id = fields.UUID(load_default=None, error_messages={"invalid": "Id must be a UUID."})


class UpdateDemographics(_Demographics):
    """`update_demographics` payload: any of the fields (partial), and the `version` the
    caller read."""
    # first and last name may be left out, but never blanked
    first_name = _text("first_name", nullable=False)
    last_name = _text("last_name", nullable=False)
    # required: without it a save could silently overwrite one made since it was read
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             error_messages=VERSION_ERRORS)


class ListClients(StrictSchema):
    query = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    # the next page of the same order (the gateway walks the whole practice in pages)
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    # only these clients (names for one page of another service's list)
    ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                      load_default=None, validate=validate.Length(max=200))


class Client(StrictSchema):
    """A client record as every RPC returns it."""
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    preferred_name = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    email = fields.String(allow_none=True)
    phone_mobile = fields.String(allow_none=True)
    phone_home = fields.String(allow_none=True)
    phone_work = fields.String(allow_none=True)
    address_line1 = fields.String(allow_none=True)
    address_line2 = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    primary_language = fields.String(allow_none=True)
    pronouns = fields.String(allow_none=True)
    sex = fields.String(allow_none=True)
    gender_identity = fields.String(allow_none=True)
    phone_mobile_texts = fields.Boolean(allow_none=True)
    phone_home_texts = fields.Boolean(allow_none=True)
    phone_work_texts = fields.Boolean(allow_none=True)
    time_zone = fields.String(allow_none=True)
    version = fields.Integer()
    updated_at = fields.DateTime()


class ClientSummary(StrictSchema):
    """A row of `list_clients`."""
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    email = fields.String(allow_none=True)


class Revision(StrictSchema):
    id = fields.String()
    client_id = fields.String()
    batch_id = fields.String()
    version = fields.Integer()
    field = fields.String()
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    actor_kind = fields.String()
    actor_id = fields.String(allow_none=True)
    source = fields.String()
    changed_at = fields.DateTime()
    tab = fields.String()



class ListChanges(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class MarkReviewed(StrictSchema):
    batch_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                            required=True, validate=validate.Length(min=1, max=500))


class RevertChange(StrictSchema):
    revision_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
