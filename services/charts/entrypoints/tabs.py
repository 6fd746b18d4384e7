"""The chart's tabs: every tab at once, one tab, and a save of one tab on its own."""
import logging

from services.charts import domain, events, schemas, store
from services.charts.domain import tabs
from services.charts.models import Document
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, InvalidInput, NotFound
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)

# the settings a chart's reader sees beside its tabs
CHART_SETTINGS = ("allow_clients_update_insurance", "client_uploads_enabled", "extra_fields")


def tab_view(session, actor, client, tab, settings):
    """One tab as the chart's RPCs answer it: `{tab, version, values, updated_at,
    editable, read_only_reason, read_only_fields}` — `read_only_fields` are the fields of
    an editable tab the actor may see but not change (Basic's legal name and date of
    birth, for clients and contacts)."""
    editable, reason = tabs.may_edit(actor, tab, settings)
    if not (actor.is_staff or actor.is_system) and not actor.may_act_for(
            client.id, "manage_information"):
        editable, reason = False, "not_permitted"
    if tab == tabs.BASIC:
        values = schemas.records.Client().dump(client)
        version, updated_at = values.pop("version"), values.pop("updated_at")
        for name in ("id", *domain.records.DETAILS_COLUMNS):  # Details shows and saves these
            values.pop(name)
    else:
        row = store.tabs.tab_row(session, client, tab)
        values, version = store.tabs.tab_values(client, row), row.version
        updated_at = row.updated_at.isoformat() if row.updated_at else None
    read_only = domain.records.read_only_fields(actor) if tab == tabs.BASIC else []
    return {"tab": tab, "version": version, "values": values, "updated_at": updated_at,
            "editable": editable, "read_only_reason": reason, "read_only_fields": read_only}


def check_card_documents(session, client, values):
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


class TabEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def get_chart(self, actor, client_id):
        """The chart's tabs the actor is offered, each as `get_tab` answers it, for staff
        `view_clients` or an actor holding the client. A client or contact of a practice
        that keeps insurance itself (`allow_clients_update_insurance` off) gets no
        `insurance` tab at all."""
        actor = Actor.from_wire(actor)
        domain.access.require_reader(actor, client_id)
        with self.db.read() as session:
            client = store.clients.client_of_practice(session, actor, client_id)
            settings = store.settings.settings_for(session, client.practice_id)
            return {"client_id": client.id,
                    "client_name": domain.records.client_name(store.clients.values_of(client)),
                    "tabs": {tab: tab_view(session, actor, client, tab, settings)
                             for tab in tabs.shown_tabs(actor, settings)},
                    "settings": {k: settings[k] for k in CHART_SETTINGS}}

    @rpc(expected_exceptions=EXPECTED)
    def get_tab(self, actor, client_id, tab):
        """One tab: `{tab, version, values, updated_at, editable, read_only_reason,
        read_only_fields}`. NotFound("tab_not_offered") for Insurance to a client or contact
        while the practice keeps insurance itself."""
        actor = Actor.from_wire(actor)
        domain.access.require_reader(actor, client_id)
        if tab not in tabs.TABS:
            raise NotFound("unknown_tab", "There is no such tab.")
        with self.db.read() as session:
            client = store.clients.client_of_practice(session, actor, client_id)
            settings = store.settings.settings_for(session, client.practice_id)
            tabs.require_tab_shown(actor, tab, settings)
            return tab_view(session, actor, client, tab, settings)

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
        domain.access.require_editor(actor, client_id)
        if tab == tabs.BASIC:
            self.update_demographics(actor, client_id, payload)
            return self.get_tab(actor, client_id, tab)
        if tab not in tabs.JSON_TABS:
            raise NotFound("unknown_tab", "There is no such tab.")
        with self.db.read() as session:
            settings = store.settings.settings_for(session, actor.practice_id)
        tabs.require_tab_editable(actor, tab, settings)
        read_version, values = schemas.tabs.load_save(tab, payload, settings)
        with self.db.transaction() as tx:
            client = store.clients.client_of_practice(tx.session, actor, client_id,
                                                      for_update=True)
            row = store.tabs.tab_row(tx.session, client, tab, for_update=True)
            if read_version != row.version:
                raise Conflict(
                    "stale_version",
                    "This page was changed by someone else after you opened it. "
                    "Review the current details and save again.",
                    {"changed": sorted(set(store.revisions.fields_changed_since(
                        tx.session, client.id, read_version, tab)))})
            if tab == tabs.INSURANCE:
                check_card_documents(tx.session, client, values)
            # Details' columns of `clients` change with the tab, in the same batch
            columns = {name: values.pop(name) for name in domain.records.DETAILS_COLUMNS
                       if name in values}
            merged = {**(row.values or {}), **values}
            merged = {k: v for k, v in merged.items() if v is not None}
            changes = (domain.records.diff(store.clients.values_of(client), columns)
                       + tabs.diff(row.values or {}, merged))
            if changes:
                batch_id = store.tabs.save_tab_values(tx.session, client, row, merged,
                                                      changes, actor)
                events.record_client_updated(tx, actor, client, tab, changes, batch_id)
            result = tab_view(tx.session, actor, client, tab, settings)
        log.info("chart tab saved", extra={"client_id": client_id, "tab": tab,
                                           "changed_fields": len(changes)})
        return result
