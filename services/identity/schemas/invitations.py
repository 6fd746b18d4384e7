"""Welcome invitations of clients."""
from marshmallow import fields, validate

from services.common.schemas import StrictSchema
from services.identity.schemas.shared_fields import CLIENT_ID, SOURCE_IP, PASSWORD, TOKEN


class InviteClient(StrictSchema):
    client_id = fields.String(**CLIENT_ID)


class InvitationToken(StrictSchema):
    token = fields.String(**TOKEN)


class AcceptInvitation(StrictSchema):
    token = fields.String(**TOKEN)
    date_of_birth = fields.Date(required=True)
    password = fields.String(**PASSWORD)
    source_ip = fields.String(**SOURCE_IP)


class CancelInvitation(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
