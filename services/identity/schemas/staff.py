"""Staff members and what their roles may do."""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema
from services.identity.domain import accounts, roles
from services.identity.schemas.shared_fields import EMAIL, ID36, PASSWORD


class CreateStaff(StrictSchema):
    email = fields.Email(**EMAIL)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))
    password = fields.String(**PASSWORD)
    change_password_at_next_login = fields.Boolean(load_default=False)
    # system only (seeding, tests): a confirmed TOTP secret, base32
    mfa_secret = fields.String(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^[A-Z2-7]{16,64}$"))


class StaffOut(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    status = fields.String()


class InviteStaff(StrictSchema):
    email = fields.Email(**EMAIL)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))


class SetStaffRole(StrictSchema):
    staff_id = fields.String(**ID36)
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))


class SetStaffStatus(StrictSchema):
    staff_id = fields.String(**ID36)
    status = fields.String(required=True, validate=validate.OneOf(
        (accounts.ACTIVE, accounts.SUSPENDED, accounts.INACTIVE)))


class SetRolePermissions(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(roles.ROLES))
    permissions = fields.List(fields.String(validate=validate.OneOf(roles.PERMISSIONS)),
                              required=True)
