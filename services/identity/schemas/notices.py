"""What notify asks identity."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema
from services.identity.domain import grants


class NoticeAddress(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("client", "contact")))
    id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class NoticeRecipients(StrictSchema):
    """Who notify tells that something changed for a client (`list_notice_recipients`)."""
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    permission = fields.String(required=True, validate=validate.OneOf(grants.PERMISSIONS))
