"""What the probes answer (the error bodies' schemas are openapi.py's `error_schemas`)."""
from marshmallow import Schema, fields

S = fields.String


class Health(Schema):
    status = S(required=True)


class Ready(Schema):
    status = S(required=True, metadata={"description": "ok or unavailable"})
    checks = fields.Dict(keys=S(), values=S(), required=True)
