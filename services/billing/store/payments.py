from sqlalchemy import func, select

from services.billing.models import Charge, Credit, Payment, Refund
from services.billing.domain import ledger
from services.common.errors import NotFound


def payment_of_practice(session, actor, payment_id, for_update=False):
    row = session.get(Payment, str(payment_id or "")[:36], with_for_update=for_update or None)
    if row is None or row.practice_id != actor.practice_id:
        raise NotFound("no_payment", "That payment does not exist.")
    return row


def totals(session, practice_id, client_id):
    """The client's ledger totals, summed by the database (integers, exact)."""
    def total(model, *where):
        return session.execute(select(func.coalesce(func.sum(model.amount_cents), 0)).where(
            model.practice_id == practice_id, model.client_id == client_id,
            *where)).scalar()
    return ledger.Totals(charged=total(Charge, Charge.status != "void"),
                         paid=total(Payment, Payment.status == ledger.SUCCEEDED),
                         refunded=total(Refund))


def of_client(session, practice_id, client_id):
    return session.execute(select(Payment).where(
        Payment.practice_id == practice_id, Payment.client_id == client_id).order_by(
            Payment.received_at, Payment.id)).scalars().all()


def refunds_of(session, payment_ids):
    if not payment_ids:
        return []
    return session.execute(select(Refund).where(Refund.payment_id.in_(payment_ids)).order_by(
        Refund.created_at)).scalars().all()


def refunded(session, payment_id):
    return session.execute(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment_id)).scalar()


def paid_toward(session, invoice_id):
    """Succeeded payments toward an invoice, less their refunds."""
    paid = session.execute(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.invoice_id == invoice_id, Payment.status == ledger.SUCCEEDED)).scalar()
    back = session.execute(select(func.coalesce(func.sum(Refund.amount_cents), 0)).join(
        Payment, Refund.payment_id == Payment.id).where(
            Payment.invoice_id == invoice_id)).scalar()
    return paid - back


def add_credit(session, payment, amount, at):
    session.add(Credit(practice_id=payment.practice_id, client_id=payment.client_id,
                       payment_id=payment.id, amount_cents=amount, created_at=at))


def by_provider_id(session, provider, provider_payment_id, for_update=False):
    query = select(Payment).where(Payment.provider == provider,
                                  Payment.provider_payment_id == provider_payment_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()
