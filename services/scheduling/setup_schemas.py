"""RPC payloads and results of the practice's setup: services, locations, work
schedules, blocks, the portal scheduling settings and the cancellation policy."""
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.common.schemas import StrictSchema, rule
from services.scheduling.domain import setup

CPT = r"^[0-9]{4}[0-9A-Z]$"


def _text(label, maximum, required=True):
    kwargs = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.String(validate=validate.Length(
        min=1 if required else 0, max=maximum,
        error=f"{label} must be 1 to {{max}} characters." if required
        else f"{label} must be at most {{max}} characters."),
        error_messages={"required": f"Give the {label.lower()}.",
                        "null": f"Give the {label.lower()}."}, **kwargs)


def _minutes(label, low, high, messages=None, **kwargs):
    return fields.Integer(strict=True, validate=validate.Range(
        min=low, max=high, error=f"{label} must be {{min}} to {{max}}."),
        error_messages={"invalid": f"{label} must be a whole number.", **(messages or {})},
        **kwargs)


class ServiceInput(StrictSchema):
    name = _text("Name", setup.SERVICE_NAME_MAX)
    duration_minutes = _minutes("Duration (minutes)", 10, 480, required=True,
                                messages={"required": "Give the duration in minutes."})
    cpt_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        CPT, error="The billing code must be a CPT code: five characters, e.g. 90834."))
    fee_cents = fields.Integer(strict=True, load_default=0, validate=validate.Range(
        min=0, max=setup.MAX_FEE_CENTS, error="The fee must be 0 to $100,000, in cents."),
        error_messages={"invalid": "Give the fee in whole cents, e.g. 15000 for $150."})
    requestable_by = fields.String(load_default="both", validate=validate.OneOf(
        setup.REQUESTABLE_BY, error="Who may request it: new, existing or both."))
    clinician_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                                load_default=list, validate=validate.Length(
                                    max=200, error="At most {max} clinicians."))
    active = fields.Boolean(load_default=True)


class ServiceUpdate(ServiceInput):
    version = fields.Integer(strict=True, required=True, error_messages={
        "required": "Give the version you read."})


class Service(Schema):
    id = fields.String()
    name = fields.String()
    duration_minutes = fields.Integer()
    cpt_code = fields.String(allow_none=True)
    fee_cents = fields.Integer()
    requestable_by = fields.String()
    clinician_ids = fields.List(fields.String())
    active = fields.Boolean()
    version = fields.Integer()


class LocationInput(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(
        setup.LOCATION_KINDS, error="Kind must be office or telehealth."),
        error_messages={"required": "Say whether it is an office or telehealth."})
    name = _text("Name", setup.SERVICE_NAME_MAX)
    address = _text("Address", setup.ADDRESS_MAX, required=False)
    time_zone = fields.String(required=True, validate=rule(setup.time_zone_problem),
                              error_messages={"required": "Choose a time zone."})
    active = fields.Boolean(load_default=True)

    @validates_schema(skip_on_field_errors=False)
    def _office_has_address(self, data, **kwargs):
        if data.get("kind") == "office" and not (data.get("address") or "").strip():
            raise ValidationError("Give the office's address.", "address")


class LocationUpdate(LocationInput):
    version = fields.Integer(strict=True, required=True, error_messages={
        "required": "Give the version you read."})


class Location(Schema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    address = fields.String(allow_none=True)
    time_zone = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class PeriodInput(StrictSchema):
    weekday = fields.Integer(strict=True, required=True, validate=validate.Range(
        min=0, max=6, error="Weekday must be 0 (Monday) to 6 (Sunday)."),
        error_messages={"required": "Give the weekday, 0 (Monday) to 6 (Sunday)."})
    starts = fields.String(required=True, validate=rule(setup.clock_time_problem),
                           error_messages={"required": "Give the start, e.g. 09:00."})
    ends = fields.String(required=True, validate=rule(setup.clock_time_problem),
                         error_messages={"required": "Give the end, e.g. 12:00."})
    location_id = fields.String(required=True, validate=validate.Length(min=1, max=36),
                                error_messages={"required": "Say where: a location."})
    effective_from = fields.Date(required=True, error_messages={
        "required": "Give the first day it applies.",
        "invalid": "Give the first day as YYYY-MM-DD."})
    effective_until = fields.Date(load_default=None, allow_none=True, error_messages={
        "invalid": "Give the last day as YYYY-MM-DD."})

    @validates_schema
    def _sound(self, data, **kwargs):
        if {"starts", "ends", "effective_from"} <= set(data):
            problems = setup.period_problems(data)
            if problems:
                raise ValidationError(problems)


class ScheduleInput(StrictSchema):
    periods = fields.List(fields.Nested(PeriodInput), required=True, validate=validate.Length(
        max=100, error="At most {max} periods."),
        error_messages={"required": "Give the periods (an empty list clears the schedule)."})


class Period(Schema):
    id = fields.String()
    clinician_id = fields.String()
    weekday = fields.Integer()
    starts = fields.String()
    ends = fields.String()
    location_id = fields.String()
    effective_from = fields.Date()
    effective_until = fields.Date(allow_none=True)


def _local_time_problem(text):
    if not isinstance(text, str):
        return "Give the time as text, e.g. 2030-07-01T09:00."
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        return "Give the time as ISO-8601, e.g. 2030-07-01T09:00."
    return None


class BlockInput(StrictSchema):
    """Times are wall-clock times of `time_zone` (an offset, if given, is converted to
    that zone): a weekly lunch at 12:00 stays at 12:00 when the clocks change."""
    clinician_id = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=36))
    kind = fields.String(load_default="block", validate=validate.OneOf(
        setup.BLOCK_KINDS, error="Kind must be time_off or block."))
    starts_at = fields.String(required=True, validate=rule(_local_time_problem),
                              error_messages={"required": "Give when it starts."})
    ends_at = fields.String(required=True, validate=rule(_local_time_problem),
                            error_messages={"required": "Give when it ends."})
    time_zone = fields.String(required=True, validate=rule(setup.time_zone_problem),
                              error_messages={"required": "Choose a time zone."})
    recurrence = fields.String(load_default="none", validate=validate.OneOf(
        setup.RECURRENCES, error="Repeat: none, weekly, biweekly or monthly."))
    repeat_until = fields.Date(load_default=None, allow_none=True, error_messages={
        "invalid": "Give the last day as YYYY-MM-DD."})
    label = _text("Label", setup.LABEL_MAX, required=False)

    @post_load
    def _local(self, data, **kwargs):
        zone = data["time_zone"]
        for key, target in (("starts_at", "starts_local"), ("ends_at", "ends_local")):
            value = datetime.fromisoformat(data.pop(key).strip())
            data[target] = (setup.local_naive(value, zone) if value.tzinfo
                            else value.replace(second=0, microsecond=0))
        problems = setup.block_problems(data)
        if problems:
            raise ValidationError(problems)
        return data


