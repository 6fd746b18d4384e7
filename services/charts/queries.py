"""Reads and writes of charts' tables that the service's entrypoints share."""
from sqlalchemy import func, or_, select

from services.charts import domain
from services.charts.models import Client, Revision
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.types import new_id


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


def values_of(client):
    return {name: getattr(client, name) for name in domain.FIELDS}


def fields_changed_since(session, client_id, version):
    return session.execute(
        select(Revision.field).where(Revision.client_id == client_id)
        .where(Revision.version > version).distinct()).scalars().all()


def apply_changes(session, client, changes, actor):
    """Write the changes on the record, one revision per field, one new version.
    Returns the batch id shared by the revisions."""
    now = utcnow()
    batch_id = new_id()
    client.version += 1
    client.updated_at = now
    source = domain.source_for(actor)
    for change in changes:
        setattr(client, change.field, change.new)
        session.add(Revision(
            practice_id=client.practice_id, client_id=client.id, batch_id=batch_id,
            version=client.version, field=change.field,
            old_value=domain.as_text(change.old), new_value=domain.as_text(change.new),
            actor_kind=actor.kind, actor_id=actor.id, source=source, changed_at=now))
    return batch_id


def search_clients(session, practice_id, query=None, limit=50):
    statement = select(Client).where(Client.practice_id == practice_id)
    if query:
        text = query.lower()
        columns = (Client.first_name, Client.last_name, Client.preferred_name, Client.email,
                   Client.first_name + " " + Client.last_name)
        statement = statement.where(or_(
            *(func.lower(column).contains(text, autoescape=True) for column in columns)))
    statement = statement.order_by(Client.last_name, Client.first_name, Client.id).limit(limit)
    return session.execute(statement).scalars().all()


def revisions_of(session, client_id):
    return session.execute(
        select(Revision).where(Revision.client_id == client_id)
        .order_by(Revision.version.desc(), Revision.changed_at.desc(), Revision.field)
    ).scalars().all()
