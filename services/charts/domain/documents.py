"""Documents: their kinds and statuses, who may see one, who may delete one, and what
the Insurance tab names. Plain functions on the actor and the row: no nameko, no SQL.
"""
from services.common.errors import Conflict, Forbidden

# kinds of document
PRACTICE, SHARED, UPLOAD = "practice", "shared", "upload"
# the staff permission (identity's roles) to share, take back and delete documents
UPLOAD_CLIENT_DOCUMENTS = "upload_client_documents"
# statuses
AVAILABLE, QUARANTINED, DAMAGED = "available", "quarantined", "integrity_failed"


def may_see(actor, doc, type_in_portal):
    """Staff and system see every document of their practice. Clients and contacts see:
    practice documents of a type shown in the portal; for a client the actor holds with
    full rights ("*": its own chart or a linked one), documents shared with the client
    (not with one of its contacts) and uploads made by the client; through a grant (a
    contact, or a client account that also holds one), with manage_documentation,
    documents shared with that holder and uploads it made — so one parent never sees the
    other parent's uploads."""
    if actor.is_system:
        return True
    if doc.practice_id != actor.practice_id:
        return False
    if actor.is_staff:
        return "view_clients" in actor.permissions
    if doc.status != AVAILABLE or doc.unshared_at is not None:
        return False
    if doc.kind == PRACTICE:
        return type_in_portal and bool(actor.clients)
    held = actor.clients.get(doc.client_id)
    if held is None:
        return False
    if "*" in held:
        if doc.kind == SHARED:
            return type_in_portal and doc.contact_id is None
        return doc.uploaded_by_kind == "client"
    # through a grant (whoever holds it): it needs manage_documentation
    if "manage_documentation" not in held:
        return False
    if doc.kind == SHARED:
        return type_in_portal and doc.contact_id == actor.id
    return doc.uploaded_by_kind == actor.kind and doc.uploaded_by_id == actor.id


def reaches_portal(doc, type_in_portal):
    """Whether the people a document is for see it in the portal at all: an upload its
    uploader does; a practice or shared document only under a type shown in the portal
    (without a type, or under a hidden one, it is the practice's alone)."""
    return doc.kind == UPLOAD or bool(type_in_portal)


def may_delete(actor, doc):
    """Staff with upload_client_documents delete any document of their practice. A client or a
    contact deletes only an upload it made itself, and only until staff first opened it
    (`reviewed_at`): from then on it is part of the record — they ask the practice."""
    if actor.is_staff:
        actor.require_staff(UPLOAD_CLIENT_DOCUMENTS)
        return
    if actor.is_system:
        return
    if doc.kind != UPLOAD or doc.uploaded_by_kind != actor.kind or doc.uploaded_by_id != actor.id:
        raise Forbidden("not_permitted", "Only the practice can remove this document.")
    if doc.reviewed_at is not None:
        raise Conflict("document_reviewed", "The practice has already opened this file, so "
                       "it is part of your record. Please ask the practice to remove it.")


def card_fields_naming(document_id, insurance_values):
    """The Insurance fields ("primary.card_front_document_id", …) that name the document."""
    found = []
    for coverage in ("primary", "secondary"):
        for side in ("card_front_document_id", "card_back_document_id"):
            if ((insurance_values or {}).get(coverage) or {}).get(side) == document_id:
                found.append(f"{coverage}.{side}")
    return found


def require_uploader(actor, client_id):
    """Clients (their own chart) and contacts with manage_documentation upload."""
    if actor.is_staff or actor.is_system:
        raise Forbidden("staff_share_instead",
                        "Staff add documents by sharing them with the client.")
    actor.require_client(client_id, "manage_documentation")
