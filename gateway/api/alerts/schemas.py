"""Staff alerts and marking them read."""
from marshmallow import Schema, fields

from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean


class Alert(Schema):
    id = S()
    kind = S()
    client_id = S(allow_none=True)
    client_name = S(allow_none=True)
    fields = fields.List(S())
    batch_id = S(allow_none=True)
    created_at = S()
    read = Bool()  # `fields` above shadows the module inside this class


class AlertQuery(StrictSchema):
    unread_only = fields.Boolean()


class Done(Schema):
    status = S()
