"""Invoices: staff make one from a client's open charges and share it to the portal;
the client (or a contact with the billing grant) reads shared ones and the balance."""
import logging

from services.billing import domain, events, schemas, store
from services.billing.entrypoints.guards import client_id_of, require_reader
from services.billing.models import Invoice, InvoiceLine
from services.common.actor import Actor
from services.common.errors import EXPECTED
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)
INV = domain.invoices
PORTAL_STATUSES = (INV.SHARED, INV.PAID)


def dump_invoice(session, row, lines=None):
    if lines is None:
        lines = store.invoices.lines_of(session, [row.id])
    paid = store.payments.paid_toward(session, row.id)
    return {"id": row.id, "client_id": row.client_id, "number": row.number,
            "status": row.status, "total_cents": row.total_cents, "paid_cents": paid,
            "due_cents": max(0, row.total_cents - paid),
            "created_at": row.created_at.isoformat(),
            "shared_at": row.shared_at.isoformat() if row.shared_at else None,
            "paid_at": row.paid_at.isoformat() if row.paid_at else None,
            "lines": [{"charge_id": line.charge_id, "description": line.description,
                       "service_date": line.service_date.isoformat()
                       if line.service_date else None,
                       "amount_cents": line.amount_cents} for line in lines]}


def share(tx, actor, row, now):
    INV.check_shareable(row)
    if row.shared_at is None:
        row.shared_at = now
        if row.status == INV.DRAFT:
            row.status = INV.SHARED
        events.INVOICE_SHARED.record(tx, actor, {
            "invoice_id": row.id, "client_id": row.client_id, "number": row.number,
            "total_cents": row.total_cents})


class InvoiceEntrypoints:
    """Mixin of BillingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def create_invoice(self, actor, client_id, payload=None):
        """Staff who bill: an invoice of the client's open charges ({charge_ids?}: all
        open ones when absent; share? to share it at once) → the invoice. 422 no open
        charges or another client's; 409 `charge_not_open`. Sharing emits `invoice.shared`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.CreateInvoice(), payload)
        with self.db.transaction() as tx:
            session = tx.session
            if cmd["charge_ids"] is None:
                charges = store.charges.of_client(session, actor.practice_id, client_id, "open")
            else:
                charges = store.charges.by_ids(session, actor.practice_id,
                                               cmd["charge_ids"], for_update=True)
                if len(charges) != len(set(cmd["charge_ids"])):
                    charges = []
            INV.check_charges(charges, client_id)
            now = self.clock()
            row = Invoice(practice_id=actor.practice_id, client_id=client_id,
                          number=store.invoices.next_number(session, actor.practice_id),
                          status=INV.DRAFT, created_at=now, created_by=actor.id,
                          total_cents=sum(c.amount_cents for c in charges))
            session.add(row)
            session.flush()
            for charge in charges:
                charge.status, charge.invoice_id = domain.charges.INVOICED, row.id
                charge.version += 1
                session.add(InvoiceLine(practice_id=row.practice_id, invoice_id=row.id,
                                        charge_id=charge.id, description=charge.description,
                                        service_date=charge.service_date,
                                        amount_cents=charge.amount_cents))
            if cmd["share"]:
                share(tx, actor, row, now)
            session.flush()
            result = dump_invoice(session, row)
        log.info("invoice made", extra={"invoice_id": row.id, "client_id": client_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def share_invoice(self, actor, invoice_id):
        """Staff who bill: the portal shows the invoice now → the invoice. Sharing again
        changes nothing. Emits `invoice.shared` (once)."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        with self.db.transaction() as tx:
            row = store.invoices.invoice_of_practice(tx.session, actor, invoice_id,
                                                     for_update=True)
            share(tx, actor, row, self.clock())
            tx.session.flush()
            return dump_invoice(tx.session, row)

    @rpc(expected_exceptions=EXPECTED)
    def list_client_invoices(self, actor, client_id):
        """The client's invoices, newest first: every one for staff who bill; the shared
        and paid ones for the client, or a contact with `billing`, when the switches
        show invoices (403 `billing_not_visible` otherwise) → {items}."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        with self.db.read() as session:
            require_reader(session, actor, client_id)
            statuses = None if actor.is_staff or actor.is_system else PORTAL_STATUSES
            rows = store.invoices.of_client(session, actor.practice_id, client_id, statuses)
            lines = {}
            for line in store.invoices.lines_of(session, [r.id for r in rows]):
                lines.setdefault(line.invoice_id, []).append(line)
            return {"items": [dump_invoice(session, r, lines.get(r.id, [])) for r in rows]}

    @rpc(expected_exceptions=EXPECTED)
    def get_invoice(self, actor, invoice_id):
        """One invoice under the rule of `list_client_invoices` (a draft is missing to
        the portal)."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            row = store.invoices.invoice_of_practice(session, actor, invoice_id)
            if not (actor.is_staff or actor.is_system):
                actor.require_client(row.client_id)
            require_reader(session, actor, row.client_id)
            if not (actor.is_staff or actor.is_system) and row.status not in PORTAL_STATUSES:
                store.invoices.invoice_of_practice(session, actor, None)   # NotFound
            return dump_invoice(session, row)

    @rpc(expected_exceptions=EXPECTED)
    def get_balance(self, actor, client_id):
        """The client's account under the rule of `list_client_invoices`:
        {client_id, charged_cents, paid_cents, refunded_cents, balance_cents (charges −
        payments + refunds), credit_cents}."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        with self.db.read() as session:
            require_reader(session, actor, client_id)
            totals = store.payments.totals(session, actor.practice_id, client_id)
        return dict(totals.to_dict(), client_id=client_id)
