"""The client record (`clients`): finding it within the actor's practice, searching, and
writing a save of its columns."""
from sqlalchemy import func, or_, select

from services.charts.domain import records, tabs
from services.charts.models import Client
from services.charts.store.revisions import record_batch
from services.charts.store.tabs import bump_tab, record_moved
from services.common.errors import NotFound


def client_of_practice(session, actor, client_id, for_update=False):
    """The record, or NotFound — also when it belongs to another practice."""
    query = select(Client).where(Client.id == client_id)
    if for_update:
        query = query.with_for_update()  # PostgreSQL; SQLite writers are serialized
    client = session.execute(query).scalar_one_or_none()
    if client is None:
        raise NotFound("not_found", "That record does not exist.")
    actor.require_practice(client.practice_id)
    return client


def client_in(session, practice_id, client_id):
    """The record if it is of `practice_id` (any practice when None), else None."""
    client = session.get(Client, client_id)
    if client is None or (practice_id and client.practice_id != practice_id):
        return None
    return client


def values_of(client):
    return {name: getattr(client, name) for name in records.FIELDS}


def apply_changes(session, client, changes, actor, reverts_revision_id=None):
    """Write a save of the record's columns (`update_demographics`: the Basic tab, and
    the foundation's "my details" page, which also edits the primary language) as ONE
    batch of tab basic. Every change moves the record's version (Basic's); a Details
    column also moves the Details tab's version and its revision is of tab details, so
    a Details save read before this one is refused as stale and names it. Returns the
    batch id."""
    basic = [c for c in changes if c.field not in records.DETAILS_COLUMNS]
    stamps = {}
    if changes:
        record_moved(client)
    if len(basic) < len(changes):
        details = bump_tab(session, client, tabs.DETAILS)
        stamps = {c.field: (tabs.DETAILS, details.version)
                  for c in changes if c.field in records.DETAILS_COLUMNS}
    for change in changes:
        setattr(client, change.field, change.new)
    return record_batch(session, client, tabs.BASIC, client.version, changes, actor,
                        reverts_revision_id, stamps)


def search_clients(session, practice_id, query=None, limit=50, offset=0, ids=None):
    statement = select(Client).where(Client.practice_id == practice_id)
    if ids is not None:
        statement = statement.where(Client.id.in_(ids))
    if query:
        text = query.lower()
        columns = (Client.first_name, Client.last_name, Client.preferred_name, Client.email,
                   Client.first_name + " " + Client.last_name)
        statement = statement.where(or_(
            *(func.lower(column).contains(text, autoescape=True) for column in columns)))
    statement = statement.order_by(Client.last_name, Client.first_name, Client.id) \
        .offset(offset).limit(limit)
    return session.execute(statement).scalars().all()
