"""The logo upload's form and the logo's query."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema


class LogoForm(StrictSchema):
    """multipart/form-data: only the `file` part."""
    file = fields.String(required=True, metadata={
        "type": "string", "format": "binary",
        "description": "a PNG or JPEG image (checked by content), 1 byte to 1 MB"})


class LogoQuery(StrictSchema):
    v = fields.String(validate=validate.Length(max=64), metadata={
        "description": "the version in `logo_url`; with the current one the answer may be "
                       "cached for a year"})
