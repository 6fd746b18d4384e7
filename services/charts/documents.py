"""The rules of documents: which files are accepted (by content), how names are kept,
and who may see which document. Plain functions: no nameko, no SQL, no blob store.
"""
import re
import unicodedata

import filetype
import olefile

from services.common.errors import InvalidInput

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
SNIFF_BYTES = 8192

# kinds of document
PRACTICE, SHARED, UPLOAD = "practice", "shared", "upload"
# the staff permission (identity's roles) to share, take back and delete documents
UPLOAD_CLIENT_DOCUMENTS = "upload_client_documents"
# statuses
AVAILABLE, QUARANTINED, DAMAGED = "available", "quarantined", "integrity_failed"

# What clients may upload, by what the content is (never by name or claimed type).
ACCEPTED = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG image"),
    "image/png": ("png", "PNG image"),
    "image/heic": ("heic", "HEIC photo"),
    "image/heif": ("heic", "HEIC photo"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word document"),
    "application/msword": ("doc", "Word document"),
}
ACCEPTED_SENTENCE = "PDF, JPEG, PNG, HEIC, or Word (.doc, .docx)"
MS_DOC = "application/msword"
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


def sniff(head):
    """The accepted content type of a file from its first bytes, or InvalidInput with a
    sentence for people. An HTML page named .pdf, an executable or an archive is refused
    whatever its name says."""
    if not head:
        raise InvalidInput("empty_file", "The file is empty. Choose a file that has content.",
                           {"file": ["The file is empty."]})
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if head.startswith(_OLE2):
        # filetype names OLE2 files by guesswork on their first sectors (a Word file can
        # pass as PowerPoint, an installer as Word): a candidate legacy Word document,
        # which is_word_document decides on the container's own directory
        mime = MS_DOC
    if mime == "application/x-msdownload" or head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        raise InvalidInput("file_type_refused",
                           "Programs cannot be uploaded. Upload a " + ACCEPTED_SENTENCE + " file.",
                           {"file": ["Programs are not accepted."]})
    if mime not in ACCEPTED:
        raise InvalidInput("file_type_refused",
                           "This kind of file cannot be uploaded. Upload a "
                           + ACCEPTED_SENTENCE + " file (checked by its content, not its name).",
                           {"file": ["Only " + ACCEPTED_SENTENCE + " files are accepted."]})
    return mime


# An OLE2 container is also an Excel or PowerPoint file, an installer (.msi) or an
# Outlook message: only one holding the stream Word writes its text to is a Word document.
WORD_STREAM = "WordDocument"


def is_word_document(fileobj):
    """True when the OLE2 file `fileobj` (seekable, binary) is a legacy Word document."""
    try:
        with olefile.OleFileIO(fileobj) as ole:
            return ole.exists(WORD_STREAM)
    except Exception:  # a damaged or truncated container is no Word document either
        return False


def not_a_word_document():
    return InvalidInput("file_type_refused",
                        "This older Office file is not a Word document, and only Word "
                        "documents are accepted among those. Save spreadsheets, presentations "
                        "and other files as PDF and upload that.",
                        {"file": ["Only " + ACCEPTED_SENTENCE + " files are accepted."]})


def check_size(size):
    if size <= 0:
        raise InvalidInput("empty_file", "The file is empty. Choose a file that has content.",
                           {"file": ["The file is empty."]})
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInput("file_too_large", "The file is larger than 25 MB. "
                           "Upload a smaller file, or scan it at a lower resolution.",
                           {"file": ["Files can be at most 25 MB."]})


_UNSAFE = re.compile(r'[\\/:*?"<>|]')
FILENAME_RULE = ("File names cannot contain / or \\ (folder separators) or control "
                 "characters (such as line breaks, tabs or invisible direction marks).")


def check_filename(name):
    """A name that names a folder path or hides characters is refused, not cleaned: it is
    what an attack sends (../../etc/passwd, a NUL, a right-to-left override that makes
    "fdp.exe" read as "exe.pdf"), never what a person's browser sends."""
    text = str(name or "")
    if re.search(r"[\\/]", text) or any(unicodedata.category(ch) in ("Cc", "Cf")
                                          for ch in text):
        raise InvalidInput("filename_refused", FILENAME_RULE + " Rename the file and upload "
                           "it again.", {"file": [FILENAME_RULE]})


def safe_filename(name, mime=None, limit=120):
    """A display name safe to show and to put in Content-Disposition: no path (anything
    up to the last / or \\ is dropped), no control or format characters, no characters
    Windows refuses, no leading dots, bounded length, and an extension that matches the
    content when the given one does not."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    expected = ACCEPTED.get(mime, (None,))[0]
    if expected and ext.lower() not in (expected, "jpeg" if expected == "jpg" else expected):
        stem, ext = (text if dot == "" else f"{stem}.{ext}"), expected
    stem = stem.strip(" .") or "document"
    ext = ext[:10]
    stem = stem[: max(1, limit - len(ext) - 1)]
    return f"{stem}.{ext}" if ext else stem


# -- who may see which document ------------------------------------------------------------

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


def may_delete(actor, doc):
    """Staff with upload_client_documents delete any document of their practice. A client or a
    contact deletes only an upload it made itself, and only until staff first opened it
    (`reviewed_at`): from then on it is part of the record — they ask the practice."""
    from services.common.errors import Conflict
    if actor.is_staff:
        actor.require_staff(UPLOAD_CLIENT_DOCUMENTS)
        return
    if actor.is_system:
        return
    if doc.kind != UPLOAD or doc.uploaded_by_kind != actor.kind or doc.uploaded_by_id != actor.id:
        from services.common.errors import Forbidden
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
    from services.common.errors import Forbidden
    if actor.is_staff or actor.is_system:
        raise Forbidden("staff_share_instead",
                        "Staff add documents by sharing them with the client.")
    actor.require_client(client_id, "manage_documentation")
