"""Revisions and the batches staff review (`revisions`, `change_batches`)."""
from sqlalchemy import select

from services.charts.domain import records, tabs
from services.charts.models import ChangeBatch, Client, Revision
from services.common.times import utcnow
from services.common.types import new_id


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
    source = records.source_for(actor)
    for change in changes:
        revision_tab, revision_version = (stamps or {}).get(change.field, (tab, version))
        session.add(Revision(
            practice_id=client.practice_id, client_id=client.id, batch_id=batch_id,
            version=revision_version, field=change.field, tab=revision_tab,
            old_value=tabs.as_text(change.old), new_value=tabs.as_text(change.new),
            old_json=records.as_json(change.old), new_json=records.as_json(change.new),
            actor_kind=actor.kind, actor_id=actor.id, source=source, changed_at=now))
    session.add(ChangeBatch(
        id=batch_id, practice_id=client.practice_id, client_id=client.id, tab=tab,
        fields=[c.field for c in changes], source=source, actor_kind=actor.kind,
        actor_id=actor.id, created_at=now,
        reviewed_at=None if source == records.PORTAL else now,
        reviewed_by=None if source == records.PORTAL else actor.id,
        reverts_revision_id=reverts_revision_id))
    return batch_id


def mark_reviewed(batch, actor):
    """True when this call marked it (a batch already reviewed stays as it was)."""
    if batch.reviewed_at is not None:
        return False
    batch.reviewed_at, batch.reviewed_by = utcnow(), actor.id
    return True


def batch_of_practice(session, practice_id, batch_id):
    batch = session.get(ChangeBatch, batch_id)
    if batch is None or batch.practice_id != practice_id:
        return None
    return batch


def revision_of_practice(session, practice_id, revision_id):
    revision = session.get(Revision, revision_id)
    if revision is None or revision.practice_id != practice_id:
        return None
    return revision


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


def revisions_of(session, client_id):
    return session.execute(
        select(Revision).where(Revision.client_id == client_id)
        .order_by(Revision.version.desc(), Revision.changed_at.desc(), Revision.field)
    ).scalars().all()
