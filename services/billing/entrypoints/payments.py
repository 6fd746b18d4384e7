"""Payments staff record (cash, check, insurance) and refunds, each under an idempotency
key of Haven's own: the same key answers the first result again and changes nothing."""
import logging

from sqlalchemy.exc import IntegrityError

from services.billing import domain, events, schemas, store
from services.billing.entrypoints.guards import client_id_of, settings_in
from services.billing.models import Payment, Refund
from services.common.actor import Actor
from services.common.errors import EXPECTED, InvalidInput
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)
LEDGER = domain.ledger


def dump_payment(row, refunded=0):
    return {"id": row.id, "client_id": row.client_id, "invoice_id": row.invoice_id,
            "method": row.method, "amount_cents": row.amount_cents, "status": row.status,
            "reference": row.reference, "refunded_cents": refunded,
            "received_at": row.received_at.isoformat()}


def post_payment(tx, actor, row, allow_credit, now):
    """A payment succeeds and enters the ledger: the part above what is owed becomes
    credit (or is refused), an invoice it covers is paid; emits `payment.received`."""
    session = tx.session
    before = store.payments.totals(session, row.practice_id, row.client_id)
    _, credit = LEDGER.split_payment(before.balance, row.amount_cents, allow_credit)
    row.status = LEDGER.SUCCEEDED
    session.add(row)
    session.flush()
    if credit:
        store.payments.add_credit(session, row, credit, now)
    if row.invoice_id:
        invoice = store.invoices.invoice_of_practice(session, actor, row.invoice_id,
                                                     for_update=True)
        status = domain.invoices.status_after_payment(
            invoice, store.payments.paid_toward(session, invoice.id))
        if status != invoice.status:
            invoice.status, invoice.paid_at = status, now
    balance = before.balance - row.amount_cents
    events.PAYMENT_RECEIVED.record(tx, actor, {
        "payment_id": row.id, "client_id": row.client_id, "invoice_id": row.invoice_id,
        "method": row.method, "amount_cents": row.amount_cents, "credit_cents": credit,
        "balance_cents": balance}, practice_id=row.practice_id)
    return balance


class PaymentEntrypoints:
    """Mixin of BillingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def record_payment(self, actor, client_id, payload):
        """Staff who bill record money received: {amount_cents, method: cash | check |
        insurance, invoice_id?, reference?, idempotency_key} → {payment, balance_cents}.
        The same key again answers the same result and changes nothing (another request
        under it: 422 `idempotency_key_reused`). 409 `overpayment` when above the balance
        and the practice keeps no credit. Emits `payment.received`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.RecordPayment(), payload)
        key = cmd.pop("idempotency_key")
        request = dict(cmd, client_id=client_id)
        return self._once(actor, "payment", key, request,
                          lambda tx, now: self._record(tx, actor, client_id, cmd, now))

    def _record(self, tx, actor, client_id, cmd, now):
        if cmd["invoice_id"]:
            invoice = store.invoices.invoice_of_practice(tx.session, actor, cmd["invoice_id"])
            if invoice.client_id != client_id:
                raise InvalidInput("invalid_input", "The invoice is another client's.",
                                   {"invoice_id": ["Not this client's invoice."]})
        row = Payment(practice_id=actor.practice_id, client_id=client_id,
                      invoice_id=cmd["invoice_id"], method=cmd["method"],
                      amount_cents=cmd["amount_cents"], status=LEDGER.PENDING,
                      reference=cmd["reference"], received_at=now,
                      recorded_by_kind=actor.kind, recorded_by=actor.id)
        balance = post_payment(tx, actor, row,
                               settings_in(tx.session, actor.practice_id)["allow_credit"], now)
        return {"payment": dump_payment(row), "balance_cents": balance}

    @rpc(expected_exceptions=EXPECTED)
    def refund_payment(self, actor, payment_id, payload):
        """Staff who bill refund (part of) a succeeded payment: {amount_cents, reason,
        idempotency_key} → {refund, payment, balance_cents}. 409 `refund_above_paid`.
        Emits `refund.issued`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        cmd = load(schemas.RefundPayment(), payload)
        key = cmd.pop("idempotency_key")
        request = dict(cmd, payment_id=str(payment_id))
        return self._once(actor, "refund", key, request,
                          lambda tx, now: self._refund(tx, actor, payment_id, cmd, now))

    def _refund(self, tx, actor, payment_id, cmd, now):
        session = tx.session
        payment = store.payments.payment_of_practice(session, actor, payment_id,
                                                     for_update=True)
        paid = payment.amount_cents if payment.status == LEDGER.SUCCEEDED else 0
        so_far = store.payments.refunded(session, payment.id)
        LEDGER.check_refund(paid, so_far, cmd["amount_cents"])
        row = Refund(practice_id=payment.practice_id, client_id=payment.client_id,
                     payment_id=payment.id, amount_cents=cmd["amount_cents"],
                     reason=cmd["reason"], created_at=now, created_by=actor.id)
        session.add(row)
        session.flush()
        balance = store.payments.totals(session, payment.practice_id,
                                        payment.client_id).balance
        events.REFUND_ISSUED.record(tx, actor, {
            "refund_id": row.id, "payment_id": payment.id, "client_id": payment.client_id,
            "amount_cents": row.amount_cents, "balance_cents": balance})
        return {"refund": {"id": row.id, "payment_id": payment.id,
                           "amount_cents": row.amount_cents, "reason": row.reason,
                           "created_at": now.isoformat()},
                "payment": dump_payment(payment, so_far + row.amount_cents),
                "balance_cents": balance}

    @rpc(expected_exceptions=EXPECTED)
    def list_client_payments(self, actor, client_id):
        """Staff who bill: the client's payments with what was refunded of each → {items}."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        with self.db.read() as session:
            rows = store.payments.of_client(session, actor.practice_id, client_id)
            back = {}
            for refund in store.payments.refunds_of(session, [r.id for r in rows]):
                back[refund.payment_id] = back.get(refund.payment_id, 0) + refund.amount_cents
            return {"items": [dump_payment(r, back.get(r.id, 0)) for r in rows]}

    def _once(self, actor, scope, key, request, work):
        """Run `work(tx, now)` once per (practice, scope, key); a replay answers the
        stored result. A concurrent twin loses the key's insert and then reads it."""
        for attempt in (1, 2):
            try:
                with self.db.transaction() as tx:
                    found = store.idempotency.replayed(tx.session, actor.practice_id,
                                                       scope, key, request)
                    if found is not None:
                        return found
                    now = self.clock()
                    record = store.idempotency.claim(tx.session, actor.practice_id, scope,
                                                     key, request, now)
                    result = work(tx, now)
                    record.result = result
                    return result
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
