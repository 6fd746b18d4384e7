"""The payment provider, chosen by configuration (a small interface, STYLE.md).

Card payment is off today: `enabled` is False and the portal says so. The Stripe
implementation (PaymentIntents, the browser's card element, signed webhooks, chosen by
`HAVEN_STRIPE_SECRET_KEY`) is not built yet (docs/billing.md, "Not built yet").
"""
from nameko.extensions import DependencyProvider


class NoCardPayments:
    """Card payment is off: nothing here ever talks to a provider."""
    enabled = False
    name = None
    publishable_key = None


class PaymentProvider(DependencyProvider):
    """`self.payments`: the configured provider (today only `NoCardPayments`)."""

    def setup(self):
        self.provider = NoCardPayments()

    def get_dependency(self, worker_ctx):
        return self.provider
