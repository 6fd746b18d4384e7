"""Documents and their types (`documents`, `document_types`)."""
from sqlalchemy import func, or_, select

from services.charts.domain import documents as rules
from services.charts.models import Document, DocumentType
from services.common.errors import NotFound


def document_type(session, practice_id, type_id):
    row = session.get(DocumentType, type_id) if type_id else None
    if row is None or row.practice_id != practice_id:
        return None
    return row


def document_types(session, practice_id, portal_only=False, include_archived=True):
    query = select(DocumentType).where(DocumentType.practice_id == practice_id)
    if portal_only:
        query = query.where(DocumentType.show_in_portal.is_(True))
    if not include_archived:
        query = query.where(DocumentType.archived_at.is_(None))
    return session.execute(query.order_by(DocumentType.name)).scalars().all()


def documents_of_type(session, type_id):
    """How many documents are filed under the type."""
    return session.execute(select(func.count()).select_from(Document)
                           .where(Document.type_id == type_id)).scalar_one()


def portal_type_ids(session, practice_id):
    return set(session.execute(select(DocumentType.id)
                               .where(DocumentType.practice_id == practice_id)
                               .where(DocumentType.show_in_portal.is_(True))).scalars())


def visible_document(session, actor, document_id):
    """The document if `actor` may see it, else NotFound (never a hint it exists)."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("not_found", "That document does not exist.")
    in_portal = doc.type_id in portal_type_ids(session, doc.practice_id) if doc.type_id else False
    if not rules.may_see(actor, doc, in_portal):
        raise NotFound("not_found", "That document does not exist.")
    return doc


def documents_for(session, actor, client_id=None):
    """What `actor` may see: practice documents, and the client's when client_id is given."""
    practice_id = actor.practice_id
    query = select(Document).where(Document.practice_id == practice_id)
    if client_id:
        query = query.where(or_(Document.client_id == client_id, Document.client_id.is_(None)))
    else:
        query = query.where(Document.client_id.is_(None))
    rows = session.execute(query.order_by(Document.created_at.desc(), Document.id)).scalars()
    in_portal = portal_type_ids(session, practice_id)
    return [d for d in rows if rules.may_see(actor, d, d.type_id in in_portal)]


def by_upload_id(session, upload_id):
    return session.execute(select(Document).where(
        Document.upload_id == str(upload_id))).scalar_one_or_none()


def by_blob_key(session, blob_key):
    return session.execute(select(Document).where(
        Document.blob_key == blob_key)).scalar_one_or_none()


def blob_keys_known(session, keys):
    if not keys:
        return set()
    return set(session.execute(select(Document.blob_key)
                               .where(Document.blob_key.in_(list(keys)))).scalars())
