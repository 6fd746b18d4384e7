"""charts' practice settings: what `get_settings` answers and `update_settings` takes."""
from marshmallow import fields, validate

from services.charts.schemas.tabs import ExtraField
from services.common.schemas import StrictSchema


class Settings(StrictSchema):
    allow_clients_update_insurance = fields.Boolean()
    client_uploads_enabled = fields.Boolean()
    extra_fields = fields.List(fields.Dict())
    version = fields.Integer()


class UpdateSettings(StrictSchema):
    allow_clients_update_insurance = fields.Boolean()
    client_uploads_enabled = fields.Boolean()
    extra_fields = fields.List(fields.Nested(ExtraField),
                               validate=validate.Length(max=50))
    version = fields.Integer(strict=True, validate=validate.Range(min=1))
