"""The client record: create, read, search, and the Basic tab's save."""
import logging

from services.charts import domain, events, schemas, store
from services.charts.domain import tabs
from services.charts.models import Client
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)


class RecordEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def create_client(self, actor, payload):
        """Staff `edit_clients`: make a record (first and last name required) at version 1
        and emit `client.created`. Retrying with the same `id` returns the same record."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.records.CreateClient(), payload)
        client_id = cmd.pop("id")
        client_id = str(client_id) if client_id else None
        domain.records.check_record(cmd)
        with self.db.transaction() as tx:
            existing = tx.session.get(Client, client_id) if client_id else None
            if existing is not None:
                if existing.practice_id != actor.practice_id:
                    raise Conflict("id_taken", "That id is already in use.")
                return schemas.records.Client().dump(existing)
            client = Client(id=client_id, practice_id=actor.practice_id, version=1, **cmd)
            tx.session.add(client)
            tx.session.flush()
            events.CLIENT_CREATED.record(tx, actor, {"client_id": client.id})
            result = schemas.records.Client().dump(client)
        log.info("client created", extra={"client_id": result["id"]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_client(self, actor, client_id):
        """The record, for staff `view_clients` of its practice or an actor holding that
        client. Another practice's record, or one the actor does not hold, is NotFound."""
        actor = Actor.from_wire(actor)
        domain.access.require_reader(actor, client_id)
        with self.db.read() as session:
            return schemas.records.Client().dump(
                store.clients.client_of_practice(session, actor, client_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_clients(self, actor, payload=None):
        """Staff `view_clients`: `{query?, limit? (≤200), offset?, ids? (≤200)}` →
        `[{id, first_name, last_name, date_of_birth, email}]` of the actor's practice, by
        last then first name (then id: pages never overlap); `ids` keeps only those."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.records.ListClients(), payload)
        with self.db.read() as session:
            rows = store.clients.search_clients(
                session, actor.practice_id, cmd["query"], cmd["limit"], offset=cmd["offset"],
                ids=cmd["ids"])
            return schemas.records.ClientSummary(many=True).dump(rows)

    @rpc(expected_exceptions=EXPECTED)
    def update_demographics(self, actor, client_id, payload):
        """The Basic tab, and the record's own page ("my details"), which also edits the
        primary language (a Details field kept in `clients`). Save some of the details
        (partial) with the record's `version` the caller read (required): a Basic field
        changed since, or a language changed since that this save would change, is
        refused with Conflict("stale_version") whose fields["changed"] names what
        changed; a language changed since on Details never blocks a save of Basic's
        fields. A save that changes something writes one revision per changed field,
        bumps `version` and emits ONE `client.updated`, all in one transaction. A client
        or contact changing the legal name or date of birth is refused
        (Forbidden("identity_read_only"), fields naming them): staff correct those.
        Returns the record."""
        actor = Actor.from_wire(actor)
        domain.access.require_editor(actor, client_id)
        cmd = load(schemas.records.UpdateDemographics(), payload)
        read_version = cmd.pop("version")
        with self.db.transaction() as tx:
            client = store.clients.client_of_practice(tx.session, actor, client_id,
                                                      for_update=True)
            current = store.clients.values_of(client)
            changes = domain.records.diff(current, cmd)
            domain.records.refuse_identity_change(actor, changes)
            domain.records.refuse_stale_record(
                read_version, client.version,
                store.revisions.fields_changed_since(tx.session, client.id, read_version),
                [c.field for c in changes])
            domain.records.check_record({**current, **cmd})
            if changes:
                batch_id = store.clients.apply_changes(tx.session, client, changes, actor)
                events.record_client_updated(tx, actor, client, tabs.BASIC, changes,
                                             batch_id)
            result = schemas.records.Client().dump(client)
        log.info("client details saved", extra={"client_id": client_id,
                                                "changed_fields": len(changes)})
        return result
