"""Which files charts accepts (by content, never by name), how their names are kept, and
where their blobs live. Plain functions: no nameko, no SQL, no blob store.
"""
import re
import unicodedata

import filetype
import olefile

from services.common.errors import InvalidInput

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
SNIFF_BYTES = 8192
# blobs charts owns live under this namespace of the store: "charts/<32 hex>"
BLOB_NAMESPACE = "charts"

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