class Block(Schema):
    id = fields.String()
    clinician_id = fields.String(allow_none=True)
    kind = fields.String()
    starts_at = fields.Method("_starts")
    ends_at = fields.Method("_ends")
    time_zone = fields.String()
    recurrence = fields.String()
    repeat_until = fields.Date(allow_none=True)
    label = fields.String(allow_none=True)

    def _starts(self, row):
        return row.starts_local.isoformat(timespec="minutes")

    def _ends(self, row):
        return row.ends_local.isoformat(timespec="minutes")


class SettingsInput(StrictSchema):
    """A partial update of the portal scheduling settings and the cancellation policy."""
    version = fields.Integer(strict=True, required=True, error_messages={
        "required": "Give the version you read."})
    online_booking = fields.Boolean()
    who_may_request = fields.String(validate=validate.OneOf(
        setup.WHO_MAY_REQUEST, error="Who may request: everyone, existing or no_one."))
    min_notice_minutes = _minutes("Minimum notice (minutes)", 0, 60 * 24 * 30)
    horizon_days = _minutes("How far ahead (days)", 1, 365)
    slot_step_minutes = fields.Integer(strict=True, validate=validate.OneOf(
        (5, 10, 15, 20, 30, 60), error="The slot step must be 5, 10, 15, 20, 30 or 60 "
                                       "minutes."))
    buffer_minutes = _minutes("Buffer (minutes)", 0, 120)
    max_future_appointments = fields.Integer(strict=True, allow_none=True,
                                             validate=validate.Range(
        min=1, max=100, error="The most future appointments must be 1 to 100 (or none "
                              "for no limit)."))
    instructions = _text("Instructions", setup.INSTRUCTIONS_MAX, required=False)
    clients_may_cancel = fields.Boolean()
    late_cancel_hours = _minutes("The late-cancellation window (hours)", 0, 24 * 14)
    no_cancel_hours = _minutes("The no-cancel window (hours)", 0, 24 * 14)
    late_cancel_fee_cents = fields.Integer(strict=True, allow_none=True,
                                           validate=validate.Range(
        min=0, max=setup.MAX_FEE_CENTS, error="The late-cancellation fee must be 0 to "
                                              "$100,000, in cents."))


class SettingsOutput(Schema):
    online_booking = fields.Boolean()
    who_may_request = fields.String()
    min_notice_minutes = fields.Integer()
    horizon_days = fields.Integer()
    slot_step_minutes = fields.Integer()
    buffer_minutes = fields.Integer()
    max_future_appointments = fields.Integer(allow_none=True)
    instructions = fields.String(allow_none=True)
    clients_may_cancel = fields.Boolean()
    late_cancel_hours = fields.Integer()
    no_cancel_hours = fields.Integer()
    late_cancel_fee_cents = fields.Integer(allow_none=True)
    late_window_applies = fields.Boolean()
    version = fields.Integer()


class AvailabilityQuery(StrictSchema):
    service_id = fields.String(required=True, validate=validate.Length(min=1, max=36),
                               error_messages={"required": "Choose a service."})
    clinician_id = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=36))
    location_id = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=36))
    telehealth = fields.Boolean(load_default=None, allow_none=True)
    from_date = fields.Date(required=True, data_key="from", error_messages={
        "required": "Give the first day, YYYY-MM-DD.",
        "invalid": "Give the first day as YYYY-MM-DD."})
    to_date = fields.Date(required=True, data_key="to", error_messages={
        "required": "Give the last day, YYYY-MM-DD.",
        "invalid": "Give the last day as YYYY-MM-DD."})
    limit = fields.Integer(strict=True, load_default=500, validate=validate.Range(
        min=1, max=2000, error="Limit must be 1 to 2000."))

    @validates_schema
    def _range(self, data, **kwargs):
        if "from_date" in data and "to_date" in data:
            if data["to_date"] < data["from_date"]:
                raise ValidationError("The last day must be on or after the first.", "to")
            if (data["to_date"] - data["from_date"]).days >= 62:
                raise ValidationError("Ask for at most 62 days at a time.", "to")


def slot_dict(slot):
    """One offered slot as the RPC answers it (a function, not a schema: thousands are
    dumped per question): starts_at/ends_at UTC, local_starts_at in the location's zone."""
    return {"starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat(),
            "local_starts_at": slot.starts_at.astimezone(ZoneInfo(slot.time_zone)).isoformat(),
            "time_zone": slot.time_zone, "clinician_id": slot.clinician_id,
            "location_id": slot.location_id}
