"""Contacts and the grants contacts and client accounts hold."""
from marshmallow import ValidationError, fields, validate, validates_schema

from services.common.schemas import StrictSchema
from services.identity.domain import accounts
from services.identity.domain import grants as grant_rules
from services.identity.schemas.shared_fields import EMAIL, ID36

_permission_list = fields.List(fields.String(validate=validate.OneOf(grant_rules.PERMISSIONS)),
                               required=True)


class CreateContact(StrictSchema):
    email = fields.Email(**EMAIL)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContactRef(StrictSchema):
    contact_id = fields.String(**ID36)


class GrantHolder(StrictSchema):
    """Who holds a grant: a contact, or a client portal account (exactly one of them)."""
    contact_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    account_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    client_id = fields.String(**ID36)

    @validates_schema
    def _one_holder(self, data, **_):
        if (data.get("contact_id") is None) == (data.get("account_id") is None):
            raise ValidationError("Name either contact_id or account_id.", "contact_id")


class GrantAccess(GrantHolder):
    permissions = fields.List(fields.String(validate=validate.OneOf(grant_rules.PERMISSIONS)),
                              required=True)
    renewed_until = fields.Date(load_default=None, allow_none=True)


class RevokeAccess(GrantHolder):
    pass


class SetContactStatus(StrictSchema):
    contact_id = fields.String(**ID36)
    status = fields.String(required=True, validate=validate.OneOf(
        (accounts.ACTIVE, accounts.SUSPENDED, accounts.INACTIVE)))


class ListContacts(StrictSchema):
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=36))
