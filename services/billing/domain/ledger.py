"""The ledger of one client: balance = charges − payments + refunds, to the cent.

A void charge counts for nothing; a pending or failed card payment counts for nothing. A
negative balance is the client's credit (an overpayment kept when the practice allows
it). Everything here is integer cents.
"""
from dataclasses import dataclass

from services.common.errors import Conflict

SUCCEEDED, PENDING, FAILED = "succeeded", "pending", "failed"


@dataclass(frozen=True)
class Totals:
    charged: int
    paid: int
    refunded: int

    @property
    def balance(self):
        return self.charged - self.paid + self.refunded

    @property
    def credit(self):
        return max(0, -self.balance)

    def to_dict(self):
        return {"charged_cents": self.charged, "paid_cents": self.paid,
                "refunded_cents": self.refunded, "balance_cents": self.balance,
                "credit_cents": self.credit}


def totals(charges, payments, refunds):
    """`charges`: (amount_cents, status); `payments`: (amount_cents, status);
    `refunds`: amounts in cents."""
    return Totals(
        charged=sum(amount for amount, status in charges if status != "void"),
        paid=sum(amount for amount, status in payments if status == SUCCEEDED),
        refunded=sum(refunds))


def split_payment(balance, amount, allow_credit):
    """(applied to what is owed, kept as credit). Paying more than the balance is refused
    unless the practice keeps overpayments as credit."""
    owed = max(0, balance)
    if amount <= owed:
        return amount, 0
    if not allow_credit:
        raise Conflict("overpayment", "That is more than the client owes, and this "
                       "practice does not keep overpayments as credit.",
                       {"amount_cents": [f"At most {owed} cents."]})
    return owed, amount - owed


def refundable(paid, refunded_so_far):
    """What can still be refunded of one payment."""
    return max(0, paid - refunded_so_far)


def check_refund(paid, refunded_so_far, amount):
    left = refundable(paid, refunded_so_far)
    if amount > left:
        raise Conflict("refund_above_paid", "A refund cannot be more than what was paid "
                       "and not yet refunded.", {"amount_cents": [f"At most {left} cents."]})
