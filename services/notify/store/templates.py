"""A practice's own email templates (`email_templates`): one row per edited kind."""
from sqlalchemy import select

from services.common.times import utcnow
from services.notify.domain.rendering import Sources
from services.notify.models import EmailTemplate


def own_rows(session, practice_id):
    """{kind: row} of the practice's edited templates."""
    rows = session.execute(select(EmailTemplate)
                           .where(EmailTemplate.practice_id == practice_id)).scalars()
    return {row.kind: row for row in rows}


def own_row(session, practice_id, kind, for_update=False):
    query = (select(EmailTemplate).where(EmailTemplate.practice_id == practice_id)
             .where(EmailTemplate.kind == kind))
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def own_sources(session, practice_id, kinds):
    """{kind: Sources} of the practice's edits among `kinds` (a kind without an edit is
    absent: its default is sent)."""
    if not kinds:
        return {}
    rows = session.execute(select(EmailTemplate)
                           .where(EmailTemplate.practice_id == practice_id)
                           .where(EmailTemplate.kind.in_(sorted(kinds)))).scalars()
    return {row.kind: sources_of(row) for row in rows}


def sources_of(row):
    return Sources(subject=row.subject, body_text=row.body_text, body_html=row.body_html)


def save(session, practice_id, kind, sources, staff_id):
    """Insert or update the practice's edit of `kind`; → the row (version counted)."""
    row = own_row(session, practice_id, kind, for_update=True)
    if row is None:
        row = EmailTemplate(practice_id=practice_id, kind=kind, version=0)
        session.add(row)
    row.subject, row.body_text = sources.subject, sources.body_text
    row.body_html = sources.body_html or None
    row.version += 1
    row.updated_by, row.updated_at = staff_id, utcnow()
    session.flush()
    return row


def delete(session, row):
    session.delete(row)
    session.flush()
