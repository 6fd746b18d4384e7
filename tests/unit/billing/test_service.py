"""BillingService through nameko's worker_factory, on an in-memory database, with
scheduling's `get_appointment` answered by a stand-in and the clock fixed."""
import uuid
from datetime import datetime, timezone
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.billing.dependencies import NoCardPayments
from services.billing.models import Base, Charge, ChargeChange, Credit, IdempotencyRecord
from services.billing.service import BillingService
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.testing import MemoryDatabase

PRACTICE, OTHER = "practice-1", "practice-2"
CLIENT, SIBLING = "client-1", "client-2"
NOW = datetime(2030, 3, 4, 12, 0, tzinfo=timezone.utc)
BILLER = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-bill", "roles": ["biller"],
          "permissions": ["view_clients"]}
ADMIN = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-admin",
         "roles": ["practice_admin"], "permissions": ["manage_practice_settings"]}
CLINICIAN = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-maya",
             "roles": ["clinician"], "permissions": ["view_clients", "manage_appointments"]}
BOBBY = {"practice_id": PRACTICE, "kind": "client", "id": "acct-1", "clients": {CLIENT: ["*"]}}
GUARDIAN = {"practice_id": PRACTICE, "kind": "contact", "id": "c-1",
            "clients": {CLIENT: ["billing"]}}
KIM = {"practice_id": PRACTICE, "kind": "contact", "id": "c-2",
       "clients": {CLIENT: ["view_appointments"]}}


@pytest.fixture
def db():
    database = MemoryDatabase(Base)
    yield database
    database.dispose()


@pytest.fixture
def scheduling():
    proxy = MagicMock()
    proxy.get_appointment.return_value = {"id": "a", "fee_cents": 15000,
                                          "service_id": "svc-1"}
    return proxy


@pytest.fixture
def service(db, scheduling):
    return worker_factory(BillingService, db=db, scheduling=scheduling,
                          payments=NoCardPayments(), clock=lambda: NOW)


@pytest.fixture
def billing_on(service):
    return service.update_billing_settings(ADMIN, {
        "version": 0, "enabled": True, "view_invoices": True, "online_payments": True,
        "late_cancel_fee_cents": 5000, "no_show_fee_cents": 7500})


def event(type_, client_id=CLIENT, appointment_id=None, **data):
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1,
            "occurred_at": NOW.isoformat(), "practice_id": PRACTICE,
            "actor": {"kind": "staff", "id": "staff-maya"},
            "data": dict({"appointment_id": appointment_id or str(uuid.uuid4()),
                          "client_id": client_id, "clinician_id": "staff-maya",
                          "starts_at": "2030-03-03T15:00:00+00:00",
                          "ends_at": "2030-03-03T15:50:00+00:00", "location": "office",
                          "status": "completed"}, **data)}


def test_settings_need_the_practice_settings_permission_and_the_version(service, billing_on):
    assert billing_on["enabled"] and billing_on["version"] == 1
    assert billing_on["card_payments"] is False
    with pytest.raises(Forbidden):
        service.update_billing_settings(BILLER, {"version": 1, "enabled": False})
    with pytest.raises(Conflict) as exc:
        service.update_billing_settings(ADMIN, {"version": 0, "enabled": False})
    assert exc.value.code == "stale_version"
    with pytest.raises(InvalidInput) as exc:
        service.update_billing_settings(ADMIN, {"version": 1, "no_show_fee_cents": 12.5})
    assert "no_show_fee_cents" in exc.value.fields


