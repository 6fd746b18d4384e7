"""Staff review of portal changes: the list to review, marking reviewed, reverting one
change, and a record's whole history."""
import logging

from services.charts import domain, events, schemas, store
from services.charts.domain import tabs
from services.charts.entrypoints.tabs import tab_view
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, NotFound
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)


def changed_since():
    return Conflict("changed_since", "That field was changed again after this change. "
                    "Review its current value before reverting.")


def revert_column(session, actor, client, revision):
    """Revert a Details column kept in `clients` (records.DETAILS_COLUMNS) as a save of
    the Details tab: → (batch id, changes)."""
    current = store.clients.values_of(client)
    old = revision.old_json
    if revision.old_json is None and revision.new_json is None:
        old = revision.old_value  # kept before typed values were: text was the value
    if tabs.as_text(current.get(revision.field)) != revision.new_value:
        raise changed_since()
    loaded = load(schemas.tabs.DetailsTab(), {"version": 1, revision.field: old})
    changes = domain.records.diff(current, {revision.field: loaded[revision.field]})
    row = store.tabs.tab_row(session, client, tabs.DETAILS, for_update=True)
    batch_id = store.tabs.save_tab_values(session, client, row, dict(row.values or {}),
                                          changes, actor, reverts_revision_id=revision.id)
    return batch_id, changes


def revert_basic(session, actor, client, revision):
    """Revert a field of Basic (a column of `clients`): → (batch id, changes)."""
    current = store.clients.values_of(client)
    old = revision.old_json
    if revision.old_json is None and revision.new_json is None:
        # a revision from before typed values were kept: Basic then held only text and
        # dates, so its text form is the value
        old = revision.old_value
    if tabs.as_text(current.get(revision.field)) != revision.new_value:
        raise changed_since()
    cmd_values = load(schemas.records.UpdateDemographics(), {revision.field: old},
                      partial=True)
    domain.records.check_record({**current, **cmd_values})
    changes = domain.records.diff(current, cmd_values)
    batch_id = store.clients.apply_changes(session, client, changes, actor,
                                           reverts_revision_id=revision.id)
    return batch_id, changes


def revert_json_leaf(session, actor, client, revision):
    """Revert a leaf of a JSON tab: → (batch id, changes)."""
    row = store.tabs.tab_row(session, client, revision.tab, for_update=True)
    if tabs.flatten(row.values).get(revision.field) != revision.new_json:
        raise changed_since()
    merged = tabs.set_path(row.values, revision.field, revision.old_json)
    schemas.tabs.check_reverted(revision.tab, merged, revision.field,
                                store.settings.settings_for(session, client.practice_id))
    changes = tabs.diff(row.values or {}, merged)
    batch_id = store.tabs.save_tab_values(session, client, row, merged, changes, actor,
                                          reverts_revision_id=revision.id)
    return batch_id, changes


class ReviewEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def list_changes_to_review(self, actor, payload=None):
        """Staff `view_clients`: portal saves not yet reviewed, newest first, each
        `{batch_id, client_id, client_name, tab, fields, source, actor_kind, actor_id,
        created_at, revisions: [...]}`. `{client_id?, limit?}`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        cmd = load(schemas.records.ListChanges(), payload)
        with self.db.read() as session:
            rows = store.revisions.batches_to_review(session, actor.practice_id,
                                                     cmd["client_id"], cmd["limit"])
            revisions = {}
            for revision in store.revisions.revisions_of_batches(
                    session, [b.id for b, _, _ in rows]):
                revisions.setdefault(revision.batch_id, []).append(
                    schemas.records.Revision().dump(revision))
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
        cmd = load(schemas.records.MarkReviewed(), payload)
        count = 0
        with self.db.transaction() as tx:
            for batch_id in cmd["batch_ids"]:
                batch = store.revisions.batch_of_practice(tx.session, actor.practice_id,
                                                          batch_id)
                if batch is not None and store.revisions.mark_reviewed(batch, actor):
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
        cmd = load(schemas.records.RevertChange(), payload)
        with self.db.transaction() as tx:
            revision = store.revisions.revision_of_practice(tx.session, actor.practice_id,
                                                            cmd["revision_id"])
            if revision is None:
                raise NotFound("not_found", "That change does not exist.")
            client = store.clients.client_of_practice(tx.session, actor, revision.client_id,
                                                      for_update=True)
            tab = revision.tab
            if revision.field in domain.records.DETAILS_COLUMNS:
                # older revisions of the language say tab basic: it is Details' now
                tab = tabs.DETAILS
                batch_id, changes = revert_column(tx.session, actor, client, revision)
            elif tab == tabs.BASIC:
                batch_id, changes = revert_basic(tx.session, actor, client, revision)
            else:
                batch_id, changes = revert_json_leaf(tx.session, actor, client, revision)
            reverted = store.revisions.batch_of_practice(tx.session, actor.practice_id,
                                                         revision.batch_id)
            if reverted is not None:
                store.revisions.mark_reviewed(reverted, actor)
            events.record_client_updated(tx, actor, client, tab, changes, batch_id)
            settings = store.settings.settings_for(tx.session, client.practice_id)
            result = tab_view(tx.session, actor, client, tab, settings)
        log.info("change reverted", extra={"client_id": client.id, "tab": tab})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def list_revisions(self, actor, client_id):
        """Staff `view_clients`: every changed field of the record, newest save first."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_clients")
        with self.db.read() as session:
            client = store.clients.client_of_practice(session, actor, client_id)
            return schemas.records.Revision(many=True).dump(
                store.revisions.revisions_of(session, client.id))
