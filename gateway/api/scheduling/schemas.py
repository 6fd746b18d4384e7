"""Request and response schemas of the scheduling setup, availability and request routes
(docs/scheduling.md). scheduling validates again, with the sentences of its 422s; these
describe the API in the OpenAPI document and refuse unknown fields at the door."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S, Int, Bool = fields.String, fields.Integer, fields.Boolean
ID = {"validate": validate.Length(min=1, max=64)}


def version(what="it"):
    return Int(required=True, strict=True, validate=validate.Range(min=0), metadata={
        "description": f"the version of {what} you read (409 `stale_version` when it "
                       "changed since)"})


class ServiceInput(StrictSchema):
    name = S(required=True, validate=validate.Length(min=1, max=120), metadata={
        "description": "as clients see it, e.g. Therapy intake"})
    duration_minutes = Int(required=True, strict=True, validate=validate.Range(min=10, max=480))
    cpt_code = S(allow_none=True, metadata={"description": "CPT billing code, e.g. 90834"})
    fee_cents = Int(strict=True, validate=validate.Range(min=0), metadata={
        "description": "the fee in whole cents (15000 = $150.00)"})
    requestable_by = S(validate=validate.OneOf(("new", "existing", "both")), metadata={
        "description": "who may request it in the portal (default both)"})
    clinician_ids = fields.List(S(**ID), metadata={"description": "who offers it"})
    active = Bool()


class ServiceUpdate(ServiceInput):
    version = version("the service")


class Service(Schema):
    id = S()
    name = S()
    duration_minutes = Int()
    cpt_code = S(allow_none=True)
    fee_cents = Int()
    requestable_by = S()
    clinician_ids = fields.List(S())
    active = Bool()
    version = Int()


class ServiceList(Schema):
    items = fields.List(fields.Nested(Service))


class LocationInput(StrictSchema):
    kind = S(required=True, validate=validate.OneOf(("office", "telehealth")))
    name = S(required=True, validate=validate.Length(min=1, max=120))
    address = S(allow_none=True, validate=validate.Length(max=300), metadata={
        "description": "an office's street address (required for an office)"})
    time_zone = S(required=True, metadata={"description": "IANA, e.g. America/New_York: "
                                                          "availability is computed in it"})
    active = Bool()


class LocationUpdate(LocationInput):
    version = version("the location")


class Location(Schema):
    id = S()
    kind = S()
    name = S()
    address = S(allow_none=True)
    time_zone = S()
    active = Bool()
    version = Int()


class LocationList(Schema):
    items = fields.List(fields.Nested(Location))


class PeriodInput(StrictSchema):
    weekday = Int(required=True, strict=True, validate=validate.Range(min=0, max=6),
                  metadata={"description": "0 Monday … 6 Sunday"})
    starts = S(required=True, metadata={"description": "HH:MM, the location's wall clock"})
    ends = S(required=True, metadata={"description": "HH:MM (24:00 for midnight)"})
    location_id = S(required=True, **ID)
    effective_from = S(required=True, metadata={"description": "YYYY-MM-DD"})
    effective_until = S(allow_none=True, metadata={"description": "YYYY-MM-DD, inclusive"})


class ScheduleInput(StrictSchema):
    periods = fields.List(fields.Nested(PeriodInput), required=True)


class Period(Schema):
    id = S()
    clinician_id = S()
    weekday = Int()
    starts = S()
    ends = S()
    location_id = S()
    effective_from = S()
    effective_until = S(allow_none=True)


class Schedule(Schema):
    clinician_id = S()
    periods = fields.List(fields.Nested(Period))


class BlockQuery(StrictSchema):
    clinician_id = S(**ID)


class BlockInput(StrictSchema):
    clinician_id = S(allow_none=True, metadata={"description": "none: the whole practice"})
    kind = S(validate=validate.OneOf(("time_off", "block")))
    starts_at = S(required=True, metadata={"description": "wall clock of time_zone, e.g. "
                                                          "2030-07-01T00:00"})
    ends_at = S(required=True)
    time_zone = S(required=True)
    recurrence = S(validate=validate.OneOf(("none", "weekly", "biweekly", "monthly")))
    repeat_until = S(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    label = S(allow_none=True, validate=validate.Length(max=120), metadata={
        "description": "for staff only (e.g. Vacation)"})


class Block(Schema):
    id = S()
    clinician_id = S(allow_none=True)
    kind = S()
    starts_at = S()
    ends_at = S()
    time_zone = S()
    recurrence = S()
    repeat_until = S(allow_none=True)
    label = S(allow_none=True)


class BlockList(Schema):
    items = fields.List(fields.Nested(Block))


class Deleted(Schema):
    id = S()
    deleted = Bool()


class SettingsUpdate(StrictSchema):
    version = version("the settings (0 before the first save)")
    online_booking = Bool()
    who_may_request = S(validate=validate.OneOf(("everyone", "existing", "no_one")))
    min_notice_minutes = Int(strict=True)
    horizon_days = Int(strict=True)
    slot_step_minutes = Int(strict=True)
    buffer_minutes = Int(strict=True)
    max_future_appointments = Int(strict=True, allow_none=True)
    instructions = S(allow_none=True)
    clients_may_cancel = Bool()
    late_cancel_hours = Int(strict=True)
    no_cancel_hours = Int(strict=True)
    late_cancel_fee_cents = Int(strict=True, allow_none=True)


class Settings(Schema):
    online_booking = Bool()
    who_may_request = S()
    min_notice_minutes = Int()
    horizon_days = Int()
    slot_step_minutes = Int()
    buffer_minutes = Int()
    max_future_appointments = Int(allow_none=True)
    instructions = S(allow_none=True)
    clients_may_cancel = Bool()
    late_cancel_hours = Int()
    no_cancel_hours = Int()
    late_cancel_fee_cents = Int(allow_none=True)
    late_window_applies = Bool(metadata={"description": "false when the no-cancel window is "
                                                        "as long as the late one or longer"})
    version = Int()


class AvailabilityQuery(StrictSchema):
    service_id = S(required=True, **ID)
    clinician_id = S(**ID)
    location_id = S(**ID)
    telehealth = Bool(metadata={"description": "true: telehealth only; false: offices only"})
    from_ = S(required=True, data_key="from", metadata={"description": "YYYY-MM-DD"})
    to = S(required=True, metadata={"description": "YYYY-MM-DD, at most 62 days on"})
    limit = Int(validate=validate.Range(min=1, max=2000))


class Slot(Schema):
    starts_at = S(metadata={"description": "UTC"})
    ends_at = S()
    local_starts_at = S(metadata={"description": "in the location's time zone"})
    time_zone = S()
    clinician_id = S()
    location_id = S()


class Availability(Schema):
    service_id = S()
    duration_minutes = Int()
    items = fields.List(fields.Nested(Slot))
    clinicians = fields.Dict(keys=S(), values=S(), metadata={"description": "id → name"})
    more = Bool()


class RequestInput(StrictSchema):
    service_id = S(required=True, **ID)
    clinician_id = S(required=True, **ID)
    location_id = S(required=True, **ID)
    starts_at = S(required=True, metadata={"description": "one of the offered starts_at"})
    note = S(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "for the practice's staff"})


class MeQuery(StrictSchema):
    client_id = S(**ID)


class MeRequestsQuery(StrictSchema):
    client_id = S(**ID)
    status = S(validate=validate.OneOf(("requested", "any")))


class StaffRequestsQuery(StrictSchema):
    status = S(validate=validate.OneOf(("requested", "any")))
    clinician_id = S(**ID)
    client_id = S(**ID)
    limit = Int(validate=validate.Range(min=1, max=500))


class VersionOnly(StrictSchema):
    version = Int(required=True, strict=True, validate=validate.Range(min=1))


class Approve(StrictSchema):
    version = Int(required=True, strict=True, validate=validate.Range(min=1))
    starts_at = S(allow_none=True, metadata={"description": "another time (ISO-8601 with "
                                                            "offset)"})
    clinician_id = S(allow_none=True, **ID)
    service_id = S(allow_none=True, **ID)
    location_id = S(allow_none=True, **ID)


class Deny(StrictSchema):
    version = Int(required=True, strict=True, validate=validate.Range(min=1))
    reason = S(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "told to the requester"})


STAFF_ONLY = ("cancel_reason", "created_by", "created_at", "fee_cents", "requested_by",
              "request_note", "decided_by", "decided_at", "cancelled_by")


class Appointment(Schema):
    id = S()
    client_id = S()
    clinician_id = S()
    clinician_name = S(allow_none=True)
    starts_at = S()
    ends_at = S()
    duration_minutes = Int()
    location = S()
    location_id = S(allow_none=True)
    service_id = S(allow_none=True)
    title = S(allow_none=True)
    status = S(metadata={"description": "requested, scheduled, denied, withdrawn, cancelled, "
                                        "late_cancelled, completed or no_show"})
    late = Bool(allow_none=True)
    requested_at = S(allow_none=True)
    deny_reason = S(allow_none=True, metadata={"description": "told to the requester"})
    cancelled_at = S(allow_none=True)
    version = Int()
    cancel_reason = S(allow_none=True, metadata={"description": "staff only"})
    fee_cents = Int(allow_none=True, metadata={"description": "staff only"})
    request_note = S(allow_none=True, metadata={"description": "staff only"})
    requested_by = S(allow_none=True, metadata={"description": "staff only"})
    decided_by = S(allow_none=True, metadata={"description": "staff only"})


class AppointmentList(Schema):
    items = fields.List(fields.Nested(Appointment))
