"""Reads and writes of charts' tables that the service's entrypoints share."""
from sqlalchemy import func, or_, select

from services.charts import documents as docs
from services.charts import domain, tabs
from services.charts.models import (ChangeBatch, ChartTab, Client, Document, DocumentType,
                                    PracticeSettings, Revision)
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


def fields_changed_since(session, client_id, version, tab=tabs.BASIC):
    return session.execute(
        select(Revision.field).where(Revision.client_id == client_id)
        .where(Revision.tab == tab)
        .where(Revision.version > version).distinct()).scalars().all()


def record_batch(session, client, tab, version, changes, actor, reverts_revision_id=None,
                 stamps=None):
    """One revision per change and the batch staff review; returns the batch id.
    Each revision carries `tab` and `version` unless `stamps` gives its field another
    ({field: (tab, version)}: a Details column changed by a Basic save).
    Portal saves wait for review; staff saves (and reverts) are born reviewed."""
    now = utcnow()
    batch_id = new_id()
    source = domain.source_for(actor)
    for change in changes:
        revision_tab, revision_version = (stamps or {}).get(change.field, (tab, version))
        session.add(Revision(
            practice_id=client.practice_id, client_id=client.id, batch_id=batch_id,
            version=revision_version, field=change.field, tab=revision_tab,
            old_value=tabs.as_text(change.old), new_value=tabs.as_text(change.new),
            old_json=domain.as_json(change.old), new_json=domain.as_json(change.new),
            actor_kind=actor.kind, actor_id=actor.id, source=source, changed_at=now))
    session.add(ChangeBatch(
        id=batch_id, practice_id=client.practice_id, client_id=client.id, tab=tab,
        fields=[c.field for c in changes], source=source, actor_kind=actor.kind,
        actor_id=actor.id, created_at=now,
        reviewed_at=None if source == domain.PORTAL else now,
        reviewed_by=None if source == domain.PORTAL else actor.id,
        reverts_revision_id=reverts_revision_id))
    return batch_id


def apply_changes(session, client, changes, actor, reverts_revision_id=None):
    """Write a save of the record's columns (`update_demographics`: the Basic tab, and
    the foundation's "my details" page, which also edits the primary language) as ONE
    batch of tab basic. Every change moves the record's version (Basic's); a Details
    column also moves the Details tab's version and its revision is of tab details, so
    a Details save read before this one is refused as stale and names it. Returns the
    batch id."""
    basic = [c for c in changes if c.field not in domain.DETAILS_COLUMNS]
    stamps = {}
    if changes:
        record_moved(client)
    if len(basic) < len(changes):
        details = bump_tab(session, client, tabs.DETAILS)
        stamps = {c.field: (tabs.DETAILS, details.version)
                  for c in changes if c.field in domain.DETAILS_COLUMNS}
    for change in changes:
        setattr(client, change.field, change.new)
    return record_batch(session, client, tabs.BASIC, client.version, changes, actor,
                        reverts_revision_id, stamps)


def record_moved(client):
    """The record's version (Basic's) moves with every change of its columns, a Details
    column's too, so an older page that saves the record with the language ("my
    details") sees that the language moved (domain.refuse_stale_record)."""
    client.version += 1
    client.updated_at = utcnow()


# -- tabs other than Basic ---------------------------------------------------------------

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


def tab_values(client, row):
    """A JSON tab's values as people see them: the Details tab adds the columns it owns
    that live in `clients` (domain.DETAILS_COLUMNS)."""
    values = dict(row.values or {})
    if row.tab == tabs.DETAILS:
        for name in domain.DETAILS_COLUMNS:
            if getattr(client, name) is not None:
                values[name] = getattr(client, name)
    return values


def save_tab_values(session, client, row, merged, changes, actor, reverts_revision_id=None):
    """Write a save of a JSON tab: `merged` is its JSON document; a change of a Details
    column (domain.DETAILS_COLUMNS) is written on `clients`, in the same batch."""
    columns = [c for c in changes
               if row.tab == tabs.DETAILS and c.field in domain.DETAILS_COLUMNS]
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


# -- settings ----------------------------------------------------------------------------

DEFAULT_SETTINGS = {"allow_clients_update_insurance": False, "client_uploads_enabled": False,
                    "extra_fields": [], "version": 1}


def settings_of(session, practice_id, for_update=False):
    query = select(PracticeSettings).where(PracticeSettings.practice_id == practice_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def settings_dict(row):
    if row is None:
        return dict(DEFAULT_SETTINGS)
    return {"allow_clients_update_insurance": bool(row.allow_clients_update_insurance),
            "client_uploads_enabled": bool(row.client_uploads_enabled),
            "extra_fields": list(row.extra_fields or []), "version": row.version}


# -- review --------------------------------------------------------------------------------

def batches_to_review(session, practice_id, client_id=None, limit=100):
    query = (select(ChangeBatch, Client.first_name, Client.last_name)
             .join(Client, Client.id == ChangeBatch.client_id)
             .where(ChangeBatch.practice_id == practice_id)
             .where(ChangeBatch.reviewed_at.is_(None))
             .order_by(ChangeBatch.created_at.desc(), ChangeBatch.id).limit(limit))
    if client_id:
        query = query.where(ChangeBatch.client_id == client_id)
    return session.execute(query).all()


def revisions_of_batches(session, batch_ids):
    if not batch_ids:
        return []
    return session.execute(select(Revision).where(Revision.batch_id.in_(batch_ids))
                           .order_by(Revision.field)).scalars().all()


# -- documents -------------------------------------------------------------------------------

def document_type(session, practice_id, type_id):
    row = session.get(DocumentType, type_id) if type_id else None
    if row is None or row.practice_id != practice_id:
        return None
    return row


def portal_type_ids(session, practice_id):
    return set(session.execute(select(DocumentType.id)
                               .where(DocumentType.practice_id == practice_id)
                               .where(DocumentType.show_in_portal.is_(True))).scalars())


def visible_document(session, actor, document_id):
    """The document if `actor` may see it, else NotFound (never a hint it exists)."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("not_found", "That document does not exist.")
    in_portal = doc.type_id in portal_type_ids(session, doc.practice_id) if doc.type_id else False
    if not docs.may_see(actor, doc, in_portal):
        raise NotFound("not_found", "That document does not exist.")
    return doc


def documents_for(session, actor, client_id=None):
    """What `actor` may see: practice documents, and the client's when client_id is given."""
    practice_id = actor.practice_id
    query = select(Document).where(Document.practice_id == practice_id)
    if client_id:
        query = query.where(or_(Document.client_id == client_id, Document.client_id.is_(None)))
    else:
        query = query.where(Document.client_id.is_(None))
    rows = session.execute(query.order_by(Document.created_at.desc(), Document.id)).scalars()
    in_portal = portal_type_ids(session, practice_id)
    return [d for d in rows if docs.may_see(actor, d, d.type_id in in_portal)]


def blob_keys_known(session, keys):
    if not keys:
        return set()
    return set(session.execute(select(Document.blob_key)
                               .where(Document.blob_key.in_(list(keys)))).scalars())


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


def revisions_of(session, client_id):
    return session.execute(
        select(Revision).where(Revision.client_id == client_id)
        .order_by(Revision.version.desc(), Revision.changed_at.desc(), Revision.field)
    ).scalars().all()
