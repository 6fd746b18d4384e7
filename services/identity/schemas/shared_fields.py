"""Field settings several of identity's schemas share."""
from marshmallow import validate

EMAIL = dict(required=True, validate=validate.Length(max=320))

PASSWORD = dict(required=True, validate=validate.Length(min=1, max=1024))

TOKEN = dict(required=True, validate=validate.Length(min=1, max=200))

SOURCE_IP = dict(load_default=None, allow_none=True, validate=validate.Length(max=64))

CLIENT_ID = dict(required=True, validate=validate.Length(min=1, max=36))

ID36 = dict(required=True, validate=validate.Length(min=1, max=36))


def iso(value):
    return value.isoformat() if value is not None else None
