"""The events billing publishes on `billing.events` (routing key = type), through the
outbox. Data carries ids, kinds and amounts in integer cents — never a service name, a
code, a diagnosis, a reason or a person's name. Bump `version` on a breaking change."""
from services.billing import schemas
from services.common.events import EventType

CHARGE_CREATED = EventType("charge.created", 1, """\
`charge.created` v1
A client was charged: an attended session (the fee copied at booking), a late
cancellation or a no-show (the practice's fee), or an item staff added.
data: {charge_id, client_id, appointment_id (null for staff's items), kind: session |
late_cancel | no_show | manual, amount_cents, status: "open"}.""",
                           schema=schemas.ChargeEventData)

CHARGE_VOIDED = EventType("charge.voided", 1, """\
`charge.voided` v1
Staff voided a charge (the reason stays in billing's history, for staff only).
data: {charge_id, client_id, appointment_id, kind, amount_cents (what it was),
status: "void"}.""", schema=schemas.ChargeEventData)

INVOICE_SHARED = EventType("invoice.shared", 1, """\
`invoice.shared` v1
Staff shared an invoice to the portal: the client (or a contact with the billing grant)
can see it now. notify tells them a new invoice is there, without amounts or services.
data: {invoice_id, client_id, number, total_cents}.""", schema=schemas.InvoiceEventData)

PAYMENT_RECEIVED = EventType("payment.received", 1, """\
`payment.received` v1
A payment counts now: recorded by staff (cash, check, insurance) or confirmed by the card
provider. `credit_cents` is the part above what was owed, kept as credit.
data: {payment_id, client_id, invoice_id (or null), method: cash | check | insurance |
card, amount_cents, credit_cents, balance_cents (the client's balance after it)}.""",
                             schema=schemas.PaymentEventData)

PAYMENT_FAILED = EventType("payment.failed", 1, """\
`payment.failed` v1
The card provider refused or failed a payment; the ledger is unchanged.
data: {payment_id, client_id, invoice_id, amount_cents, code (the provider's decline
code, or null)}.""", schema=schemas.PaymentFailedData)

REFUND_ISSUED = EventType("refund.issued", 1, """\
`refund.issued` v1
Staff refunded (part of) a payment.
data: {refund_id, payment_id, client_id, amount_cents, balance_cents (after it)}.""",
                          schema=schemas.RefundEventData)

ALL = (CHARGE_CREATED, CHARGE_VOIDED, INVOICE_SHARED, PAYMENT_RECEIVED, PAYMENT_FAILED,
       REFUND_ISSUED)


def charge_data(row):
    return {"charge_id": row.id, "client_id": row.client_id,
            "appointment_id": row.appointment_id, "kind": row.kind,
            "amount_cents": row.amount_cents, "status": row.status}
