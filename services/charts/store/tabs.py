"""The JSON tabs (`chart_tabs`): one row per client and tab, with its own version."""
from sqlalchemy import select

from services.charts.domain import records, tabs
from services.charts.models import ChartTab
from services.charts.store.revisions import record_batch
from services.common.times import utcnow


def tab_row(session, client, tab, for_update=False):
    """The tab's row, or an unsaved one at version 1 with no values."""
    query = select(ChartTab).where(ChartTab.client_id == client.id, ChartTab.tab == tab)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        row = ChartTab(client_id=client.id, tab=tab, practice_id=client.practice_id,
                       values={}, version=1, updated_at=client.created_at)
    return row


def bump_tab(session, client, tab):
    """The tab's row, locked, at its next version (added if it was never saved)."""
    row = tab_row(session, client, tab, for_update=True)
    row.version = (row.version or 1) + 1
    row.updated_at = utcnow()
    if row not in session:
        session.add(row)
    return row


def record_moved(client):
    """The record's version (Basic's) moves with every change of its columns, a Details
    column's too, so an older page that saves the record with the language ("my
    details") sees that the language moved (records.refuse_stale_record)."""
    client.version += 1
    client.updated_at = utcnow()


def tab_values(client, row):
    """A JSON tab's values as people see them: the Details tab adds the columns it owns
    that live in `clients` (records.DETAILS_COLUMNS)."""
    values = dict(row.values or {})
    if row.tab == tabs.DETAILS:
        for name in records.DETAILS_COLUMNS:
            if getattr(client, name) is not None:
                values[name] = getattr(client, name)
    return values


def save_tab_values(session, client, row, merged, changes, actor, reverts_revision_id=None):
    """Write a save of a JSON tab: `merged` is its JSON document; a change of a Details
    column (records.DETAILS_COLUMNS) is written on `clients`, in the same batch."""
    columns = [c for c in changes
               if row.tab == tabs.DETAILS and c.field in records.DETAILS_COLUMNS]
    for change in columns:
        setattr(client, change.field, change.new)
    if columns:
        record_moved(client)
    row.values = merged
    row.version = (row.version or 1) + 1
    row.updated_at = utcnow()
    if row not in session:
        session.add(row)
    return record_batch(session, client, row.tab, row.version, changes, actor,
                        reverts_revision_id)
