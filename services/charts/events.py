"""The events charts publishes on the topic exchange `charts.events` (routing key = type).

Each goes through the outbox: it leaves the service only if the save that made it true
committed. Data carries ids, the client's name and the *names* of changed fields — never
chart values. Bump `version` on a breaking change of the data.
"""
from services.charts import schemas


class EventType:
    type = None
    version = 1
    schema = None

    @classmethod
    def record(cls, tx, actor, data, practice_id=None):
        """Queue the event in `tx` (the outbox), checked against its published schema;
        returns the event id."""
        problems = cls.schema().validate(data)
        if problems:  # a bug in this service, not bad input: names only, no values
            raise ValueError(f"{cls.type} data does not match its schema: {sorted(problems)}")
        return tx.record(cls.type, data, actor, version=cls.version, practice_id=practice_id)


class ClientCreated(EventType):
    """`client.created` v1
    A client record was made.
    data: {client_id, client_name}"""
    type = "client.created"
    version = 1
    schema = schemas.ClientCreatedData


class ClientUpdated(EventType):
    """`client.updated` v1
    One save of one chart tab changed some of a client's details (also a staff revert):
    exactly one event per saved tab, however many fields changed.
    data: {client_id, client_name, tab: basic|details|contacts|insurance|communication,
    fields: [Basic's field names, or dotted paths within the tab such as
    "primary.member_id"], batch_id, source: "portal" | "staff"}. Names, never values;
    `batch_id` finds the save's revisions."""
    type = "client.updated"
    version = 1
    schema = schemas.ClientUpdatedData





class InsuranceUpdated(EventType):
    """`insurance.updated` v1
    A save of the Insurance tab changed something (emitted beside that save's
    `client.updated`).
    data: {client_id, client_name, coverages: ["primary"|"secondary"], fields, batch_id,
    source}."""
    type = "insurance.updated"
    version = 1
    schema = schemas.InsuranceUpdatedData


class DocumentShared(EventType):
    """`document.shared` v1
    Staff shared a document with one client (contact_id null) or with one contact of
    that client.
    data: {document_id, client_id, client_name, contact_id, type_id}."""
    type = "document.shared"
    version = 1
    schema = schemas.DocumentSharedData


class DocumentUploaded(EventType):
    """`document.uploaded` v1
    A client or contact uploaded a file; its type was checked by content (and, when
    configured, it passed the virus scan).
    data: {document_id, client_id, client_name, uploaded_by_kind, content_type, size}."""
    type = "document.uploaded"
    version = 1
    schema = schemas.DocumentUploadedData


class DocumentIntegrityFailed(EventType):
    """`document.integrity_failed` v1
    A document's blob no longer matches its SHA-256: downloads of it are refused from
    now on.
    data: {document_id, client_id, client_name}."""
    type = "document.integrity_failed"
    version = 1
    schema = schemas.DocumentIntegrityFailedData


class DocumentQuarantined(EventType):
    """`document.quarantined` v1
    The virus scanner found something in a file: it is kept out of reach (no one
    downloads it) for staff to deal with.
    data: {document_id, client_id, client_name}."""
    type = "document.quarantined"
    version = 1
    schema = schemas.DocumentIntegrityFailedData


ALL = (ClientCreated, ClientUpdated, InsuranceUpdated, DocumentShared, DocumentUploaded,
       DocumentIntegrityFailed, DocumentQuarantined)
