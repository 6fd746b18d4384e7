"""charts: client records and their revisions (docs/contracts.md, "charts").

Entrypoints only: parse, check the actor, open the transaction, call the domain, record
the event, dump the result. Log lines carry ids and counts, never chart values.
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc

from services.charts import domain, events, queries, schemas, tabs
from services.charts.dependencies import ScannerProvider
from services.charts.document_entrypoints import DocumentEntrypoints
from services.charts.models import (
    Base,
    ChangeBatch,
    Client,
    Document,
    PracticeSettings,
    Revision,
)
from services.common.actor import Actor
from services.common.blobstore import BlobStoreProvider
from services.common.clock import utcnow
from services.common.db import Database
from services.common.readiness import Readiness
from services.common.errors import (
    EXPECTED,
    Conflict,
    InvalidInput,
    NotFound,
)
from services.common.logs import CorrelationId
from services.common.schemas import load

log = logging.getLogger(__name__)



class ChartsService(Readiness, DocumentEntrypoints):
    name = "charts"

    db = Database(Base)
    correlation = CorrelationId()
    blobs = BlobStoreProvider()
    scanner = ScannerProvider()
    config = Config()

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
            events.CLIENT_CREATED.record(tx, actor, {"client_id": client.id})
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
        """Staff `view_clients`: `{query?, limit? (≤200), offset?, ids? (≤200)}` →
        `[{id, first_name, last_name, date_of_birth, email}]` of the actor's practice, by
        last then first name (then id: pages never overlap); `ids` keeps only those."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.ListClients(), payload)
        with self.db.read() as session:
            rows = queries.search_clients(session, actor.practice_id, cmd["query"], cmd["limit"],
                                          offset=cmd["offset"], ids=cmd["ids"])
            return schemas.ClientSummary(many=True).dump(rows)

    @rpc(expected_exceptions=EXPECTED)
    def update_demographics(self, actor, client_id, payload):
        """The Basic tab, and the record's own page ("my details"), which also edits the
        primary language (a Details field kept in `clients`). Save some of the details
        (partial) with the record's `version` the caller read (required): a Basic field
        changed since, or a language changed since that this save would change, is
        refused with Conflict("stale_version") whose fields["changed"] names what
        changed; a language changed since on Details never blocks a save of Basic's
        fields. A save that changes something writes one revision per changed field,
        bumps `version` and emits ONE `client.updated`, all in one transaction. Returns
        the record."""
        actor = Actor.from_wire(actor)
        domain.require_editor(actor, client_id)
        cmd = load(schemas.UpdateDemographics(), payload)
        read_version = cmd.pop("version")
        with self.db.transaction() as tx:
            client = queries.client_of_practice(tx.session, actor, client_id, for_update=True)
            current = queries.values_of(client)
            changes = domain.diff(current, cmd)
            domain.refuse_stale_record(
                read_version, client.version,
                queries.fields_changed_since(tx.session, client.id, read_version),
                [c.field for c in changes])
            domain.check_record({**current, **cmd})
            if changes:
                batch_id = queries.apply_changes(tx.session, client, changes, actor)
                self._record_updated(tx, actor, client, tabs.BASIC, changes, batch_id)
            result = schemas.Client().dump(client)
        log.info("client details saved", extra={"client_id": client_id,
                                                "changed_fields": len(changes)})
        return result

    def _record_updated(self, tx, actor, client, tab, changes, batch_id):
        """ONE client.updated per saved tab (and insurance.updated for Insurance)."""
        fields = [c.field for c in changes]
        source = domain.source_for(actor)
        events.CLIENT_UPDATED.record(tx, actor, {
            "client_id": client.id, "tab": tab, "fields": fields,
            "batch_id": batch_id, "source": source})
        if tab == tabs.INSURANCE:
            coverages = sorted({f.split(".")[0] for f in fields})
            events.INSURANCE_UPDATED.record(tx, actor, {
                "client_id": client.id, "coverages": coverages,
                "fields": fields, "batch_id": batch_id, "source": source})

    # -- tabs ------------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_chart(self, actor, client_id):
        """Every tab of the chart, each `{version, values, updated_at, editable,
        read_only_reason}`, for staff `view_clients` or an actor holding the client."""
        actor = Actor.from_wire(actor)
        domain.require_reader(actor, client_id)
        with self.db.read() as session:
            client = queries.client_of_practice(session, actor, client_id)
            settings = queries.settings_dict(queries.settings_of(session, client.practice_id))
            result = {"client_id": client.id,
                      "client_name": domain.client_name(queries.values_of(client)),
                      "tabs": {tab: self._tab_view(session, actor, client, tab, settings)
                               for tab in tabs.TABS},
                      "settings": {k: settings[k] for k in (
                          "allow_clients_update_insurance", "client_uploads_enabled",
                          "extra_fields")}}
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_tab(self, actor, client_id, tab):
        """One tab: `{tab, version, values, updated_at, editable, read_only_reason}`."""
        actor = Actor.from_wire(actor)
        domain.require_reader(actor, client_id)
        if tab not in tabs.TABS:
            raise NotFound("unknown_tab", "There is no such tab.")
        with self.db.read() as session:
            client = queries.client_of_practice(session, actor, client_id)
            settings = queries.settings_dict(queries.settings_of(session, client.practice_id))
            return self._tab_view(session, actor, client, tab, settings)

    def _tab_view(self, session, actor, client, tab, settings):
        editable, reason = tabs.may_edit(actor, tab, settings)
        if not (actor.is_staff or actor.is_system) and not actor.may_act_for(
                client.id, "manage_information"):
            editable, reason = False, "not_permitted"
        if tab == tabs.BASIC:
            values = schemas.Client().dump(client)
            version, updated_at = values.pop("version"), values.pop("updated_at")
            for name in ("id", *domain.DETAILS_COLUMNS):  # Details shows and saves these
                values.pop(name)
        else:
            row = queries.tab_row(session, client, tab)
            values, version = queries.tab_values(client, row), row.version
            updated_at = row.updated_at.isoformat() if row.updated_at else None
        return {"tab": tab, "version": version, "values": values, "updated_at": updated_at,
                "editable": editable, "read_only_reason": reason}

    @rpc(expected_exceptions=EXPECTED)
    def save_tab(self, actor, client_id, tab, payload):
        """Save one tab on its own: `payload` = the top-level keys to replace + the
        `version` the caller read (required; stale → Conflict("stale_version"),
        fields["changed"] = the tab's fields changed since). Basic is
        `update_demographics`. Details includes `primary_language` (kept in `clients`),
        saved in the same transaction and batch as the rest of the tab. Insurance is
        read-only for clients and contacts unless the practice allows it
        (Forbidden("insurance_read_only")). A save that changes something writes one
        revision per changed field, bumps the tab's version and emits ONE
        `client.updated` (+ `insurance.updated`). Returns the tab as `get_tab` does."""
        actor = Actor.from_wire(actor)
        domain.require_editor(actor, client_id)
        if tab == tabs.BASIC:
            self.update_demographics(actor, client_id, payload)
            return self.get_tab(actor, client_id, tab)
        if tab not in tabs.JSON_TABS:
            raise NotFound("unknown_tab", "There is no such tab.")
        with self.db.read() as session:
            settings = queries.settings_dict(queries.settings_of(session, actor.practice_id))
        tabs.require_tab_editable(actor, tab, settings)
        read_version, values = tabs.load_save(tab, payload, settings)
        with self.db.transaction() as tx:
            client = queries.client_of_practice(tx.session, actor, client_id, for_update=True)
            row = queries.tab_row(tx.session, client, tab, for_update=True)
            if read_version != row.version:
                raise Conflict(
                    "stale_version",
                    "This page was changed by someone else after you opened it. "
                    "Review the current details and save again.",
                    {"changed": sorted(set(queries.fields_changed_since(
                        tx.session, client.id, read_version, tab)))})
            if tab == tabs.INSURANCE:
                self._check_card_documents(tx.session, client, values)
            # Details' columns of `clients` change with the tab, in the same batch
            columns = {name: values.pop(name) for name in domain.DETAILS_COLUMNS
                       if name in values}
            merged = {**(row.values or {}), **values}
            merged = {k: v for k, v in merged.items() if v is not None}
            changes = (domain.diff(queries.values_of(client), columns)
                       + tabs.diff(row.values or {}, merged))
            if changes:
                batch_id = queries.save_tab_values(tx.session, client, row, merged, changes,
                                                   actor)
                self._record_updated(tx, actor, client, tab, changes, batch_id)
            result = self._tab_view(tx.session, actor, client, tab, settings)
        log.info("chart tab saved", extra={"client_id": client_id, "tab": tab,
                                           "changed_fields": len(changes)})
        return result

    @staticmethod
    def _check_card_documents(session, client, values):
        """Insurance card photos must be documents of this client."""
        problems = {}
        for coverage in ("primary", "secondary"):
            for side in ("card_front_document_id", "card_back_document_id"):
                document_id = (values.get(coverage) or {}).get(side)
                if not document_id:
                    continue
                doc = session.get(Document, document_id)
                if doc is None or doc.client_id != client.id:
                    problems[f"{coverage}.{side}"] = ["Upload the card's photo first."]
        if problems:
            raise InvalidInput("invalid_input", "Upload the card's photo first.", problems)

    # -- review ----------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def list_changes_to_review(self, actor, payload=None):
        """Staff `view_clients`: portal saves not yet reviewed, newest first, each
        `{batch_id, client_id, client_name, tab, fields, source, actor_kind, actor_id,
        created_at, revisions: [...]}`. `{client_id?, limit?}`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.ListChanges(), payload)
        with self.db.read() as session:
            rows = queries.batches_to_review(session, actor.practice_id, cmd["client_id"],
                                             cmd["limit"])
            revisions = {}
            for revision in queries.revisions_of_batches(session, [b.id for b, _, _ in rows]):
                revisions.setdefault(revision.batch_id, []).append(
                    schemas.Revision().dump(revision))
            return [{"batch_id": b.id, "client_id": b.client_id,
                     "client_name": f"{first} {last}", "tab": b.tab, "fields": list(b.fields),
                     "source": b.source, "actor_kind": b.actor_kind, "actor_id": b.actor_id,
                     "created_at": b.created_at.isoformat(),
                     "revisions": revisions.get(b.id, [])} for b, first, last in rows]

    @rpc(expected_exceptions=EXPECTED)
    def mark_changes_reviewed(self, actor, payload):
        """Staff `view_clients`: `{batch_ids}` → `{reviewed: n}`; idempotent; batches of
        another practice are ignored."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.MarkReviewed(), payload)
        count = 0
        with self.db.transaction() as tx:
            for batch_id in cmd["batch_ids"]:
                batch = tx.session.get(ChangeBatch, batch_id)
                if batch is None or batch.practice_id != actor.practice_id:
                    continue
                if batch.reviewed_at is None:
                    batch.reviewed_at, batch.reviewed_by = utcnow(), actor.id
                    count += 1
        return {"reviewed": count}

    @rpc(expected_exceptions=EXPECTED)
    def revert_change(self, actor, payload):
        """Staff `edit_clients`: `{revision_id}` restores that revision's old value as a
        NEW revision (source "staff"), bumps the tab's version, emits `client.updated`,
        and marks the reverted batch reviewed. If the field was changed again since,
        Conflict("changed_since"); if the tab would no longer be valid without the rest of
        that save (a coverage without its payer), InvalidInput("revert_invalid"). Returns
        the tab as `get_tab` does."""
        actor = Actor.from_wire(actor)
        actor.require_staff("edit_clients")
        cmd = load(schemas.RevertChange(), payload)
        with self.db.transaction() as tx:
            revision = tx.session.get(Revision, cmd["revision_id"])
            if revision is None or revision.practice_id != actor.practice_id:
                raise NotFound("not_found", "That change does not exist.")
            client = queries.client_of_practice(tx.session, actor, revision.client_id,
                                                for_update=True)
            tab, old = revision.tab, revision.old_json
            if revision.field in domain.DETAILS_COLUMNS:
                # older revisions of the language say tab basic: it is Details' now
                tab = tabs.DETAILS
                batch_id, changes = self._revert_column(tx.session, actor, client, revision)
            elif tab == tabs.BASIC:
                current = queries.values_of(client)
                if revision.old_json is None and revision.new_json is None:
                    # a revision from before typed values were kept: Basic then held
                    # only text and dates, so its text form is the value
                    old = revision.old_value
                if tabs.as_text(current.get(revision.field)) != revision.new_value:
                    raise self._changed_since()
                cmd_values = load(schemas.UpdateDemographics(), {revision.field: old},
                                  partial=True)
                domain.check_record({**current, **cmd_values})
                changes = domain.diff(current, cmd_values)
                batch_id = queries.apply_changes(tx.session, client, changes, actor,
                                                 reverts_revision_id=revision.id)
            else:
                row = queries.tab_row(tx.session, client, tab, for_update=True)
                if tabs.flatten(row.values).get(revision.field) != revision.new_json:
                    raise self._changed_since()
                merged = tabs.set_path(row.values, revision.field, old)
                tabs.check_reverted(tab, merged, revision.field, queries.settings_dict(
                    queries.settings_of(tx.session, client.practice_id)))
                changes = tabs.diff(row.values or {}, merged)
                batch_id = queries.save_tab_values(tx.session, client, row, merged, changes,
                                                   actor, reverts_revision_id=revision.id)
            reverted = tx.session.get(ChangeBatch, revision.batch_id)
            if reverted is not None and reverted.reviewed_at is None:
                reverted.reviewed_at, reverted.reviewed_by = utcnow(), actor.id
            self._record_updated(tx, actor, client, tab, changes, batch_id)
            settings = queries.settings_dict(queries.settings_of(tx.session, client.practice_id))
            result = self._tab_view(tx.session, actor, client, tab, settings)
        log.info("change reverted", extra={"client_id": client.id, "tab": tab})
        return result

    def _revert_column(self, session, actor, client, revision):
        """Revert a Details column kept in `clients` (domain.DETAILS_COLUMNS) as a save
        of the Details tab: → (batch id, changes)."""
        current = queries.values_of(client)
        old = revision.old_json
        if revision.old_json is None and revision.new_json is None:
            old = revision.old_value  # kept before typed values were: text was the value
        if tabs.as_text(current.get(revision.field)) != revision.new_value:
            raise self._changed_since()
        loaded = load(tabs.DetailsTab(), {"version": 1, revision.field: old})
        changes = domain.diff(current, {revision.field: loaded[revision.field]})
        row = queries.tab_row(session, client, tabs.DETAILS, for_update=True)
        batch_id = queries.save_tab_values(session, client, row, dict(row.values or {}),
                                           changes, actor, reverts_revision_id=revision.id)
        return batch_id, changes

    @staticmethod
    def _changed_since():
        return Conflict("changed_since", "That field was changed again after this change. "
                        "Review its current value before reverting.")

    # -- settings --------------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_settings(self, actor):
        """charts' settings of the actor's practice (any actor of the practice):
        `{allow_clients_update_insurance, client_uploads_enabled, extra_fields, version}`."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            return queries.settings_dict(queries.settings_of(session, actor.practice_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_settings(self, actor, payload):
        """Practice administrators (staff `manage_practice_settings`): partial update, optional
        `version` (stale → Conflict("stale_version")). Returns the settings and emits
        `settings.updated` with them (the gateway caches settings)."""
        actor = Actor.from_wire(actor)
        actor.require_staff("manage_practice_settings")
        cmd = load(schemas.UpdateSettings(), payload)
        read_version = cmd.pop("version", None)
        with self.db.transaction() as tx:
            row = queries.settings_of(tx.session, actor.practice_id, for_update=True)
            if row is None:
                row = PracticeSettings(practice_id=actor.practice_id, version=1,
                                       allow_clients_update_insurance=False,
                                       client_uploads_enabled=False, extra_fields=[])
                tx.session.add(row)
            if read_version is not None and read_version != row.version:
                raise Conflict("stale_version", "The settings were changed by someone else. "
                               "Review them and save again.")
            for key, value in cmd.items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = utcnow()
            result = queries.settings_dict(row)
            events.SETTINGS_UPDATED.record(tx, actor, result)
            return result

    @rpc(expected_exceptions=EXPECTED)
    def list_revisions(self, actor, client_id):
        """Staff `view_clients`: every changed field of the record, newest save first."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        with self.db.read() as session:
            client = queries.client_of_practice(session, actor, client_id)
            return schemas.Revision(many=True).dump(queries.revisions_of(session, client.id))
