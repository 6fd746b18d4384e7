"""RPC payloads and results of charts, and the data of its events (marshmallow 3)."""
from marshmallow import ValidationError, fields, pre_load, validate

from services.charts import domain
from services.common.schemas import StrictSchema


def _rule(problem):
    """A marshmallow validator from a domain rule that returns a message or None."""
    def check(value):
        message = problem(value)
        if message:
            raise ValidationError(message)
    return check


def _text(name, required=False, nullable=None, rules=()):
    label = name.replace("_", " ").capitalize()
    return fields.String(
        required=required, allow_none=(not required) if nullable is None else nullable,
        validate=[validate.Length(max=domain.MAX_LENGTH[name],
                                  error=f"{label} must be at most {{max}} characters."),
                  *rules],
        error_messages={"null": f"{label} is required.", "required": f"{label} is required.",
                        "invalid": f"{label} must be text."})


class _Demographics(StrictSchema):
    first_name = _text("first_name", required=True)
    last_name = _text("last_name", required=True)
    preferred_name = _text("preferred_name")
    date_of_birth = fields.Date(
        allow_none=True, validate=_rule(domain.date_of_birth_problem),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    email = _text("email", rules=[_rule(domain.email_problem)])
    phone_mobile = _text("phone_mobile", rules=[_rule(domain.phone_problem)])
    phone_home = _text("phone_home", rules=[_rule(domain.phone_problem)])
    phone_work = _text("phone_work", rules=[_rule(domain.phone_problem)])
    address_line1 = _text("address_line1")
    address_line2 = _text("address_line2")
    city = _text("city")
    state = _text("state")
    # the country-specific format is checked on the whole record (domain.check_record)
    postal_code = _text("postal_code", rules=[_rule(domain.postal_code_problem)])
    country = _text("country", rules=[_rule(domain.country_problem)])
    primary_language = _text("primary_language")

    @pre_load
    def _normalize(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {key: domain.normalize(key, value) for key, value in data.items()}


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
    version = fields.Integer(strict=True, validate=validate.Range(min=1),
                             error_messages={"invalid": "Version must be a whole number."})


class ListClients(StrictSchema):
    query = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


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


# -- event data (the published catalog) -----------------------------------------------

class ClientCreatedData(StrictSchema):
    client_id = fields.String(required=True)
    client_name = fields.String(required=True)


class ClientUpdatedData(StrictSchema):
    """Names of the changed fields, never their values."""
    client_id = fields.String(required=True)
    client_name = fields.String(required=True)
    tab = fields.String(required=True, validate=validate.OneOf([domain.TAB_BASIC]))
    fields_ = fields.List(fields.String(validate=validate.OneOf(domain.FIELDS)),
                          required=True, data_key="fields")
    batch_id = fields.String(required=True)
    source = fields.String(required=True,
                           validate=validate.OneOf([domain.PORTAL, domain.STAFF_SOURCE]))
