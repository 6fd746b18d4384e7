"""Request and response schemas of the appointment routes (docs/scheduling.md, docs/api.md).

The gateway validates with these before scheduling is asked, and openapi.py describes the
routes from them. Request schemas refuse unknown fields; the answer schemas decide what
leaves the gateway (the routes drop the staff-only fields for clients and contacts).
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String
Int = fields.Integer
WHEN = S(load_default="upcoming", validate=validate.OneOf(["upcoming", "past"]), metadata={
    "description": "upcoming (the default: not yet ended, soonest first) or past (newest "
                   "first)"})
LIMIT = Int(validate=validate.Range(min=1, max=100), metadata={
    "description": "at most this many (1-100, default 50)"})
LOCATIONS = ("office", "telehealth")
# What only the practice's staff see of an appointment (the reason may name a clinical
# matter; who booked it is the practice's business).
STAFF_ONLY = ("cancel_reason", "created_by", "created_at")


class MeAppointmentsQuery(StrictSchema):
    client_id = S(validate=validate.Length(min=1, max=64), metadata={
        "description": "whose appointments, when the sign-in acts for several people"})
    when = WHEN
    include_cancelled = fields.Boolean(metadata={
        "description": "list cancelled appointments too, marked `status: cancelled` "
                       "(default no; the portal asks for them among upcoming ones, so a "
                       "cancellation email leads somewhere)"})
    limit = LIMIT


class ClientAppointmentsQuery(StrictSchema):
    when = WHEN
    include_cancelled = fields.Boolean(metadata={
        "description": "list cancelled appointments too (default: yes for staff, no for "
                       "clients and contacts)"})
    limit = LIMIT


class AppointmentBook(StrictSchema):
    clinician_id = S(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "an active staff member of the practice (GET /api/v1/clinicians)"})
    starts_at = fields.AwareDateTime(required=True, default_timezone=None, error_messages={
        "invalid": "Give a date and time such as 2026-03-02T15:00:00-05:00.",
        "invalid_awareness": "Give the time with its offset from UTC, such as "
                             "2026-03-02T15:00:00-05:00."}, metadata={
        "description": "ISO-8601 with its offset, e.g. 2026-03-02T15:00:00-05:00; not in "
                       "the past"})
    duration_minutes = Int(strict=True, validate=validate.Range(min=10, max=480), metadata={
        "description": "10-480, default 50"})
    location = S(validate=validate.OneOf(LOCATIONS), metadata={
        "description": "office (the default) or telehealth"})
    title = S(allow_none=True, validate=validate.Length(max=120), metadata={
        "description": "the service as the client sees it, e.g. Individual therapy"})


class AppointmentCancel(StrictSchema):
    version = Int(required=True, strict=True, validate=validate.Range(min=1), metadata={
        "description": "the version you read (409 `stale_version` when it changed since)"})
    reason = S(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "for the practice only: never shown to the client"})


class Appointment(Schema):
    id = S()
    client_id = S()
    clinician_id = S()
    clinician_name = S(allow_none=True)
    starts_at = S(metadata={"description": "UTC, ISO-8601"})
    ends_at = S(metadata={"description": "UTC, ISO-8601"})
    duration_minutes = Int()
    location = S(metadata={"description": "office or telehealth"})
    title = S(allow_none=True)
    status = S(metadata={"description": "scheduled or cancelled"})
    cancelled_at = S(allow_none=True)
    version = Int()
    cancel_reason = S(allow_none=True, metadata={"description": "staff only"})
    created_by = S(allow_none=True, metadata={"description": "staff only"})
    created_at = S(allow_none=True, metadata={"description": "staff only"})


class AppointmentList(Schema):
    items = fields.List(fields.Nested(Appointment))


class Clinician(Schema):
    id = S()
    name = S()
    role = S()
