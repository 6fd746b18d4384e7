from sqlalchemy import func, select

from services.billing.models import Invoice, InvoiceLine
from services.common.errors import NotFound


def invoice_of_practice(session, actor, invoice_id, for_update=False):
    row = session.get(Invoice, str(invoice_id or "")[:36], with_for_update=for_update or None)
    if row is None or row.practice_id != actor.practice_id:
        raise NotFound("no_invoice", "That invoice does not exist.")
    return row


def next_number(session, practice_id):
    last = session.execute(select(func.max(Invoice.number)).where(
        Invoice.practice_id == practice_id)).scalar()
    return (last or 0) + 1


def of_client(session, practice_id, client_id, statuses=None):
    query = select(Invoice).where(Invoice.practice_id == practice_id,
                                  Invoice.client_id == client_id)
    if statuses:
        query = query.where(Invoice.status.in_(statuses))
    return session.execute(query.order_by(Invoice.number.desc())).scalars().all()


def lines_of(session, invoice_ids):
    if not invoice_ids:
        return []
    return session.execute(select(InvoiceLine).where(
        InvoiceLine.invoice_id.in_(invoice_ids)).order_by(
            InvoiceLine.service_date, InvoiceLine.id)).scalars().all()
