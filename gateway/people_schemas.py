"""Schemas of the people routes (docs/identity.md): contacts and their grants, staff
administration, per-role permissions, and one's own two-step sign-in.

The router validates with these and openapi.py describes the routes from them, as for
gateway/schemas.py. Request schemas refuse unknown fields; response schemas decide what
leaves the gateway.
"""
from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean
Int = fields.Integer
DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Use the form YYYY-MM-DD.")
NAME = validate.Length(min=1, max=200)
EMAIL = validate.Email(error="Enter an email address like name@example.org.")

# What a contact may do for a client (identity's order, which tokens keep).
GRANT_PERMISSIONS = ("view_appointments", "manage_information", "manage_documentation",
                     "message_clinician", "billing")
ROLES = ("practice_admin", "clinical_admin", "clinician", "supervisor", "intern",
         "scheduler", "biller", "intake")
STAFF_PERMISSIONS = ("manage_portal_access", "view_clients", "edit_clients",
                     "receives_demographic_changes", "manage_staff", "view_operations",
                     "manage_practice_settings", "view_audit_log", "receives_portal_uploads",
                     "upload_client_documents", "manage_appointments")
STATUSES = ("active", "suspended", "inactive")


# -- contacts and grants ------------------------------------------------------------
class ContactCreate(StrictSchema):
    email = S(required=True, validate=[validate.Length(min=3, max=254), EMAIL])
    name = S(required=True, validate=NAME)


class ContactUpdate(StrictSchema):
    status = S(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "suspended or inactive ends every session of the contact at once; "
                       "an invited contact can only be made inactive"})


class ContactsQuery(StrictSchema):
    client_id = S(validate=validate.Length(min=1, max=64), metadata={
        "description": "only the contacts holding a grant for this client"})


class GrantPut(StrictSchema):
    permissions = fields.List(S(validate=validate.OneOf(GRANT_PERMISSIONS)), required=True,
                              validate=validate.Length(min=1, max=len(GRANT_PERMISSIONS),
                                                       error="Choose at least one permission."),
                              metadata={"description": "what the contact may do for the client"})
    renewed_until = S(allow_none=True, validate=DATE, metadata={
        "description": "keeps a guardian's access past the client's 18th birthday (the "
                       "practice's age) up to and including this date; null ends the renewal"})


class Grant(Schema):
    holder_kind = S(metadata={"description": "contact, or client: a client portal account "
                                             "holding the grant with its own sign-in"})
    contact_id = S(allow_none=True, metadata={"description": "null when an account holds it"})
    account_id = S(allow_none=True, metadata={"description": "null when a contact holds it"})
    client_id = S()
    client_name = S(allow_none=True)
    permissions = fields.List(S(), metadata={"description": "as granted"})
    effective_permissions = fields.List(S(), metadata={
        "description": "what the grant allows today, after the guardian age bands"})
    guardian = Bool()
    band = S(metadata={"description": "full, partial, ended, renewed or not_guardian"})
    client_age = fields.Integer(allow_none=True, metadata={
        "description": "the client's whole years on the practice's date, which decide the "
                       "band (null when the date of birth is unknown)"})
    guardian_full_until_age = fields.Integer(metadata={
        "description": "the practice's age at which the partial band starts"})
    guardian_access_ends_at_age = fields.Integer(metadata={
        "description": "the practice's age at which a guardian grant ends unless renewed"})
    renewed_until = S(allow_none=True)
    granted_at = S(allow_none=True)
    updated_at = S(allow_none=True)


class Contact(Schema):
    contact_id = S()
    email = S()
    name = S()
    status = S(metadata={"description": "invited, active, suspended or inactive"})
    created_at = S(allow_none=True)
    last_sign_in_at = S(allow_none=True)
    mfa_enrolled = Bool()
    grants = fields.List(fields.Nested(Grant))


class AccountLink(Schema):
    client_id = S()
    name = S(allow_none=True)
    own = Bool()
    linked_at = S(allow_none=True)


class AccountAccess(Schema):
    """A client portal account: its own client, its linked clients and its grants."""
    account_id = S()
    login = S()
    status = S()
    name = S(allow_none=True)
    last_sign_in_at = S(allow_none=True)
    clients = fields.List(fields.Nested(AccountLink))
    grants = fields.List(fields.Nested(Grant), metadata={
        "description": "further clients it acts for through a grant (as a guardian)"})


class ContactList(Schema):
    items = fields.List(fields.Nested(Contact))
    accounts = fields.List(fields.Nested(AccountAccess), metadata={
        "description": "with `client_id`: the client portal accounts holding a grant for "
                       "that client (a client who is also a guardian keeps one sign-in)"})


# -- staff ----------------------------------------------------------------------------
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


class MfaResetDone(Schema):
    reset = Bool()


# -- one's own two-step sign-in ---------------------------------------------------------
class TwoFactorStatus(Schema):
    enrolled = Bool()
    required = Bool(metadata={"description": "true: it cannot be turned off (staff always; "
                                             "clients when the practice requires it)"})
    enrolled_at = S(allow_none=True)
    recovery_codes_left = Int()


class TwoFactorSecret(Schema):
    secret = S(metadata={"description": "base32, to type into an authenticator app"})
    otpauth_uri = S()
    digits = Int()
    interval = Int()


class TwoFactorCode(StrictSchema):
    code = S(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "the 6-digit code from the authenticator app"})


class TwoFactorDisable(StrictSchema):
    code = S(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "a code from the app, or one recovery code"})


class TwoFactorEnrolled(Schema):
    enrolled_at = S()
    recovery_codes = fields.List(S(), metadata={"description": "shown once: keep them safe"})


class RecoveryCodes(Schema):
    recovery_codes = fields.List(S(), metadata={"description": "the old ones stop working"})


class TwoFactorOff(Schema):
    enrolled = Bool()
