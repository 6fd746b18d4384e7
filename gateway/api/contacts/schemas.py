"""Contacts and their grants (docs/identity.md), and the client portal accounts holding a
grant. Request schemas refuse unknown fields; response schemas decide what leaves the
gateway.
"""
from marshmallow import Schema, fields, validate

from gateway.api.formats import DATE, EMAIL, NAME, STATUSES
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean

# What a contact may do for a client (identity's order, which tokens keep).
GRANT_PERMISSIONS = ("view_appointments", "manage_information", "manage_documentation",
                     "message_clinician", "billing")


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
