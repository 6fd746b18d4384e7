"""Staff alerts (`alerts`) and who read them (`alert_reads`)."""
from sqlalchemy import and_, insert, select

from services.common.errors import NotFound
from services.common.times import utcnow
from services.notify.models import Alert, AlertRead


def add_alert(session, draft):
    alert = Alert(practice_id=draft.practice_id, audience=draft.audience, kind=draft.kind,
                  client_id=draft.client_id, client_name=draft.client_name,
                  fields=list(draft.fields), batch_id=draft.batch_id, event_id=draft.event_id,
                  tab=draft.tab, subject_id=draft.subject_id, created_at=utcnow())
    session.add(alert)
    return alert


def alerts_for(session, actor, unread_only=False, limit=100):
    """(alert, read_at) of the actor's practice whose audience the actor holds."""
    query = (select(Alert, AlertRead.read_at)
             .outerjoin(AlertRead, and_(AlertRead.alert_id == Alert.id,
                                        AlertRead.staff_id == actor.id))
             .where(Alert.practice_id == actor.practice_id)
             .where(Alert.audience.in_(list(actor.permissions)))
             .order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit))
    if unread_only:
        query = query.where(AlertRead.alert_id.is_(None))
    return session.execute(query).all()


def visible_alert(session, actor, alert_id):
    """The alert, or NotFound when it is another practice's or meant for others."""
    alert = session.get(Alert, alert_id)
    if (alert is None or alert.practice_id != actor.practice_id
            or alert.audience not in actor.permissions):
        raise NotFound("not_found", "That alert does not exist.")
    return alert


def mark_read(session, alert, staff_id):
    """Idempotent: reading an alert twice keeps the first read time."""
    values = {"alert_id": alert.id, "staff_id": staff_id, "practice_id": alert.practice_id,
              "read_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - Haven runs on SQLite and PostgreSQL only
        session.execute(insert(AlertRead).values(**values))
        return
    session.execute(dialect_insert(AlertRead).values(**values).on_conflict_do_nothing())
