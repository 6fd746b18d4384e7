"""The events charts publishes on the topic exchange `charts.events` (routing key = type).

Each goes through the outbox: it leaves the service only if the save that made it true
committed. Data carries ids, the client's name and the *names* of changed fields — never
chart values. Bump `version` on a breaking change of the data.
"""
from services.charts import schemas
from services.common.events import EventType


CLIENT_CREATED = EventType("client.created", 1, """\
`client.created` v1
A client record was made.
data: {client_id, client_name}""", schema=schemas.ClientCreatedData)


CLIENT_UPDATED = EventType("client.updated", 1, """\
`client.updated` v1
One save of one chart tab changed some of a client's details (also a staff revert):
exactly one event per saved tab, however many fields changed.
data: {client_id, client_name, tab: basic|details|contacts|insurance|communication,
fields: [Basic's field names, or dotted paths within the tab such as
"primary.member_id"], batch_id, source: "portal" | "staff"}. Names, never values;
`batch_id` finds the save's revisions.""", schema=schemas.ClientUpdatedData)


INSURANCE_UPDATED = EventType("insurance.updated", 1, """\
`insurance.updated` v1
A save of the Insurance tab changed something (emitted beside that save's
`client.updated`).
data: {client_id, client_name, coverages: ["primary"|"secondary"], fields, batch_id,
source}.""", schema=schemas.InsuranceUpdatedData)


DOCUMENT_SHARED = EventType("document.shared", 1, """\
`document.shared` v1
Staff shared a document with one client (contact_id null) or with one contact of
that client.
data: {document_id, client_id, client_name, contact_id, type_id}.""", schema=schemas.DocumentSharedData)


DOCUMENT_UPLOADED = EventType("document.uploaded", 1, """\
`document.uploaded` v1
A client or contact uploaded a file; its type was checked by content (and, when
configured, it passed the virus scan).
data: {document_id, client_id, client_name, uploaded_by_kind, content_type, size}.""", schema=schemas.DocumentUploadedData)


DOCUMENT_INTEGRITY_FAILED = EventType("document.integrity_failed", 1, """\
`document.integrity_failed` v1
A document's blob no longer matches its SHA-256: downloads of it are refused from
now on.
data: {document_id, client_id, client_name}.""", schema=schemas.DocumentIntegrityFailedData)


DOCUMENT_QUARANTINED = EventType("document.quarantined", 1, """\
`document.quarantined` v1
The virus scanner found something in a file: it is kept out of reach (no one
downloads it) for staff to deal with.
data: {document_id, client_id, client_name}.""", schema=schemas.DocumentIntegrityFailedData)


DOCUMENT_UNSHARED = EventType("document.unshared", 1, """\
`document.unshared` v1
Staff took back a practice document or a document shared with a client (or one
contact): clients and contacts no longer see or download it; staff still do.
data: {document_id, kind: practice|shared, client_id (null for a practice document),
contact_id}.""", schema=schemas.DocumentUnsharedData)


DOCUMENT_DELETED = EventType("document.deleted", 1, """\
`document.deleted` v1
A document was deleted — by staff, or by the client or contact who uploaded it before
staff opened it. Its row is gone and its blob is removed from the store after the
deletion committed.
data: {document_id, kind: practice|shared|upload, client_id, contact_id,
deleted_by_kind: staff|client|contact|system}.""", schema=schemas.DocumentDeletedData)


SETTINGS_UPDATED = EventType("settings.updated", 1, """\
`settings.updated` v1
A practice's charts settings were saved (the envelope's practice_id says whose). The data
is the whole settings object as `get_settings` returns it, so a cache (the gateway's
settings read model) can replace its copy without asking; `version` orders them.
data: {allow_clients_update_insurance, client_uploads_enabled, extra_fields: [{key,
label, type, choices?, max_length?}], version}.""", schema=schemas.SettingsUpdatedData)


ALL = (CLIENT_CREATED, CLIENT_UPDATED, INSURANCE_UPDATED, DOCUMENT_SHARED, DOCUMENT_UPLOADED,
       DOCUMENT_INTEGRITY_FAILED, DOCUMENT_QUARANTINED, DOCUMENT_UNSHARED, DOCUMENT_DELETED,
       SETTINGS_UPDATED)
