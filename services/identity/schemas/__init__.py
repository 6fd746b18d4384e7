"""identity's marshmallow schemas, one module per capability: RPC input (strict: an unknown
field is InvalidInput) and output."""
from services.identity.schemas import (
    audit,
    contacts,
    invitations,
    notices,
    passwords,
    portal_access,
    practices,
    sessions,
    shared_fields,
    staff,
)

__all__ = ["audit", "contacts", "invitations", "notices", "passwords", "portal_access",
           "practices", "sessions", "shared_fields", "staff"]
