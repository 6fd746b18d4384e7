"""Files that enter the chart from the blob store: a client's or contact's upload, and a
document staff share. Each blob is re-checked (size, type by content, SHA-256), scanned
for viruses when a scanner is configured, and registered once however often the call is
retried (docs/charts.md, "Documents")."""
import logging

from sqlalchemy.exc import IntegrityError

from services.charts import events, schemas, store
from services.charts.dependencies import ScanUnavailable, Verdict
from services.charts.domain import documents, files
from services.charts.entrypoints.documents import is_word, reading_whole_blob, verifies
from services.charts.models import Client, Document
from services.common import blobstore
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput, Unavailable
from services.common.rpc import rpc
from services.common.schemas import load
from services.common.times import utcnow

log = logging.getLogger(__name__)


def infected():
    return InvalidInput("file_infected", "This file appears to contain a virus and was "
                        "not accepted. The practice has been told.",
                        {"file": ["The file did not pass the virus check."]})


def document_result(doc, type_in_portal=None):
    """The document as registered; a share also says whether it reaches the portal."""
    if doc.status == documents.QUARANTINED:
        raise infected()
    result = schemas.documents.DocumentOut().dump(doc)
    if type_in_portal is not None:
        result["shown_in_portal"] = documents.reaches_portal(doc, type_in_portal)
    return result


def upload_incomplete(field, problem):
    return InvalidInput("upload_incomplete", "The upload did not complete. "
                        "Please upload the file again.", {field: [problem]})


