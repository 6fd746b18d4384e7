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
    def record(cls, tx, actor, data):
        """Queue the event in `tx` (the outbox), checked against its published schema;
        returns the event id."""
        problems = cls.schema().validate(data)
        if problems:  # a bug in this service, not bad input: names only, no values
            raise ValueError(f"{cls.type} data does not match its schema: {sorted(problems)}")
        return tx.record(cls.type, data, actor, version=cls.version)


class ClientCreated(EventType):
    """`client.created` v1 — a client record was made.
    data: {client_id, client_name}"""
    type = "client.created"
    version = 1
    schema = schemas.ClientCreatedData


class ClientUpdated(EventType):
    """`client.updated` v1 — one save changed some of a client's details; exactly one
    event per save, however many fields changed.
    data: {client_id, client_name, tab: "basic", fields: [field names], batch_id,
    source: "portal" | "staff"}. `batch_id` finds the save's revisions."""
    type = "client.updated"
    version = 1
    schema = schemas.ClientUpdatedData


ALL = (ClientCreated, ClientUpdated)
