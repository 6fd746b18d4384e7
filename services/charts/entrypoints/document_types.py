"""Document types: what staff file documents under, and whether the portal shows them."""
from nameko.rpc import rpc

from services.charts import schemas, store
from services.charts.models import DocumentType
from services.common.actor import Actor
from services.common.errors import EXPECTED, NotFound
from services.common.schemas import load


class DocumentTypeEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def create_document_type(self, actor, payload):
        """Staff `edit_clients`: `{name, show_in_portal}` → `{id, name, show_in_portal}`.
        Only documents of a type shown in the portal are visible to clients."""
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
        """Staff `edit_clients`: `{name?, show_in_portal?}`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.documents.UpdateDocumentType(), payload)
        with self.db.transaction() as tx:
            row = store.documents.document_type(tx.session, actor.practice_id, type_id)
            if row is None:
                raise NotFound("not_found", "That document type does not exist.")
            for key, value in cmd.items():
                setattr(row, key, value)
            return schemas.documents.DocumentTypeOut().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def list_document_types(self, actor):
        """Staff: every type of the practice; clients and contacts: those shown in the
        portal."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            rows = store.documents.document_types(
                session, actor.practice_id,
                portal_only=not (actor.is_staff or actor.is_system))
            return schemas.documents.DocumentTypeOut(many=True).dump(rows)
