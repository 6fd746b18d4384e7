"""The events charts publishes on the topic exchange `charts.events` (routing key = type).

Each goes through the outbox: it leaves the service only if the save that made it true
committed. Data carries ids and the *names* of tabs and changed fields — never a name,
date of birth, address, phone, email or any other chart value: these go to other practice
systems. (Version 2 of the client and document events dropped v1's `client_name`: a
consumer that needs it asks by `client_id`.) Bump `version` on a breaking change of the
data.
"""
from services.charts.domain import records, tabs
from services.charts.schemas import event_data
from services.common.events import EventType


CLIENT_CREATED = EventType("client.created", 2, """\
`client.created` v2
A client record was made.
data: {client_id}. (v1 also carried client_name.)""", schema=event_data.ClientCreatedData)


CLIENT_UPDATED = EventType("client.updated", 2, """\
`client.updated` v2
One save of one chart tab changed some of a client's details (also a staff revert):
exactly one event per saved tab, however many fields changed.
data: {client_id, tab: basic|details|contacts|insurance|communication,
fields: [Basic's field names, or dotted paths within the tab such as
"primary.member_id"], batch_id, source: "portal" | "staff"}. Names, never values;
`batch_id` finds the save's revisions. (v1 also carried client_name.)""", schema=event_data.ClientUpdatedData)


INSURANCE_UPDATED = EventType("insurance.updated", 2, """\
`insurance.updated` v2
A save of the Insurance tab changed something (emitted beside that save's
`client.updated`).
data: {client_id, coverages: ["primary"|"secondary"], fields, batch_id, source}.
(v1 also carried client_name.)""", schema=event_data.InsuranceUpdatedData)


DOCUMENT_SHARED = EventType("document.shared", 2, """\
`document.shared` v2
Staff shared a document with one client (contact_id null) or with one contact of
that client.
data: {document_id, client_id, contact_id, type_id}. (v1 also carried client_name.)""", schema=event_data.DocumentSharedData)


DOCUMENT_UPLOADED = EventType("document.uploaded", 2, """\
`document.uploaded` v2
A client or contact uploaded a file; its type was checked by content (and, when
configured, it passed the virus scan).
data: {document_id, client_id, uploaded_by_kind, content_type (of the checked content),
size (bytes)}. (v1 also carried client_name.)""", schema=event_data.DocumentUploadedData)


DOCUMENT_INTEGRITY_FAILED = EventType("document.integrity_failed", 2, """\
`document.integrity_failed` v2
A document's blob no longer matches its SHA-256: downloads of it are refused from
now on.
data: {document_id, client_id}. (v1 also carried client_name.)""", schema=event_data.DocumentIntegrityFailedData)


DOCUMENT_QUARANTINED = EventType("document.quarantined", 2, """\
`document.quarantined` v2
The virus scanner found something in a file: it is kept out of reach (no one
downloads it) for staff to deal with.
data: {document_id, client_id}. (v1 also carried client_name.)""", schema=event_data.DocumentIntegrityFailedData)


DOCUMENT_UNSHARED = EventType("document.unshared", 1, """\
`document.unshared` v1
Staff took back a practice document or a document shared with a client (or one
contact): clients and contacts no longer see or download it; staff still do.
data: {document_id, kind: practice|shared, client_id (null for a practice document),
contact_id}.""", schema=event_data.DocumentUnsharedData)


DOCUMENT_DELETED = EventType("document.deleted", 1, """\
`document.deleted` v1
A document was deleted — by staff, or by the client or contact who uploaded it before
staff opened it. Its row is gone and its blob is removed from the store after the
deletion committed.
data: {document_id, kind: practice|shared|upload, client_id, contact_id,
deleted_by_kind: staff|client|contact|system}.""", schema=event_data.DocumentDeletedData)


SETTINGS_UPDATED = EventType("settings.updated", 1, """\
`settings.updated` v1
A practice's charts settings were saved (the envelope's practice_id says whose). The data
is the whole settings object as `get_settings` returns it, so a cache (the gateway's
settings read model) can replace its copy without asking; `version` orders them.
data: {allow_clients_update_insurance, client_uploads_enabled, extra_fields: [{key,
label, type, choices?, max_length?}], version}.""", schema=event_data.SettingsUpdatedData)


ALL = (CLIENT_CREATED, CLIENT_UPDATED, INSURANCE_UPDATED, DOCUMENT_SHARED, DOCUMENT_UPLOADED,
       DOCUMENT_INTEGRITY_FAILED, DOCUMENT_QUARANTINED, DOCUMENT_UNSHARED, DOCUMENT_DELETED,
       SETTINGS_UPDATED)


def record_client_updated(tx, actor, client, tab, changes, batch_id):
    """ONE `client.updated` per saved tab (and `insurance.updated` for Insurance)."""
    fields = [c.field for c in changes]
    source = records.source_for(actor)
    CLIENT_UPDATED.record(tx, actor, {
        "client_id": client.id, "tab": tab, "fields": fields,
        "batch_id": batch_id, "source": source})
    if tab == tabs.INSURANCE:
        coverages = sorted({f.split(".")[0] for f in fields})
        INSURANCE_UPDATED.record(tx, actor, {
            "client_id": client.id, "coverages": coverages,
            "fields": fields, "batch_id": batch_id, "source": source})
