"""Document types: what staff file documents under, whether the portal shows them, and
taking one out of use — deleted while nothing is filed under it, archived after."""
from services.charts import schemas, store
from services.charts.models import DocumentType
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.common.times import utcnow


def _type_of(session, actor, type_id):
    row = store.documents.document_type(session, actor.practice_id, type_id)
    if row is None:
        raise NotFound("not_found", "That document type does not exist.")
    return row


class DocumentTypeEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def create_document_type(self, actor, payload):
        """Staff `edit_clients`: `{name, show_in_portal}` → `{id, name, show_in_portal,
        archived, archived_at}`. Only documents of a type shown in the portal are visible
        to clients."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.documents.CreateDocumentType(), payload)
        with self.db.transaction() as tx:
            row = DocumentType(practice_id=actor.practice_id, **cmd)
            tx.session.add(row)
            tx.session.flush()
            return schemas.documents.DocumentTypeOut().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def update_document_type(self, actor, type_id, payload):
        """Staff `edit_clients`: `{name?, show_in_portal?, archived?}`. An archived type is
        offered for no new document (`share_document` refuses it); the documents filed
        under it keep it, and keep who sees them. `archived: false` offers it again."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.documents.UpdateDocumentType(), payload)
        archived = cmd.pop("archived", None)
        with self.db.transaction() as tx:
            row = _type_of(tx.session, actor, type_id)
            for key, value in cmd.items():
                setattr(row, key, value)
            if archived is not None and archived != (row.archived_at is not None):
                row.archived_at = utcnow() if archived else None
            return schemas.documents.DocumentTypeOut().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def delete_document_type(self, actor, type_id):
        """Staff `edit_clients`: delete a type nothing is filed under → `{type_id,
        deleted: true}`. Conflict("document_type_in_use", fields {documents: [count]})
        while documents are filed under it: archive it instead, so they keep their type."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        with self.db.transaction() as tx:
            row = _type_of(tx.session, actor, type_id)
            filed = store.documents.documents_of_type(tx.session, row.id)
            if filed:
                raise Conflict(
                    "document_type_in_use",
                    f"{filed} document{'s are' if filed != 1 else ' is'} filed under this "
                    "type, so it cannot be deleted. Archive it instead: it will no longer be "
                    "offered, and those documents keep it.",
                    {"documents": [str(filed)]})
            tx.session.delete(row)
        return {"type_id": type_id, "deleted": True}

    @rpc(expected_exceptions=EXPECTED)
    def list_document_types(self, actor):
        """Staff: every type of the practice, archived ones too (`archived` says which);
        clients and contacts: those shown in the portal and not archived."""
        actor = Actor.from_wire(actor)
        staff = actor.is_staff or actor.is_system
        with self.db.read() as session:
            rows = store.documents.document_types(
                session, actor.practice_id, portal_only=not staff, include_archived=staff)
            return schemas.documents.DocumentTypeOut(many=True).dump(rows)