class UploadEntrypoints:
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
        ref = load(schemas.documents.RegisterUpload(), payload)
        with self.db.read() as session:
            client = store.clients.client_of_practice(session, actor, client_id)
            settings = store.settings.settings_for(session, client.practice_id)
            earlier = self._registered_before(session, actor, ref)
            if earlier is not None:
                return document_result(earlier)
        if not settings["client_uploads_enabled"]:
            raise Forbidden("uploads_disabled", "This practice does not accept uploads "
                            "through the portal. Please call the practice.")
        mime = self._checked_blob(ref)
        verdict = self._scanned(ref)

        def write(tx):
            client = store.clients.client_of_practice(tx.session, actor, client_id)
            doc, new = self._new_document(tx, actor, ref, mime, documents.UPLOAD, client.id)
            if new and not verdict.clean:
                self._quarantine(tx, actor, doc, client)
            elif new:
                events.DOCUMENT_UPLOADED.record(tx, actor, {
                    "document_id": doc.id, "client_id": client.id,
                    "uploaded_by_kind": actor.kind, "content_type": mime, "size": doc.size})
            return doc, new
        doc, _ = self._registering(actor, ref, write)
        result = document_result(doc)
        log.info("upload registered", extra={"document_id": result["id"], "client_id": client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def share_document(self, actor, payload):
        """Staff `upload_client_documents` add a document from the blob store: `{blob_key, sha256,
        size, content_type, filename, title?, type_id?, client_id?, contact_id?}`. Without
        client_id it is a practice document for all clients; with it, shared with that
        client (or, with contact_id, only with that contact of the client), and
        `document.shared` is emitted. Same content checks, and the same `upload_id`
        retries, as uploads. An archived type is refused (InvalidInput, `type_id`). The
        result's `shown_in_portal` is false when the client (or contact) will not see it:
        no type, or a type not shown in the portal."""
        actor = Actor.from_wire(actor)
        actor.require_staff(documents.UPLOAD_CLIENT_DOCUMENTS)
        ref = load(schemas.documents.ShareDocument(), payload)
        client_id, contact_id, type_id = ref.pop("client_id"), ref.pop("contact_id"), ref.pop("type_id")
        if contact_id and not client_id:
            raise InvalidInput("invalid_input", "Choose the client the contact belongs to.",
                               {"client_id": ["Required with contact_id."]})
        with self.db.read() as session:
            doc_type = store.documents.document_type(session, actor.practice_id, type_id)
            if type_id and doc_type is None:
                raise InvalidInput("invalid_input", "Choose a document type of this practice.",
                                   {"type_id": ["Unknown document type."]})
            in_portal = bool(doc_type and doc_type.show_in_portal)
            if client_id:
                store.clients.client_of_practice(session, actor, client_id)
            earlier = self._registered_before(session, actor, ref)
            if earlier is not None:
                return document_result(earlier, in_portal)
            if doc_type is not None and doc_type.archived_at is not None:
                raise InvalidInput("type_archived", "That document type is archived. Choose "
                                   "another type.", {"type_id": ["This type is archived."]})
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
                client = store.clients.client_of_practice(tx.session, actor, client_id)
                events.DOCUMENT_SHARED.record(tx, actor, {
                    "document_id": doc.id, "client_id": client.id,
                    "contact_id": contact_id, "type_id": type_id})
            return doc, new
        doc, _ = self._registering(actor, ref, write)
        return document_result(doc, in_portal)

    # -- the steps both take -------------------------------------------------------------

    def _checked_blob(self, ref):
        """Re-check what the gateway stored: the blob exists, its size and SHA-256 are
        those claimed, and its first bytes are an accepted type. Anything refused is
        removed from the store (nothing is left behind). Returns the content type."""
        key = ref["blob_key"]
        try:
            blobstore.check_key(key)
            if not key.startswith(files.BLOB_NAMESPACE + "/"):
                raise blobstore.BadBlobKey(key)
            size = self.blobs.size(key)
        except (blobstore.BadBlobKey, blobstore.BlobNotFound):
            raise InvalidInput("blob_missing", "The uploaded file was not found. "
                               "Please upload it again.", {"blob_key": ["Unknown blob."]}) from None
        try:
            files.check_filename(ref["filename"])
            files.check_size(size)
            if size != ref["size"]:
                raise upload_incomplete("size", "Size differs.")
            mime = files.sniff(self.blobs.head(key, files.SNIFF_BYTES))
            if not reading_whole_blob(self.blobs, verifies, key, ref["sha256"]):
                raise upload_incomplete("sha256", "Checksum differs.")
            if mime == files.MS_DOC and not reading_whole_blob(
                    self.blobs, is_word, key, ref["sha256"]):
                raise files.not_a_word_document()
        except InvalidInput:
            self.blobs.delete(key)
            raise
        return mime

    def _scanned(self, ref):
        """The virus scanner's verdict on the (verified) blob; with no scanner configured,
        clean. A scanner that cannot answer refuses the file (fail closed) and the blob
        is removed: Unavailable("scanner_unavailable")."""
        if not self.scanner.enabled:
            return Verdict(clean=True)
        try:
            with self.blobs.open(ref["blob_key"], ref["sha256"]) as blob:
                return self.scanner.scan(blob)
        except (ScanUnavailable, blobstore.BlobError):
            self.blobs.delete(ref["blob_key"])
            log.error("virus scan unavailable; upload refused")
            raise Unavailable("scanner_unavailable", "The file could not be checked for "
                              "viruses just now. Please try again in a few minutes.") from None

    def _registered_before(self, session, actor, ref):
        """The document an earlier call with the same upload id made (a retry after a
        timeout), or None. The blob of this try is then a second copy nobody will name:
        it is removed. Someone else's upload id is refused (and its blob removed)."""
        if not ref.get("upload_id"):
            return None
        existing = store.documents.by_upload_id(session, ref["upload_id"])
        if existing is None:
            return None
        if existing.blob_key != ref["blob_key"]:
            self.blobs.delete(ref["blob_key"])
        if existing.practice_id != actor.practice_id or existing.uploaded_by_id != actor.id:
            raise Conflict("upload_id_taken", "That upload id belongs to another upload. "
                           "Send the file again without it.")
        return existing

    def _new_document(self, tx, actor, ref, mime, kind, client_id, **extra):
        filename = files.safe_filename(ref["filename"], mime)
        title = " ".join((ref.get("title") or "").split())[:200] or filename
        existing = store.documents.by_blob_key(tx.session, ref["blob_key"])
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

    def _quarantine(self, tx, actor, doc, client):
        """An infected file is kept out of reach (status quarantined: nobody but staff
        sees it, nobody downloads it) and staff are alerted."""
        doc.status = documents.QUARANTINED
        events.DOCUMENT_QUARANTINED.record(tx, actor, {
            "document_id": doc.id, "client_id": client.id if client else None})
        log.error("infected upload quarantined", extra={"document_id": doc.id})
