"""Staff administration and the permissions of each role."""
from marshmallow import Schema, fields, validate

from gateway.api.formats import EMAIL, NAME, STATUSES
from services.common.schemas import StrictSchema

S = fields.String
ROLES = ("practice_admin", "clinical_admin", "clinician", "supervisor", "intern",
         "scheduler", "biller", "intake")
STAFF_PERMISSIONS = ("manage_portal_access", "view_clients", "edit_clients",
                     "receives_demographic_changes", "manage_staff", "view_operations",
                     "manage_practice_settings", "view_audit_log", "receives_portal_uploads",
                     "upload_client_documents", "manage_appointments", "sees_clients")


class StaffInvite(StrictSchema):
    email = S(required=True, validate=[validate.Length(min=3, max=254), EMAIL])
    name = S(required=True, validate=NAME)
    role = S(required=True, validate=validate.OneOf(ROLES))


class StaffUpdate(StrictSchema):
    role = S(validate=validate.OneOf(ROLES), metadata={
        "description": "ends the member's sessions; nobody changes their own"})
    status = S(validate=validate.OneOf(STATUSES), metadata={
        "description": "leaving active ends every session"})


class StaffMember(Schema):
    id = S()
    email = S()
    name = S()
    role = S()
    status = S(metadata={"description": "invited, active, suspended or inactive"})


class RolePermissions(Schema):
    role = S()
    permissions = fields.List(S(), metadata={"description": "what the role grants here"})
    defaults = fields.List(S(), metadata={"description": "what it grants by default"})


class RoleMatrix(Schema):
    permissions = fields.List(S(), metadata={"description": "every staff permission"})
    roles = fields.List(fields.Nested(RolePermissions))


class RolePut(StrictSchema):
    permissions = fields.List(S(validate=validate.OneOf(STAFF_PERMISSIONS)), required=True,
                              validate=validate.Length(max=len(STAFF_PERMISSIONS)))