def test_outcomes_charge_once_each(service, db, billing_on, scheduling):
    completed = event("appointment.completed")
    service.on_appointment_completed(completed)
    service.on_appointment_completed(completed)                       # redelivered
    service.on_appointment_no_show(event("appointment.no_show", status="no_show"))
    late = event("appointment.cancelled", status="late_cancelled", late=True,
                 charge={"service_id": "svc-1", "fee_cents": 9999, "late_cancel_hours": 24})
    service.on_appointment_cancelled(late)
    service.on_appointment_cancelled(dict(late, id=str(uuid.uuid4())))   # same appointment
    service.on_appointment_cancelled(event("appointment.cancelled", status="cancelled",
                                           late=False, charge=None))
    charges = sorted((c.kind, c.amount_cents) for c in db.all(Charge))
    assert charges == [("late_cancel", 5000), ("no_show", 7500), ("session", 15000)]
    assert scheduling.get_appointment.call_args.args[0]["kind"] == "system"
    created = db.events("charge.created")
    assert len(created) == 3
    assert {e["data"]["kind"] for e in created} == {"session", "no_show", "late_cancel"}
    assert all(e["practice_id"] == PRACTICE for e in created)
    assert service.get_balance(BILLER, CLIENT)["balance_cents"] == 27500


def test_nothing_is_charged_while_billing_is_off(service, db):
    service.on_appointment_completed(event("appointment.completed"))
    assert db.all(Charge) == []


def test_an_unknown_version_raises_to_be_retried(service, billing_on):
    with pytest.raises(ValueError):
        service.on_appointment_completed(dict(event("appointment.completed"), version=2))


def test_staff_add_adjust_and_void_with_reasons_in_history(service, db, billing_on):
    with pytest.raises(Forbidden):
        service.create_charge(CLINICIAN, CLIENT, {"amount_cents": 100, "description": "x"})
    charge = service.create_charge(BILLER, CLIENT, {"amount_cents": 2500,
                                                    "description": "Records copy"})
    adjusted = service.adjust_charge(BILLER, charge["id"], {
        "version": 1, "amount_cents": 2000, "reason": "Courtesy discount"})
    with pytest.raises(Conflict):
        service.adjust_charge(BILLER, charge["id"], {"version": 1, "amount_cents": 1,
                                                     "reason": "x"})
    voided = service.void_charge(BILLER, charge["id"], {"version": adjusted["version"],
                                                        "reason": "Entered twice"})
    assert voided["status"] == "void"
    [listed] = service.list_client_charges(BILLER, CLIENT)["items"]
    assert [(h["action"], h["reason"]) for h in listed["history"]] == [
        ("created", None), ("adjusted", "Courtesy discount"), ("voided", "Entered twice")]
    assert len(db.all(ChargeChange)) == 3
    assert service.get_balance(BILLER, CLIENT)["balance_cents"] == 0
    [void_event] = db.events("charge.voided")
    assert "Entered twice" not in str(void_event)
    with pytest.raises(NotFound):
        service.void_charge(dict(BILLER, practice_id=OTHER), charge["id"],
                            {"version": 3, "reason": "x"})


def test_invoice_shared_paid_in_parts_then_overpaid_into_credit(service, db, billing_on):
    service.on_appointment_completed(event("appointment.completed"))
    service.create_charge(BILLER, CLIENT, {"amount_cents": 1001, "description": "Letter"})
    invoice = service.create_invoice(BILLER, CLIENT, {})
    assert invoice["status"] == "draft" and invoice["total_cents"] == 16001
    # a draft is not in the portal
    assert service.list_client_invoices(BOBBY, CLIENT)["items"] == []
    shared = service.share_invoice(BILLER, invoice["id"])
    service.share_invoice(BILLER, invoice["id"])                       # again: no event
    assert shared["status"] == "shared" and len(db.events("invoice.shared")) == 1
    for reader in (BOBBY, GUARDIAN):
        [seen] = service.list_client_invoices(reader, CLIENT)["items"]
        assert seen["id"] == invoice["id"] and len(seen["lines"]) == 2
        assert service.get_balance(reader, CLIENT)["balance_cents"] == 16001
    with pytest.raises(InvalidInput):
        service.create_invoice(BILLER, CLIENT, {})                    # nothing open left

    pay = {"amount_cents": 6001, "method": "check", "invoice_id": invoice["id"],
           "reference": "1042", "idempotency_key": "key-00000001"}
    first = service.record_payment(BILLER, CLIENT, pay)
    assert first["balance_cents"] == 10000
    assert service.record_payment(BILLER, CLIENT, pay) == first        # a double click
    with pytest.raises(InvalidInput) as exc:
        service.record_payment(BILLER, CLIENT, dict(pay, amount_cents=1))
    assert exc.value.code == "idempotency_key_reused"
    second = service.record_payment(BILLER, CLIENT, dict(
        pay, amount_cents=12000, idempotency_key="key-00000002"))
    assert second["balance_cents"] == -2000
    [credit] = db.all(Credit)
    assert credit.amount_cents == 2000
    balance = service.get_balance(BOBBY, CLIENT)
    assert balance == dict(balance, balance_cents=-2000, credit_cents=2000,
                           charged_cents=16001, paid_cents=18001)
    assert service.get_invoice(BOBBY, invoice["id"])["status"] == "paid"
    received = db.events("payment.received")
    assert [e["data"]["credit_cents"] for e in received] == [0, 2000]
    assert len(db.all(IdempotencyRecord)) == 2


