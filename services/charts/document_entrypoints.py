"""charts entrypoints for documents: types, sharing, client uploads registered from the
blob store, downloads with their SHA-256 checked, deletion, and the sweep of blobs no
committed row points at (the kernel's, services.common.sweep). Mixed into ChartsService (docs/charts.md, "Documents")."""
import logging

from eventlet import tpool
from nameko.rpc import rpc
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.charts import documents, domain, events, queries, scanning, schemas, tabs
from services.charts.models import (
    Client,
    Document,
    DocumentType,
    Lease,
)
from services.common import blobstore
from services.common.actor import Actor
from services.common.clock import utcnow
from services.common.errors import (
    EXPECTED,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
)
from services.common.schemas import load
from services.common.sweep import OrphanBlobSweep

log = logging.getLogger(__name__)

# blobs charts owns live under this namespace of the store: "charts/<32 hex>"
BLOB_NAMESPACE = "charts"


class DocumentEntrypoints(OrphanBlobSweep):
    orphan_blob_namespace = BLOB_NAMESPACE
    orphan_lease = Lease

    # -- documents -------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def create_document_type(self, actor, payload):
        """Staff `edit_clients`: `{name, show_in_portal}` → `{id, name, show_in_portal}`.
        Only documents of a type shown in the portal are visible to clients."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.CreateDocumentType(), payload)
        with self.db.transaction() as tx:
            row = DocumentType(practice_id=actor.practice_id, **cmd)
            tx.session.add(row)
            tx.session.flush()
            return schemas.DocumentTypeOut().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def update_document_type(self, actor, type_id, payload):
        """Staff `edit_clients`: `{name?, show_in_portal?}`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.UpdateDocumentType(), payload)
        with self.db.transaction() as tx:
            row = queries.document_type(tx.session, actor.practice_id, type_id)
            if row is None:
                raise NotFound("not_found", "That document type does not exist.")
            for key, value in cmd.items():
                setattr(row, key, value)
            return schemas.DocumentTypeOut().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def list_document_types(self, actor):
        """Staff: every type of the practice; clients and contacts: those shown in the
        portal."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            query = select(DocumentType).where(DocumentType.practice_id == actor.practice_id)
            if not (actor.is_staff or actor.is_system):
                query = query.where(DocumentType.show_in_portal.is_(True))
            rows = session.execute(query.order_by(DocumentType.name)).scalars().all()
            return schemas.DocumentTypeOut(many=True).dump(rows)

    def _checked_blob(self, ref):
        """Re-check what the gateway stored: the blob exists, its size and SHA-256 are
        those claimed, and its first bytes are an accepted type. Anything refused is
        removed from the store (nothing is left behind). Returns the content type."""
        key = ref["blob_key"]
        try:
            blobstore.check_key(key)
            if not key.startswith(BLOB_NAMESPACE + "/"):
                raise blobstore.BadBlobKey(key)
            size = self.blobs.size(key)
        except (blobstore.BadBlobKey, blobstore.BlobNotFound):
            raise InvalidInput("blob_missing", "The uploaded file was not found. "
                               "Please upload it again.", {"blob_key": ["Unknown blob."]}) from None
        try:
            documents.check_filename(ref["filename"])
            documents.check_size(size)
            if size != ref["size"]:
                raise InvalidInput("upload_incomplete", "The upload did not complete. "
                                   "Please upload the file again.", {"size": ["Size differs."]})
            mime = documents.sniff(self.blobs.head(key, documents.SNIFF_BYTES))
            if not self._reading_whole_blob(self._verifies, key, ref["sha256"]):
                raise InvalidInput("upload_incomplete", "The upload did not complete. "
                                   "Please upload the file again.",
                                   {"sha256": ["Checksum differs."]})
            if mime == documents.MS_DOC and not self._reading_whole_blob(
                    self._is_word, key, ref["sha256"]):
                raise documents.not_a_word_document()
        except InvalidInput:
            self.blobs.delete(key)
            raise
        return mime

    def _reading_whole_blob(self, read, *args):
        """Run `read(*args)`, which goes through a whole blob: in a native thread when
        the store's I/O would block the hub (a folder), on this green thread when it
        already cooperates (S3 over green sockets, which a native thread must not use)."""
        if self.blobs.blocks_hub:
            return tpool.execute(read, *args)
        return read(*args)

    def _is_word(self, key, sha256):
        # the container's directory may be anywhere in the file: read it from the store
        with self.blobs.open(key, sha256) as blob:
            return documents.is_word_document(blob)

    def _verifies(self, key, sha256):
        try:
            return self.blobs.verify(key, sha256)
        except blobstore.BlobIntegrityError:
            return False

    def _registered_before(self, session, actor, ref):
        """The document an earlier call with the same upload id made (a retry after a
        timeout), or None. The blob of this try is then a second copy nobody will name:
        it is removed. Someone else's upload id is refused (and its blob removed)."""
        if not ref.get("upload_id"):
            return None
        existing = session.execute(select(Document).where(
            Document.upload_id == str(ref["upload_id"]))).scalar_one_or_none()
        if existing is None:
            return None
        if existing.blob_key != ref["blob_key"]:
            self.blobs.delete(ref["blob_key"])
        if existing.practice_id != actor.practice_id or existing.uploaded_by_id != actor.id:
            raise Conflict("upload_id_taken", "That upload id belongs to another upload. "
                           "Send the file again without it.")
        return existing

    def _new_document(self, tx, actor, ref, mime, kind, client_id, **extra):
        filename = documents.safe_filename(ref["filename"], mime)
        title = " ".join((ref.get("title") or "").split())[:200] or filename
        existing = tx.session.execute(select(Document).where(
            Document.blob_key == ref["blob_key"])).scalar_one_or_none()
        if existing is not None:  # a retry of the same registration
            if existing.practice_id != actor.practice_id or existing.uploaded_by_id != actor.id:
                raise Conflict("blob_taken", "That file is already registered.")
            return existing, False
        earlier = self._registered_before(tx.session, actor, ref)
        if earlier is not None:  # the first try committed while this one was checked
            return earlier, False
        upload_id = str(ref["upload_id"]) if ref.get("upload_id") else None
        doc = Document(practice_id=actor.practice_id, client_id=client_id, kind=kind,
                       title=title, filename=filename, content_type=mime, size=ref["size"],
                       sha256=ref["sha256"], blob_key=ref["blob_key"], upload_id=upload_id,
                       status=documents.AVAILABLE, uploaded_by_kind=actor.kind,
                       uploaded_by_id=actor.id, created_at=utcnow(), **extra)
        tx.session.add(doc)
        tx.session.flush()
        return doc, True

    def _registering(self, actor, ref, write):
        """Run `write(tx)` → (doc, new) in a transaction. Two tries of one upload racing
        (the first still scanning when the retry arrives) meet at the unique upload id:
        the loser returns the winner's document."""
        try:
            with self.db.transaction() as tx:
                return write(tx)
        except IntegrityError:
            with self.db.read() as session:
                existing = self._registered_before(session, actor, ref)
                if existing is None:
                    raise
                return existing, False

    def _document_result(self, doc):
        if doc.status == documents.QUARANTINED:
            raise self._infected()
        return schemas.DocumentOut().dump(doc)

    @rpc(expected_exceptions=EXPECTED)
    def register_upload(self, actor, client_id, payload):
        """A client (own chart) or a contact with `manage_documentation` registers a file
        the gateway streamed to the blob store: `{blob_key, sha256, size, content_type,
        filename, title?}`. Needs the practice setting `client_uploads_enabled`
        (else Forbidden("uploads_disabled")). The blob is re-checked (size ≤ 25 MB and
        not empty, type by content, SHA-256); a refused blob is deleted. Commits the row
        and emits `document.uploaded`. Retrying with the same blob_key, or the same
        `upload_id` (the gateway's id of one upload), returns the same document — a retry
        after a timeout never makes a second one. Returns the document."""
        actor = Actor.from_wire(actor)
        documents.require_uploader(actor, client_id)
        ref = load(schemas.RegisterUpload(), payload)
        with self.db.read() as session:
            client = queries.client_of_practice(session, actor, client_id)
            settings = queries.settings_dict(queries.settings_of(session, client.practice_id))
            earlier = self._registered_before(session, actor, ref)
            if earlier is not None:
                return self._document_result(earlier)
        if not settings["client_uploads_enabled"]:
            raise Forbidden("uploads_disabled", "This practice does not accept uploads "
                            "through the portal. Please call the practice.")
        mime = self._checked_blob(ref)
        verdict = self._scanned(ref)

        def write(tx):
            client = queries.client_of_practice(tx.session, actor, client_id)
            doc, new = self._new_document(tx, actor, ref, mime, documents.UPLOAD, client.id)
            if new and not verdict.clean:
                self._quarantine(tx, actor, doc, client)
            elif new:
                events.DOCUMENT_UPLOADED.record(tx, actor, {
                    "document_id": doc.id, "client_id": client.id,
                    "uploaded_by_kind": actor.kind, "content_type": mime, "size": doc.size})
            return doc, new
        doc, _ = self._registering(actor, ref, write)
        result = self._document_result(doc)
        log.info("upload registered", extra={"document_id": result["id"], "client_id": client_id})
        return result

    def _scanned(self, ref):
        """The virus scanner's verdict on the (verified) blob; with no scanner configured,
        clean. A scanner that cannot answer refuses the file (fail closed) and the blob
        is removed: Unavailable("scanner_unavailable")."""
        if not self.scanner.enabled:
            return scanning.Verdict(clean=True)
        try:
            with self.blobs.open(ref["blob_key"], ref["sha256"]) as blob:
                return self.scanner.scan(blob)
        except (scanning.ScanUnavailable, blobstore.BlobError):
            self.blobs.delete(ref["blob_key"])
            log.error("virus scan unavailable; upload refused")
            raise Unavailable("scanner_unavailable", "The file could not be checked for "
                              "viruses just now. Please try again in a few minutes.") from None

    def _quarantine(self, tx, actor, doc, client):
        """An infected file is kept out of reach (status quarantined: nobody but staff
        sees it, nobody downloads it) and staff are alerted."""
        doc.status = documents.QUARANTINED
        events.DOCUMENT_QUARANTINED.record(tx, actor, {
            "document_id": doc.id, "client_id": client.id if client else None})
        log.error("infected upload quarantined", extra={"document_id": doc.id})

    @staticmethod
    def _infected():
        return InvalidInput("file_infected", "This file appears to contain a virus and was "
                            "not accepted. The practice has been told.",
                            {"file": ["The file did not pass the virus check."]})

    @rpc(expected_exceptions=EXPECTED)
    def share_document(self, actor, payload):
        """Staff `upload_client_documents` add a document from the blob store: `{blob_key, sha256,
        size, content_type, filename, title?, type_id?, client_id?, contact_id?}`. Without
        client_id it is a practice document for all clients; with it, shared with that
        client (or, with contact_id, only with that contact of the client), and
        `document.shared` is emitted. Same content checks, and the same `upload_id`
        retries, as uploads."""
        actor = Actor.from_wire(actor)
        actor.require_staff(documents.UPLOAD_CLIENT_DOCUMENTS)
        ref = load(schemas.ShareDocument(), payload)
        client_id, contact_id, type_id = ref.pop("client_id"), ref.pop("contact_id"), ref.pop("type_id")
        if contact_id and not client_id:
            raise InvalidInput("invalid_input", "Choose the client the contact belongs to.",
                               {"client_id": ["Required with contact_id."]})
        with self.db.read() as session:
            if type_id and queries.document_type(session, actor.practice_id, type_id) is None:
                raise InvalidInput("invalid_input", "Choose a document type of this practice.",
                                   {"type_id": ["Unknown document type."]})
            if client_id:
                queries.client_of_practice(session, actor, client_id)
            earlier = self._registered_before(session, actor, ref)
            if earlier is not None:
                return self._document_result(earlier)
        mime = self._checked_blob(ref)
        verdict = self._scanned(ref)

        def write(tx):
            kind = documents.SHARED if client_id else documents.PRACTICE
            doc, new = self._new_document(tx, actor, ref, mime, kind, client_id,
                                          contact_id=contact_id, type_id=type_id)
            if new and not verdict.clean:
                client = tx.session.get(Client, client_id) if client_id else None
                self._quarantine(tx, actor, doc, client)
            elif new and client_id:
                client = queries.client_of_practice(tx.session, actor, client_id)
                events.DOCUMENT_SHARED.record(tx, actor, {
                    "document_id": doc.id, "client_id": client.id,
                    "contact_id": contact_id, "type_id": type_id})
            return doc, new
        doc, _ = self._registering(actor, ref, write)
        return self._document_result(doc)

    @rpc(expected_exceptions=EXPECTED)
    def list_documents(self, actor, payload=None):
        """`{client_id?}` → the documents the actor may see: practice documents, and with
        client_id that client's (see docs/charts.md for who sees what), newest first."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.ListDocuments(), payload)
        if cmd["client_id"]:
            domain.require_reader(actor, cmd["client_id"])
        elif actor.is_staff:
            actor.require_staff("view_clients")
        with self.db.read() as session:
            if cmd["client_id"]:
                queries.client_of_practice(session, actor, cmd["client_id"])
            return schemas.DocumentOut(many=True).dump(
                queries.documents_for(session, actor, cmd["client_id"]))

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
            doc = queries.visible_document(session, actor, document_id)
            if doc.status == documents.DAMAGED:
                raise self._damaged()
            if doc.status != documents.AVAILABLE:
                raise Conflict("document_unavailable", "This document is not available.")
            found = {"document_id": doc.id, "blob_key": doc.blob_key, "sha256": doc.sha256,
                     "filename": doc.filename, "content_type": doc.content_type,
                     "size": doc.size}
        try:
            intact = self._reading_whole_blob(self._verifies, found["blob_key"],
                                              found["sha256"])
        except blobstore.BlobNotFound:
            intact = False
        if not intact:
            self._mark_damaged(actor, document_id)
            raise self._damaged()
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
            doc = queries.visible_document(tx.session, actor, document_id)
            if doc.kind == documents.UPLOAD:
                raise Conflict("not_shared", "An upload is not shared by the practice: "
                               "delete it instead.")
            if doc.unshared_at is None:
                doc.unshared_at, doc.unshared_by = utcnow(), actor.id
                events.DOCUMENT_UNSHARED.record(tx, actor, {
                    "document_id": doc.id, "kind": doc.kind, "client_id": doc.client_id,
                    "contact_id": doc.contact_id})
            return schemas.DocumentOut().dump(doc)

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
            doc = queries.visible_document(tx.session, actor, document_id)
            documents.may_delete(actor, doc)
            if doc.client_id:
                client = tx.session.get(Client, doc.client_id)
                used = documents.card_fields_naming(
                    doc.id, queries.tab_row(tx.session, client, tabs.INSURANCE).values)
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
            doc = queries.visible_document(session, actor, document_id)
            key, sha = doc.blob_key, doc.sha256
        try:
            intact = self._reading_whole_blob(self._verifies, key, sha)
        except blobstore.BlobNotFound:
            intact = False
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

    @staticmethod
    def _damaged():
        return Conflict("document_damaged", "This document cannot be opened because it was "
                        "damaged in storage. The practice has been told.")

    @rpc(expected_exceptions=EXPECTED)
    def get_client_name(self, actor, client_id):
        """System only (notify): `{client_id, client_name}` — events carry only the id, and
        a staff alert names the client. NotFound for an unknown record."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        with self.db.read() as session:
            client = session.get(Client, client_id)
            if client is None or (actor.practice_id and client.practice_id != actor.practice_id):
                raise NotFound("not_found", "That record does not exist.")
            return {"client_id": client.id,
                    "client_name": domain.client_name(queries.values_of(client))}

    @rpc(expected_exceptions=EXPECTED)
    def get_notification_address(self, actor, client_id):
        """System only (notify): `{email, may_email}` of a client, to tell them that
        something is new — never put in events."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        with self.db.read() as session:
            client = session.get(Client, client_id)
            # an event of one practice naming another's client mails nobody
            if client is None or (actor.practice_id and client.practice_id != actor.practice_id):
                raise NotFound("not_found", "That record does not exist.")
            prefs = queries.tab_row(session, client, tabs.COMMUNICATION).values or {}
            return {"email": client.email, "may_email": prefs.get("email_ok") is not False}

    # -- orphan blobs (services.common.sweep: the RPC sweep_orphan_blobs and its timer) --

    def referenced_blob_keys(self, session, keys):
        """The keys a document row names: the rest of `charts/` is swept."""
        return queries.blob_keys_known(session, keys)
