"""RPC payloads and results of appointments and requests, and the data of their events
(marshmallow 3); the practice's setup is in setup_schemas.py."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema, rule
from services.scheduling.domain import appointments as rules


class BookAppointment(StrictSchema):
    """`book_appointment` payload. `id` (optional uuid) is an idempotency key."""
    id = fields.UUID(load_default=None, error_messages={"invalid": "Id must be a UUID."})
    clinician_id = fields.String(required=True, validate=validate.Length(
        min=1, max=36, error="Choose a clinician."), error_messages={
            "required": "Choose a clinician.", "null": "Choose a clinician."})
    starts_at = fields.String(required=True, validate=rule(rules.starts_at_problem),
                              error_messages={"required": "Give the start time.",
                                              "null": "Give the start time."})
    duration_minutes = fields.Integer(
        strict=True, load_default=rules.DEFAULT_MINUTES,
        validate=validate.Range(min=rules.MIN_MINUTES, max=rules.MAX_MINUTES,
                                error="Duration must be {min} to {max} minutes."),
        error_messages={"invalid": "Duration must be a whole number of minutes."})
    location = fields.String(load_default="office", validate=validate.OneOf(
        rules.LOCATIONS, error="Location must be office or telehealth."))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=rules.TITLE_MAX, error="Title must be at most {max} characters."))


class ListAppointments(StrictSchema):
    when = fields.String(load_default="upcoming", validate=validate.OneOf(
        ("upcoming", "past"), error="When must be upcoming or past."))
    include_cancelled = fields.Boolean(load_default=None, allow_none=True)
    limit = fields.Integer(strict=True, load_default=50, validate=validate.Range(
        min=1, max=100, error="Limit must be 1 to 100."))


class CancelAppointment(StrictSchema):
    # required: without it a cancel could act on an appointment changed since it was read
    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             error_messages={"required": "Give the version you read.",
                                             "null": "Give the version you read."})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=rules.REASON_MAX, error="Reason must be at most {max} characters."))


class Appointment(Schema):
    """What every caller may see of an appointment."""
    id = fields.String()
    client_id = fields.String()
    clinician_id = fields.String()
    clinician_name = fields.String()
    starts_at = fields.Method("_starts_at")
    ends_at = fields.Method("_ends_at")
    duration_minutes = fields.Method("_duration")
    location = fields.String()
    title = fields.String(allow_none=True)
    status = fields.String()
    cancelled_at = fields.Method("_cancelled_at")
    version = fields.Integer()
    service_id = fields.String(allow_none=True)
    location_id = fields.String(allow_none=True)
    late = fields.Boolean(allow_none=True)
    requested_at = fields.Method("_requested_at")
    # the requester is told why a request was denied (the portal and the email)
    deny_reason = fields.String(allow_none=True)

    def _requested_at(self, row):
        return row.requested_at.isoformat() if row.requested_at else None

    def _starts_at(self, row):
        return row.starts_at.isoformat()

    def _ends_at(self, row):
        return row.ends_at.isoformat()

    def _duration(self, row):
        return rules.duration_minutes(row.starts_at, row.ends_at)

    def _cancelled_at(self, row):
        return row.cancelled_at.isoformat() if row.cancelled_at else None


class StaffAppointment(Appointment):
    """Staff (and system) callers also see why it was cancelled and who booked it."""
    cancel_reason = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.Method("_created_at")
    fee_cents = fields.Integer(allow_none=True)
    requested_by = fields.String(allow_none=True)
    request_note = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.Method("_decided_at")
    cancelled_by = fields.String(allow_none=True)

    def _decided_at(self, row):
        return row.decided_at.isoformat() if row.decided_at else None

    def _created_at(self, row):
        return row.created_at.isoformat()


class AppointmentEventData(StrictSchema):
    """data of appointment.scheduled and appointment.cancelled: ids, times, place and
    status — never a name, title or reason (integrators look those up)."""
    appointment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    clinician_id = fields.String(required=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    location = fields.String(required=True)
    status = fields.String(required=True)


def _id(message, required=True):
    kwargs = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.String(validate=validate.Length(min=1, max=36, error=message),
                         error_messages={"required": message, "null": message}, **kwargs)


def _version():
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                          error_messages={"required": "Give the version you read.",
                                          "null": "Give the version you read."})


class RequestAppointment(StrictSchema):
    """`request_appointment` payload: one of the offered times. `id` (uuid) is an
    idempotency key."""
    id = fields.UUID(load_default=None, error_messages={"invalid": "Id must be a UUID."})
    service_id = _id("Choose a service.")
    clinician_id = _id("Choose a clinician.")
    location_id = _id("Choose where: an office or telehealth.")
    starts_at = fields.String(required=True, validate=rule(rules.starts_at_problem),
                              error_messages={"required": "Choose a time.",
                                              "null": "Choose a time."})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=rules.REASON_MAX, error="The note must be at most {max} characters."))


class ApproveRequest(StrictSchema):
    """Staff may change the time, clinician, service or place while approving."""
    version = _version()
    starts_at = fields.String(load_default=None, allow_none=True,
                              validate=rule(rules.starts_at_problem))
    clinician_id = _id("Choose a clinician.", required=False)
    service_id = _id("Choose a service.", required=False)
    location_id = _id("Choose where: an office or telehealth.", required=False)


class DenyRequest(StrictSchema):
    version = _version()
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=rules.REASON_MAX, error="Say why, in at most {max} characters."),
        error_messages={"required": "Say why the request is denied: the requester is "
                                    "told.", "null": "Say why the request is denied."})


class VersionOnly(StrictSchema):
    version = _version()


class ClientCancel(StrictSchema):
    version = _version()


class ListRequests(StrictSchema):
    status = fields.String(load_default="requested", validate=validate.OneOf(
        ("requested", "any"), error="Status must be requested or any."))
    clinician_id = _id("Name the clinician by its id.", required=False)
    client_id = _id("Name the client by its id.", required=False)
    limit = fields.Integer(strict=True, load_default=100, validate=validate.Range(
        min=1, max=500, error="Limit must be 1 to 500."))


class RequestEventData(StrictSchema):
    """data of appointment.requested / approved / denied / withdrawn: ids and times."""
    appointment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    clinician_id = fields.String(required=True)
    service_id = fields.String(required=True, allow_none=True)
    location_id = fields.String(required=True, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    status = fields.String(required=True)
    changed = fields.List(fields.String(), load_default=None)


class CancelledCharge(StrictSchema):
    service_id = fields.String(required=True, allow_none=True)
    fee_cents = fields.Integer(required=True, allow_none=True)
    late_cancel_hours = fields.Integer(required=True)


class CancelledEventData(AppointmentEventData):
    """appointment.cancelled: who cancelled, whether it was late, and for a late one what
    billing needs to charge the fee."""
    # added to v1: optional for a consumer, always sent by scheduling
    late = fields.Boolean(load_default=False)
    cancelled_by = fields.Dict(load_default=None)
    charge = fields.Nested(CancelledCharge, load_default=None, allow_none=True)
