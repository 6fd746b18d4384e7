"""charts: client records and their revisions (docs/contracts.md, "charts").

Entrypoints only: parse, check the actor, open the transaction, call the domain, record
the event, dump the result. Log lines carry ids and counts, never chart values.
"""
import logging

from nameko.rpc import rpc

from services.charts import domain, events, queries, schemas
from services.charts.models import Base, Client
from services.common.actor import Actor
from services.common.db import Database
from services.common.errors import EXPECTED, Conflict
from services.common.logs import CorrelationId
from services.common.schemas import load

log = logging.getLogger(__name__)


class ChartsService:
    name = "charts"

    db = Database(Base)
    correlation = CorrelationId()

    @rpc(expected_exceptions=EXPECTED)
    def create_client(self, actor, payload):
        """Staff `edit_clients`: make a record (first and last name required) at version 1
        and emit `client.created`. Retrying with the same `id` returns the same record."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.CreateClient(), payload)
        client_id = cmd.pop("id")
        client_id = str(client_id) if client_id else None
        domain.check_record(cmd)
        with self.db.transaction() as tx:
            existing = tx.session.get(Client, client_id) if client_id else None
            if existing is not None:
                if existing.practice_id != actor.practice_id:
                    raise Conflict("id_taken", "That id is already in use.")
                return schemas.Client().dump(existing)
            client = Client(id=client_id, practice_id=actor.practice_id, version=1, **cmd)
            tx.session.add(client)
            tx.session.flush()
            events.ClientCreated.record(tx, actor, {
                "client_id": client.id, "client_name": domain.client_name(cmd)})
            result = schemas.Client().dump(client)
        log.info("client created", extra={"client_id": result["id"]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_client(self, actor, client_id):
        """The record, for staff `view_clients` of its practice or an actor holding that
        client. Another practice's record, or one the actor does not hold, is NotFound."""
        actor = Actor.from_wire(actor)
        domain.require_reader(actor, client_id)
        with self.db.read() as session:
            return schemas.Client().dump(queries.client_of_practice(session, actor, client_id))

    @rpc(expected_exceptions=EXPECTED)
    def list_clients(self, actor, payload=None):
        """Staff `view_clients`: `{query?, limit?}` → `[{id, first_name, last_name,
        date_of_birth, email}]` of the actor's practice, by last then first name."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.ListClients(), payload)
        with self.db.read() as session:
            rows = queries.search_clients(session, actor.practice_id, cmd["query"], cmd["limit"])
            return schemas.ClientSummary(many=True).dump(rows)

    @rpc(expected_exceptions=EXPECTED)
    def update_demographics(self, actor, client_id, payload):
        """Save some of the basic details (partial). With `version` (the one the caller
        read), a record changed since is refused: Conflict("stale_version") whose
        fields["changed"] names what changed. A save that changes something writes one
        revision per changed field, bumps `version` and emits ONE `client.updated`, all
        in one transaction. Returns the record."""
        actor = Actor.from_wire(actor)
        domain.require_editor(actor, client_id)
        cmd = load(schemas.UpdateDemographics(), payload)
        read_version = cmd.pop("version", None)
        with self.db.transaction() as tx:
            client = queries.client_of_practice(tx.session, actor, client_id, for_update=True)
            if read_version is not None:
                domain.refuse_stale(read_version, client.version, queries.fields_changed_since(
                    tx.session, client.id, read_version))
            current = queries.values_of(client)
            domain.check_record({**current, **cmd})
            changes = domain.diff(current, cmd)
            if changes:
                batch_id = queries.apply_changes(tx.session, client, changes, actor)
                events.ClientUpdated.record(tx, actor, {
                    "client_id": client.id,
                    "client_name": domain.client_name(queries.values_of(client)),
                    "tab": domain.TAB_BASIC, "fields": [c.field for c in changes],
                    "batch_id": batch_id, "source": domain.source_for(actor)})
            result = schemas.Client().dump(client)
        log.info("client details saved", extra={"client_id": client_id,
                                                "changed_fields": len(changes)})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def list_revisions(self, actor, client_id):
        """Staff `view_clients`: every changed field of the record, newest save first."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        with self.db.read() as session:
            client = queries.client_of_practice(session, actor, client_id)
            return schemas.Revision(many=True).dump(queries.revisions_of(session, client.id))
