"""The payment provider, chosen by configuration (a small interface, STYLE.md).

`HAVEN_STRIPE_SECRET_KEY` set: `StripePayments` on the official `stripe` package —
PaymentIntents, confirmed in the browser by Stripe's own card element (card numbers never
reach Haven), webhooks verified by their signature (`HAVEN_STRIPE_WEBHOOK_SECRET`).
`HAVEN_STRIPE_API_BASE` points the SDK elsewhere (the tests' localstripe). Unset: card
payment is off (`NoCardPayments`) and the portal says so.

Every call that creates something carries an idempotency key; Haven keeps its own records
too (store/idempotency.py), since a fake provider may not honour the key.
"""
import logging

import stripe
from nameko.extensions import DependencyProvider

from services.common.config import env
from services.common.errors import Conflict, Unauthenticated, Unavailable

log = logging.getLogger(__name__)
CURRENCY = "usd"


class NoCardPayments:
    """Card payment is off: nothing here ever talks to a provider."""
    enabled = False
    name = None
    publishable_key = None

    def _off(self, *args, **kwargs):
        raise Conflict("card_payments_off", "Card payment is not available at this "
                       "practice. Please pay the practice another way.")

    create_intent = retrieve_intent = parse_webhook = _off


def _intent(obj):
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    error = obj.get("last_payment_error") or {}
    return {"id": obj["id"], "status": obj["status"], "amount": obj["amount"],
            "client_secret": obj.get("client_secret"),
            "metadata": dict(obj.get("metadata") or {}),
            "error_code": error.get("decline_code") or error.get("code")}


class StripePayments:
    enabled = True
    name = "stripe"

    def __init__(self, secret_key, publishable_key, webhook_secret=None, api_base=None,
                 timeout=10.0):
        self.publishable_key = publishable_key
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2, http_client=stripe.RequestsClient(timeout=timeout)).v1

    def _call(self, what, *args, **kwargs):
        try:
            return what(*args, **kwargs)
        except stripe.CardError as exc:
            raise Conflict("card_declined", "The card was declined.",
                           {"code": [str(exc.code or "declined")]}) from None
        except stripe.StripeError as exc:
            # the class only: a provider's message may quote the request
            log.warning("payment provider failed", extra={"error_type": type(exc).__name__})
            raise Unavailable("payment_provider_unavailable", "The card payment service "
                              "did not answer. Nothing was charged; try again in a "
                              "moment.") from None

    def create_intent(self, amount_cents, idempotency_key, metadata):
        """A PaymentIntent of `amount_cents` the browser confirms with its client secret."""
        return _intent(self._call(self._client.payment_intents.create, params={
            "amount": amount_cents, "currency": CURRENCY, "metadata": metadata,
            "payment_method_types": ["card"]}, options={"idempotency_key": idempotency_key}))

    def retrieve_intent(self, intent_id):
        return _intent(self._call(self._client.payment_intents.retrieve, intent_id))

    def parse_webhook(self, payload, signature):
        """The event of a webhook whose signature holds; refused otherwise."""
        if not self._webhook_secret:
            raise Unauthenticated("webhooks_off", "Webhooks are not configured.")
        try:
            event = stripe.Webhook.construct_event(payload, signature or "",
                                                   self._webhook_secret)
        except (stripe.SignatureVerificationError, ValueError):
            raise Unauthenticated("bad_signature", "The webhook signature does not "
                                  "verify.") from None
        event = event.to_dict()
        obj = event["data"]["object"]
        return {"id": event["id"], "type": event["type"],
                "intent": _intent(obj) if obj.get("object") == "payment_intent" else None}


def provider_from(config):
    """The container's config first (tests), then the environment."""
    secret = config.get("STRIPE_SECRET_KEY") or env("HAVEN_STRIPE_SECRET_KEY")
    if not secret:
        return NoCardPayments()
    return StripePayments(
        secret,
        config.get("STRIPE_PUBLISHABLE_KEY") or env("HAVEN_STRIPE_PUBLISHABLE_KEY"),
        config.get("STRIPE_WEBHOOK_SECRET") or env("HAVEN_STRIPE_WEBHOOK_SECRET"),
        config.get("STRIPE_API_BASE") or env("HAVEN_STRIPE_API_BASE"))


class PaymentProvider(DependencyProvider):
    """`self.payments`: the configured provider."""

    def setup(self):
        self.provider = provider_from(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.provider
