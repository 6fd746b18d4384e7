"""Documents once registered: listing what the actor may see, downloading (the blob's
SHA-256 checked first), taking a share back, deleting, and a damaged blob reported
(docs/charts.md, "Documents")."""
import logging

from eventlet import tpool

from services.charts import domain, events, schemas, store
from services.charts.domain import documents, tabs
from services.charts.models import Client, Document
from services.common import blobstore
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict
from services.common.rpc import rpc
from services.common.schemas import load
from services.common.times import utcnow

log = logging.getLogger(__name__)


def reading_whole_blob(blobs, read, *args):
    """Run `read(blobs, *args)`, which goes through a whole blob: in a native thread when
    the store's I/O would block the hub (a folder), on this green thread when it already
    cooperates (S3 over green sockets, which a native thread must not use)."""
    if blobs.blocks_hub:
        return tpool.execute(read, blobs, *args)
    return read(blobs, *args)


def verifies(blobs, key, sha256):
    """True when the blob's content has the SHA-256 its row names."""
    try:
        return blobs.verify(key, sha256)
    except blobstore.BlobIntegrityError:
        return False


def is_word(blobs, key, sha256):
    # the container's directory may be anywhere in the file: read it from the store
    with blobs.open(key, sha256) as blob:
        return domain.files.is_word_document(blob)


def blob_intact(blobs, key, sha256):
    """The blob is there and its content is the one registered (a missing one is not)."""
    try:
        return reading_whole_blob(blobs, verifies, key, sha256)
    except blobstore.BlobNotFound:
        return False


def damaged():
    return Conflict("document_damaged", "This document cannot be opened because it was "
                    "damaged in storage. The practice has been told.")


class DocumentEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def list_documents(self, actor, payload=None):
        """`{client_id?}` → the documents the actor may see: practice documents, and with
        client_id that client's (see docs/charts.md for who sees what), newest first; each
        says `shown_in_portal` (false: the client never sees it — no type, or a type the
        portal does not show)."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.documents.ListDocuments(), payload)
        if cmd["client_id"]:
            domain.access.require_reader(actor, cmd["client_id"])
        elif actor.is_staff:
            actor.require_staff("view_clients")
        with self.db.read() as session:
            if cmd["client_id"]:
                store.clients.client_of_practice(session, actor, cmd["client_id"])
            rows = store.documents.documents_for(session, actor, cmd["client_id"])
            in_portal = store.documents.portal_type_ids(session, actor.practice_id)
            return [dict(schemas.documents.DocumentOut().dump(row), shown_in_portal=documents
                         .reaches_portal(row, row.type_id in in_portal)) for row in rows]

    @rpc(expected_exceptions=EXPECTED)
    def get_document_for_download(self, actor, document_id):
        """`{document_id, blob_key, sha256, filename, content_type, size}` for those who
        may see the document (else NotFound). The blob is verified against its SHA-256
        first: a mismatch marks the document damaged, emits `document.integrity_failed`
        and raises Conflict("document_damaged"). The gateway streams the blob with
        `blobstore.open(key, sha256)` (which verifies again) and serves it as an
        attachment."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            doc = store.documents.visible_document(session, actor, document_id)
            if doc.status == documents.DAMAGED:
                raise damaged()
            if doc.status != documents.AVAILABLE:
                raise Conflict("document_unavailable", "This document is not available.")
            found = {"document_id": doc.id, "blob_key": doc.blob_key, "sha256": doc.sha256,
                     "filename": doc.filename, "content_type": doc.content_type,
                     "size": doc.size}
        if not blob_intact(self.blobs, found["blob_key"], found["sha256"]):
            self._mark_damaged(actor, document_id)
            raise damaged()
        if actor.is_staff:
            self._mark_reviewed(document_id)
        return found

    def _mark_reviewed(self, document_id):
        """Staff opened it: an upload is part of the record from now on (its uploader can
        no longer delete it). Once only; a concurrent deletion leaves nothing to mark."""
        with self.db.transaction() as tx:
            doc = tx.session.get(Document, document_id)
            if doc is not None and doc.reviewed_at is None:
                doc.reviewed_at = utcnow()

    @rpc(expected_exceptions=EXPECTED)
    def unshare_document(self, actor, document_id):
        """Staff `upload_client_documents`: take back a practice document or a document shared with a
        client or contact → the document (with `unshared_at`). Clients and contacts no
        longer list or download it; staff still see it (and may delete it). Idempotent:
        a second call changes nothing and emits nothing. Conflict(`not_shared`) for an
        upload (delete it instead). Emits `document.unshared`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(documents.UPLOAD_CLIENT_DOCUMENTS)
        with self.db.transaction() as tx:
            doc = store.documents.visible_document(tx.session, actor, document_id)
            if doc.kind == documents.UPLOAD:
                raise Conflict("not_shared", "An upload is not shared by the practice: "
                               "delete it instead.")
            if doc.unshared_at is None:
                doc.unshared_at, doc.unshared_by = utcnow(), actor.id
                events.DOCUMENT_UNSHARED.record(tx, actor, {
                    "document_id": doc.id, "kind": doc.kind, "client_id": doc.client_id,
                    "contact_id": doc.contact_id})
            return schemas.documents.DocumentOut().dump(doc)

    @rpc(expected_exceptions=EXPECTED)
    def delete_document(self, actor, document_id):
        """Delete a document and its file → `{document_id, deleted: true}`. Staff
        `upload_client_documents`: any document of the practice. A client or contact: only an upload
        it made itself, until staff first opened it (Conflict(`document_reviewed`) after;
        Forbidden(`not_permitted`) for anything else it can see; NotFound for what it
        cannot see). Conflict(`document_in_use`, fields naming the Insurance fields) while
        the Insurance tab uses it as a card photo. The row goes in one transaction with
        `document.deleted`; the blob is removed after the commit (should that fail, the
        orphan sweep removes it, since no row names it any more)."""
        actor = Actor.from_wire(actor)
        with self.db.transaction() as tx:
            doc = store.documents.visible_document(tx.session, actor, document_id)
            documents.may_delete(actor, doc)
            if doc.client_id:
                client = tx.session.get(Client, doc.client_id)
                used = documents.card_fields_naming(
                    doc.id, store.tabs.tab_row(tx.session, client, tabs.INSURANCE).values)
                if used:
                    raise Conflict("document_in_use", "This file is a photo of an insurance "
                                   "card. Remove it from the insurance details first.",
                                   {f: ["Uses this document."] for f in used})
            key = doc.blob_key
            events.DOCUMENT_DELETED.record(tx, actor, {
                "document_id": doc.id, "kind": doc.kind, "client_id": doc.client_id,
                "contact_id": doc.contact_id, "deleted_by_kind": actor.kind},
                practice_id=doc.practice_id)
            tx.session.delete(doc)
        try:                        # after the commit: a rollback never loses a file
            self.blobs.delete(key)
        except Exception:           # a store outage must not turn a done deletion into an error
            log.warning("blob of a deleted document not removed; the sweep will",
                        extra={"document_id": document_id})
        log.info("document deleted", extra={"document_id": document_id})
        return {"document_id": document_id, "deleted": True}

    @rpc(expected_exceptions=EXPECTED)
    def report_integrity_failure(self, actor, document_id):
        """The gateway found a blob altered while streaming it (system or staff): charts
        checks for itself, and if so marks the document and emits
        `document.integrity_failed` (once). → `{document_id, damaged: bool}`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            actor.require_staff()
        with self.db.read() as session:
            doc = store.documents.visible_document(session, actor, document_id)
            key, sha = doc.blob_key, doc.sha256
        intact = blob_intact(self.blobs, key, sha)
        if not intact:
            self._mark_damaged(actor, document_id)
        return {"document_id": document_id, "damaged": not intact}

    def _mark_damaged(self, actor, document_id):
        with self.db.transaction() as tx:
            doc = tx.session.get(Document, document_id)
            if doc.status == documents.DAMAGED:
                return
            doc.status = documents.DAMAGED
            events.DOCUMENT_INTEGRITY_FAILED.record(tx, actor, {
                "document_id": doc.id, "client_id": doc.client_id},
                practice_id=doc.practice_id)
        log.error("document blob failed its integrity check", extra={"document_id": document_id})
