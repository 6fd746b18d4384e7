"""Failed event deliveries and their replay."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema


class FailedDeliveryQuery(StrictSchema):
    parked_only = fields.Boolean(metadata={"description": "only those that gave up retrying"})


class FailedDelivery(Schema):
    service = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    handler = fields.String(metadata={"description": "the service's handler that failed"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True, metadata={
        "description": "the error's kind only (e.g. `TimeoutError`), never its text"})
    parked = fields.Boolean(metadata={"description": "retries exhausted: waits for a replay"})
    first_failed_at = fields.String()
    parked_at = fields.String(allow_none=True)


class ReplayRequest(StrictSchema):
    handler = fields.String(required=True, validate=validate.Length(min=1, max=200))


class Replayed(Schema):
    service = fields.String()
    event_id = fields.String()
    handler = fields.String()
    replayed = fields.Boolean()
