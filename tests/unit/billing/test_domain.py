"""billing's rules: money in cents, the ledger (with hypothesis), fees, who may."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain import access, charges, ledger, money
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, NotFound

CENTS = st.integers(min_value=1, max_value=money.MAX_CENTS)


def test_amounts_are_whole_cents_never_floats():
    assert money.cents_problem(15000) is None
    assert money.cents_problem(150.0) and money.cents_problem(True)
    assert money.cents_problem(0) and money.cents_problem(-1)
    assert money.cents_problem(0, allow_zero=True) is None
    assert money.to_cents("150.5") == 15050
    for bad in ("1.005", 1.5, "abc", "NaN"):
        with pytest.raises(ValueError):
            money.to_cents(bad)
    assert money.display(-123456) == "-$1,234.56"


@given(charged=st.lists(st.tuples(CENTS, st.sampled_from(["open", "invoiced", "void"]))),
       paid=st.lists(st.tuples(CENTS, st.sampled_from(["succeeded", "pending", "failed"]))),
       refunds=st.lists(CENTS, max_size=5))
def test_balance_is_charges_minus_payments_plus_refunds_to_the_cent(charged, paid, refunds):
    totals = ledger.totals(charged, paid, refunds)
    expected = (sum(a for a, s in charged if s != "void")
                - sum(a for a, s in paid if s == "succeeded") + sum(refunds))
    assert totals.balance == expected
    assert isinstance(totals.balance, int)
    assert totals.credit == max(0, -expected)


@given(balance=st.integers(-10**6, 10**6), amount=CENTS)
def test_a_payment_splits_into_what_was_owed_and_credit(balance, amount):
    applied, credit = ledger.split_payment(balance, amount, allow_credit=True)
    assert applied + credit == amount
    assert 0 <= applied <= max(0, balance)
    assert credit == max(0, amount - max(0, balance))


@given(balance=st.integers(0, 10**6), amount=CENTS)
def test_without_credit_an_overpayment_is_refused(balance, amount):
    if amount > balance:
        with pytest.raises(Conflict) as exc:
            ledger.split_payment(balance, amount, allow_credit=False)
        assert exc.value.code == "overpayment"
    else:
        assert ledger.split_payment(balance, amount, allow_credit=False) == (amount, 0)


@given(paid=CENTS, refunds=st.lists(CENTS, max_size=6))
def test_refunds_never_exceed_what_was_paid(paid, refunds):
    so_far = 0
    for amount in refunds:
        if amount > paid - so_far:
            with pytest.raises(Conflict):
                ledger.check_refund(paid, so_far, amount)
        else:
            ledger.check_refund(paid, so_far, amount)
            so_far += amount
        assert 0 <= so_far <= paid


@given(charges_=st.lists(CENTS, min_size=1, max_size=8), parts=st.integers(1, 5))
def test_partial_payments_that_add_up_bring_the_balance_to_zero(charges_, parts):
    total = sum(charges_)
    pieces = [total // parts] * (parts - 1)
    pieces.append(total - sum(pieces))
    balance = total
    for piece in pieces:
        if piece == 0:
            continue
        applied, credit = ledger.split_payment(balance, piece, allow_credit=False)
        assert credit == 0
        balance -= applied
    assert balance == 0


def test_fees():
    assert charges.session_fee({"fee_cents": 15000}) == 15000
    assert charges.session_fee({"fee_cents": None}) is None
    assert charges.session_fee(None) is None
    assert charges.late_cancel_fee({"late_cancel_fee_cents": 5000}, {"fee_cents": 9}) == 5000
    assert charges.late_cancel_fee({"late_cancel_fee_cents": None}, {"fee_cents": 7000}) == 7000
    assert charges.late_cancel_fee({"late_cancel_fee_cents": None}, None) is None
    assert charges.no_show_fee({"no_show_fee_cents": 0}) is None


def actor(**kw):
    base = {"practice_id": "p", "kind": "staff", "id": "s"}
    return Actor.from_wire(dict(base, **kw))


def test_who_bills():
    assert access.may_bill(actor(roles=["biller"]))
    assert access.may_bill(actor(roles=["practice_admin"]))
    assert access.may_bill(actor(permissions=["manage_billing"]))
    assert not access.may_bill(actor(roles=["clinician"], permissions=["view_clients"]))
    with pytest.raises(Forbidden):
        access.require_biller(actor(roles=["clinician"]))
    with pytest.raises(Forbidden):
        access.require_biller(actor(kind="client", clients={"c": ["*"]}))


def test_portal_visibility_needs_the_practice_and_the_client_and_the_grant():
    on = {"enabled": True, "view_invoices": True, "online_payments": False}
    assert access.visibility(on, None)["view_invoices"]
    assert not access.visibility(on, {"view_invoices": False})["view_invoices"]
    assert not access.visibility(dict(on, enabled=False), None)["view_invoices"]
    seen = access.visibility(on, None)
    access.require_portal_reader(actor(kind="client", clients={"c": ["*"]}), "c", seen)
    access.require_portal_reader(actor(kind="contact", clients={"c": ["billing"]}), "c", seen)
    with pytest.raises(Forbidden):
        access.require_portal_reader(actor(kind="contact", clients={"c": ["view_appointments"]}),
                                     "c", seen)
    with pytest.raises(NotFound):
        access.require_portal_reader(actor(kind="client", clients={"c": ["*"]}), "other", seen)
    with pytest.raises(Forbidden) as exc:
        access.require_portal_reader(actor(kind="client", clients={"c": ["*"]}), "c",
                                     access.visibility(on, {"view_invoices": False}))
    assert exc.value.code == "billing_not_visible"
