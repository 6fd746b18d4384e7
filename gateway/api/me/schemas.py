"""Which of the clients one acts for (the portal's routes of me, chart and documents)."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema

S = fields.String


class MeQuery(StrictSchema):
    client_id = S(validate=validate.Length(min=1, max=64), metadata={
        "description": "which of the clients you act for; needed only if more than one"})
