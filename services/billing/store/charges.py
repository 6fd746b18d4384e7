from sqlalchemy import select

from services.billing.models import Charge, ChargeChange
from services.common.errors import NotFound


def charge_of_practice(session, actor, charge_id, for_update=False):
    row = session.get(Charge, str(charge_id or "")[:36], with_for_update=for_update or None)
    if row is None or row.practice_id != actor.practice_id:
        raise NotFound("no_charge", "That charge does not exist.")
    return row


def for_appointment(session, practice_id, appointment_id, kind):
    return session.execute(select(Charge).where(
        Charge.practice_id == practice_id, Charge.appointment_id == appointment_id,
        Charge.kind == kind)).scalar_one_or_none()


def of_client(session, practice_id, client_id, status=None):
    query = select(Charge).where(Charge.practice_id == practice_id,
                                 Charge.client_id == client_id)
    if status:
        query = query.where(Charge.status == status)
    return session.execute(query.order_by(Charge.created_at, Charge.id)).scalars().all()


def by_ids(session, practice_id, ids, for_update=False):
    query = select(Charge).where(Charge.practice_id == practice_id, Charge.id.in_(ids))
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalars().all()


def history(session, charge_ids):
    if not charge_ids:
        return []
    return session.execute(select(ChargeChange).where(
        ChargeChange.charge_id.in_(charge_ids)).order_by(ChargeChange.at)).scalars().all()


def add_change(session, actor, charge, action, before, after, reason, at):
    session.add(ChargeChange(practice_id=charge.practice_id, charge_id=charge.id,
                             action=action, amount_before_cents=before,
                             amount_after_cents=after, reason=reason, at=at,
                             by_kind=actor.kind, by_id=actor.id))