def test_overpayment_refused_without_credit_and_refunds_capped(service, db, billing_on):
    service.update_billing_settings(ADMIN, {"version": 1, "allow_credit": False})
    service.create_charge(BILLER, CLIENT, {"amount_cents": 5000, "description": "Fee"})
    pay = {"amount_cents": 5001, "method": "cash", "idempotency_key": "key-00000003"}
    with pytest.raises(Conflict) as exc:
        service.record_payment(BILLER, CLIENT, pay)
    assert exc.value.code == "overpayment"
    assert db.all(IdempotencyRecord) == []                             # nothing kept
    paid = service.record_payment(BILLER, CLIENT, dict(pay, amount_cents=5000))
    refund = {"amount_cents": 3000, "reason": "Duplicate", "idempotency_key": "key-00000004"}
    result = service.refund_payment(BILLER, paid["payment"]["id"], refund)
    assert result["balance_cents"] == 3000
    assert service.refund_payment(BILLER, paid["payment"]["id"], refund) == result
    with pytest.raises(Conflict) as exc:
        service.refund_payment(BILLER, paid["payment"]["id"], dict(
            refund, amount_cents=2001, idempotency_key="key-00000005"))
    assert exc.value.code == "refund_above_paid"
    assert len(db.events("refund.issued")) == 1
    [listed] = service.list_client_payments(BILLER, CLIENT)["items"]
    assert listed["refunded_cents"] == 3000


def test_who_reads_the_portal_side(service, billing_on):
    for reader in (KIM, CLINICIAN):
        with pytest.raises(Forbidden):
            service.list_client_invoices(reader, CLIENT)
        with pytest.raises(Forbidden):
            service.get_balance(reader, CLIENT)
    with pytest.raises(NotFound):
        service.get_balance(BOBBY, SIBLING)
    service.set_client_billing(BILLER, CLIENT, {"view_invoices": False})
    with pytest.raises(Forbidden) as exc:
        service.list_client_invoices(BOBBY, CLIENT)
    assert exc.value.code == "billing_not_visible"
    access = service.get_billing_access(BOBBY, CLIENT)
    assert access["may_view"] is False and access["card_payments"] is False
    with pytest.raises(Forbidden):
        service.record_payment(BOBBY, CLIENT, {"amount_cents": 1, "method": "cash",
                                               "idempotency_key": "key-00000009"})


@pytest.mark.parametrize("amount", [-1, 0, 1.5, "10", True, 10**9])
def test_bad_amounts_are_refused_by_field(service, billing_on, amount):
    with pytest.raises(InvalidInput) as exc:
        service.record_payment(BILLER, CLIENT, {"amount_cents": amount, "method": "cash",
                                                "idempotency_key": "key-00000010"})
    assert "amount_cents" in exc.value.fields


def test_an_invoice_of_another_client_is_refused(service, billing_on):
    service.create_charge(BILLER, SIBLING, {"amount_cents": 100, "description": "Fee"})
    invoice = service.create_invoice(BILLER, SIBLING, {"share": True})
    with pytest.raises(InvalidInput):
        service.record_payment(BILLER, CLIENT, {"amount_cents": 100, "method": "cash",
                                                "invoice_id": invoice["id"],
                                                "idempotency_key": "key-00000011"})
    with pytest.raises(NotFound):
        service.get_invoice(BOBBY, invoice["id"])
