"""The SQL of the practice's setup: services, locations, work periods, blocks and the
settings row. Every query is bounded by practice_id."""
from sqlalchemy import delete, select

from services.common.errors import NotFound
from services.scheduling.domain import availability
from services.scheduling.models import (
    Block, ClinicianProfile, Location, Service, Settings, WorkPeriod)


def one(session, model, practice_id, row_id, what, for_update=False):
    query = select(model).where(model.id == row_id, model.practice_id == practice_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first() if row_id else None
    if row is None:
        raise NotFound("not_found", f"That {what} does not exist.")
    return row


def services(session, practice_id, active_only=False):
    query = select(Service).where(Service.practice_id == practice_id)
    if active_only:
        query = query.where(Service.active.is_(True))
    return session.scalars(query.order_by(Service.name, Service.id)).all()


def locations(session, practice_id, active_only=False):
    query = select(Location).where(Location.practice_id == practice_id)
    if active_only:
        query = query.where(Location.active.is_(True))
    return session.scalars(query.order_by(Location.kind, Location.name, Location.id)).all()


def periods(session, practice_id, clinician_ids=None):
    query = select(WorkPeriod).where(WorkPeriod.practice_id == practice_id)
    if clinician_ids is not None:
        query = query.where(WorkPeriod.clinician_id.in_(list(clinician_ids)))
    return session.scalars(query.order_by(WorkPeriod.clinician_id, WorkPeriod.weekday,
                                          WorkPeriod.starts)).all()


def replace_periods(session, practice_id, clinician_id, rows):
    """A clinician's schedule is saved whole: the old periods go, the new ones come."""
    session.execute(delete(WorkPeriod).where(WorkPeriod.practice_id == practice_id,
                                             WorkPeriod.clinician_id == clinician_id))
    session.add_all(rows)


def blocks(session, practice_id, clinician_ids=None):
    """Blocks of these clinicians and the practice-wide ones (no clinician)."""
    query = select(Block).where(Block.practice_id == practice_id)
    if clinician_ids is not None:
        query = query.where(Block.clinician_id.in_(list(clinician_ids))
                            | Block.clinician_id.is_(None))
    return session.scalars(query.order_by(Block.starts_local, Block.id)).all()


def settings_row(session, practice_id, for_update=False):
    query = select(Settings).where(Settings.practice_id == practice_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def as_period(row):
    return availability.Period(row.clinician_id, row.weekday, row.starts, row.ends,
                               row.location_id, row.effective_from, row.effective_until)


def as_place(row):
    return availability.Place(row.id, row.kind, row.time_zone)


def as_blocked(row):
    return availability.Blocked(row.clinician_id, row.starts_local, row.ends_local,
                                row.time_zone, row.recurrence, row.repeat_until)


def clinician_names(session, practice_id, clinician_ids):
    rows = session.scalars(select(ClinicianProfile).where(
        ClinicianProfile.practice_id == practice_id,
        ClinicianProfile.clinician_id.in_(list(clinician_ids)))).all()
    return {row.clinician_id: row.name for row in rows}


def save_clinician_name(session, practice_id, clinician_id, name, now):
    row = session.get(ClinicianProfile, (practice_id, clinician_id))
    if row is None:
        session.add(ClinicianProfile(practice_id=practice_id, clinician_id=clinician_id,
                                     name=name, updated_at=now))
    else:
        row.name, row.updated_at = name, now
