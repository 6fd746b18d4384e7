"""The SQL of the read copy of assigned clinicians."""
from sqlalchemy import select

from services.messaging.models import Assignment


def assigned(session, practice_id, client_id):
    """Clinician ids assigned to the client now, in the order they were assigned."""
    return list(session.scalars(select(Assignment.clinician_id).where(
        Assignment.practice_id == practice_id, Assignment.client_id == client_id,
        Assignment.removed_at.is_(None)).order_by(Assignment.assigned_at,
                                                  Assignment.clinician_id)).all())


def assign(session, practice_id, client_id, clinician_id, source, by, now):
    """Assigned from now on (again, after a removal). True when it was not before."""
    row = session.get(Assignment, (practice_id, client_id, clinician_id))
    if row is None:
        session.add(Assignment(practice_id=practice_id, client_id=client_id,
                               clinician_id=clinician_id, source=source, assigned_at=now,
                               assigned_by=by))
        return True
    if row.removed_at is not None:
        row.removed_at, row.source, row.assigned_at, row.assigned_by = None, source, now, by
        return True
    return False


def remove(session, practice_id, client_id, clinician_id, now):
    row = session.get(Assignment, (practice_id, client_id, clinician_id))
    if row is None or row.removed_at is not None:
        return False
    row.removed_at = now
    return True
