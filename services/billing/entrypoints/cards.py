"""Card payments through the provider (dependencies.py): the portal starts one for an
invoice's amount due, the browser confirms it with the provider's own card element, and
the provider's answer — asked by the portal after confirming, or told by a signed
webhook — settles it once. A double click, a retried request or a webhook delivered twice
never charges or credits twice: Haven's idempotency record and the payment's own state
decide, not only the provider's key. No provider call is made inside a transaction."""
import logging

from services.billing import domain, events, schemas, store
from services.billing.entrypoints.guards import visibility_in
from services.billing.entrypoints.payments import dump_payment, post_payment
from services.billing.models import Payment
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, NotFound
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)
LEDGER = domain.ledger
SCOPE = "card_payment"
WEBHOOK_HANDLER = "billing.stripe_webhook"


def require_payer(session, actor, client_id):
    """The client, or a contact with `billing`, when the switches allow paying online."""
    if actor.is_staff or actor.is_system:
        raise Forbidden("clients_only", "Card payment is made by the client in the portal.")
    actor.require_client(client_id, domain.access.BILLING_GRANT)
    seen = visibility_in(session, actor.practice_id, client_id)
    if not seen["view_invoices"]:
        raise Forbidden("billing_not_visible", "The practice does not show billing in "
                        "the portal.")
    if not seen["online_payments"]:
        raise Forbidden("online_payments_off", "This practice does not take payments "
                        "in the portal. Please pay the practice another way.")


class CardEntrypoints:
    """Mixin of BillingService: needs `db`, `clock` and `payments`."""

    @rpc(expected_exceptions=EXPECTED)
    def start_card_payment(self, actor, invoice_id, payload):
        """The client (or a contact with `billing`) starts paying a shared invoice's
        amount due by card: payload {idempotency_key} → {payment_id, amount_cents,
        client_secret, publishable_key, status: "pending"}, for the provider's element.
        The same key answers the same payment. 409 `card_payments_off` without a
        provider, `nothing_due` for a paid invoice; 503 when the provider is down."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.StartCardPayment(), payload)
        request = {"invoice_id": str(invoice_id)}
        key = cmd["idempotency_key"]
        if not self.payments.enabled:
            self.payments.create_intent()          # raises card_payments_off
        with self.db.transaction() as tx:
            invoice = store.invoices.invoice_of_practice(tx.session, actor, invoice_id)
            require_payer(tx.session, actor, invoice.client_id)
            if invoice.status not in (domain.invoices.SHARED, domain.invoices.PAID):
                raise NotFound("no_invoice", "That invoice does not exist.")
            found = store.idempotency.replayed(tx.session, actor.practice_id, SCOPE, key,
                                               request)
            if found is not None and found.get("client_secret"):
                return found
            if found is None:
                due = invoice.total_cents - store.payments.paid_toward(tx.session, invoice.id)
                if due <= 0:
                    raise Conflict("nothing_due", "This invoice is paid.")
                now = self.clock()
                record = store.idempotency.claim(tx.session, actor.practice_id, SCOPE, key,
                                                 request, now)
                row = Payment(practice_id=actor.practice_id, client_id=invoice.client_id,
                              invoice_id=invoice.id, method="card", amount_cents=due,
                              status=LEDGER.PENDING, provider=self.payments.name,
                              received_at=now, recorded_by_kind=actor.kind,
                              recorded_by=actor.id)
                tx.session.add(row)
                tx.session.flush()
                record.result = {"payment_id": row.id}
                found = record.result
            payment_id = found["payment_id"]
            row = tx.session.get(Payment, payment_id)
            amount, intent_id = row.amount_cents, row.provider_payment_id
            meta = {"payment_id": row.id, "practice_id": row.practice_id,
                    "client_id": row.client_id, "invoice_id": row.invoice_id}
        # outside the transaction; the provider's key is the payment's own id, so a
        # retry after a lost answer asks for the same intent
        intent = (self.payments.retrieve_intent(intent_id) if intent_id else
                  self.payments.create_intent(amount, f"haven-payment-{payment_id}", meta))
        result = {"payment_id": payment_id, "amount_cents": amount,
                  "client_secret": intent["client_secret"],
                  "publishable_key": self.payments.publishable_key, "status": "pending"}
        with self.db.transaction() as tx:
            row = tx.session.get(Payment, payment_id, with_for_update=True)
            if row.provider_payment_id is None:
                row.provider_payment_id = intent["id"]
            record = store.idempotency.record_of(tx.session, actor.practice_id, SCOPE, key)
            record.result = result
        log.info("card payment started", extra={"payment_id": payment_id})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def confirm_card_payment(self, actor, payment_id):
        """After the element confirmed: billing asks the provider how the payment stands
        and settles it (once) → {payment, balance_cents}."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            row = store.payments.payment_of_practice(session, actor, payment_id)
            require_payer(session, actor, row.client_id)
            intent_id = row.provider_payment_id
        if intent_id is None:
            raise Conflict("not_started", "This payment was not started with the card "
                           "service.")
        intent = self.payments.retrieve_intent(intent_id)
        return self._settle(intent, None)

    @rpc(expected_exceptions=EXPECTED)
    def handle_payment_webhook(self, payload, signature):
        """*public* (the gateway's webhook route, no actor): the provider's signed event
        → {handled: true|false}. A bad signature: 401 `bad_signature`. Events other than
        an intent's success or failure, and intents that are not Haven's, are ignored;
        one delivered twice is applied once."""
        event = self.payments.parse_webhook(payload, signature)
        intent = event["intent"]
        if intent is None or event["type"] not in ("payment_intent.succeeded",
                                                    "payment_intent.payment_failed"):
            return {"handled": False}
        result = self._settle(intent, event["id"])
        return {"handled": result is not None}

    def _settle(self, intent, webhook_event_id):
        with self.db.transaction() as tx:
            if webhook_event_id and not tx.first_delivery(webhook_event_id[:36],
                                                          WEBHOOK_HANDLER):
                return None
            row = store.payments.by_provider_id(tx.session, self.payments.name,
                                                intent["id"], for_update=True)
            if row is None:
                log.warning("provider intent unknown", extra={"intent_id": intent["id"]})
                return None
            actor = Actor.system(practice_id=row.practice_id)
            declined = intent["status"] == "canceled" or (
                intent["status"] == "requires_payment_method" and intent["error_code"])
            # a failed attempt may be retried on the same intent with another card
            if row.status != LEDGER.SUCCEEDED and intent["status"] == "succeeded":
                if intent["amount"] != row.amount_cents:
                    raise ValueError("the provider's amount differs from the payment's")
                # the money is taken: what exceeds the balance is kept as credit
                post_payment(tx, actor, row, True, self.clock())
                log.info("card payment received", extra={"payment_id": row.id})
            elif row.status == LEDGER.PENDING and declined:
                row.status = LEDGER.FAILED
                events.PAYMENT_FAILED.record(tx, actor, {
                    "payment_id": row.id, "client_id": row.client_id,
                    "invoice_id": row.invoice_id, "amount_cents": row.amount_cents,
                    "code": intent["error_code"]}, practice_id=row.practice_id)
                log.info("card payment failed", extra={"payment_id": row.id})
            tx.session.flush()
            balance = store.payments.totals(tx.session, row.practice_id, row.client_id).balance
            return {"payment": dump_payment(row), "balance_cents": balance}
