"""billing in a real container on the real RabbitMQ, against SQLite and PostgreSQL with
the schema made by its own migrations; scheduling's events published on
`scheduling.events` as scheduling's relay does, and its `get_appointment` answered by a
stand-in service named `scheduling`; billing's events observed on `billing.events` as an
outside subscriber sees them."""
import uuid

import pytest
from kombu import Connection
from nameko.containers import ServiceContainer

from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, func, select

from services.billing.models import Charge, Inbox, Outbox, Payment
from services.billing.service import BillingService
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.common.rpc import rpc
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_available
from tests.support.events import EventTap

FEE = 14000


class SchedulingStandIn:
    """What billing asks of scheduling: an appointment's fee copied at booking."""
    name = "scheduling"

    @rpc
    def get_appointment(self, actor, appointment_id):
        return {"id": appointment_id, "fee_cents": FEE, "service_id": "svc-1",
                "status": "completed"}


def start(cls, config):
    container = ServiceContainer(cls, config)
    container.start()
    return container


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, amqp_uri, tmp_path_factory):
    made_pg = None
    if request.param == "postgresql":
        if not _pg_available():
            pytest.fail("PostgreSQL is not reachable at HAVEN_TEST_PG_URL")
        made_pg, url = _create_pg_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('billing') / 'billing.db'}"
    upgrade("billing", url)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 6}
    tap = EventTap(amqp_uri, "billing")
    scheduling = start(SchedulingStandIn, base)
    billing = start(BillingService, dict(base, DATABASE_URL=url, RPC_TIMEOUT=3.0))
    practice_id = str(uuid.uuid4())
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
            admin = {"practice_id": practice_id, "kind": "staff", "id": str(uuid.uuid4()),
                     "roles": ["practice_admin"], "permissions": ["manage_practice_settings"]}
            rpc.billing.update_billing_settings(admin, {
                "version": 0, "enabled": True, "view_invoices": True,
                "late_cancel_fee_cents": 5000, "no_show_fee_cents": 6000,
                "allow_credit": False})
            yield {"rpc": rpc, "tap": tap, "url": url, "billing": billing,
                   "amqp_uri": amqp_uri, "practice_id": practice_id, "admin": admin,
                   "biller": dict(admin, roles=["biller"], permissions=[])}
    finally:
        billing.stop()
        scheduling.stop()
        tap.close()
        if made_pg:
            _drop_pg_database(made_pg)


def appointment_event(world, type_, client_id, appointment_id=None, **data):
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1,
            "occurred_at": "2030-01-01T00:00:00+00:00", "practice_id": world["practice_id"],
            "actor": {"kind": "staff", "id": str(uuid.uuid4())},
            "data": dict({"appointment_id": appointment_id or str(uuid.uuid4()),
                          "client_id": client_id, "clinician_id": str(uuid.uuid4()),
                          "starts_at": "2030-01-02T15:00:00+00:00",
                          "ends_at": "2030-01-02T15:50:00+00:00", "location": "office",
                          "status": "completed"}, **data)}


def publish(world, envelope, handler):
    with entrypoint_waiter(world["billing"], handler, timeout=10):
        with Connection(world["amqp_uri"]) as conn:
            conn.Producer().publish(envelope, exchange=event_exchange("scheduling"),
                                    routing_key=envelope["type"], serializer="json",
                                    delivery_mode=2)


def count(url, model, *where):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return found


def test_a_redelivered_scheduling_event_charges_once(world):
    client_id = str(uuid.uuid4())
    completed = appointment_event(world, "appointment.completed", client_id)
    for _ in range(2):   # at least once, simulated
        publish(world, completed, "on_appointment_completed")
    assert count(world["url"], Charge, Charge.client_id == client_id) == 1
    assert count(world["url"], Inbox, Inbox.event_id == completed["id"]) == 1
    created = world["tap"].wait_for("charge.created",
                                    lambda e: e["data"]["client_id"] == client_id)
    assert created["version"] == 1 and created["practice_id"] == world["practice_id"]
    assert created["data"]["amount_cents"] == FEE and created["data"]["kind"] == "session"
    assert created["actor"] == {"kind": "system", "id": "system"}


def test_late_cancellation_and_no_show_charge_the_practice_fees(world):
    client_id = str(uuid.uuid4())
    late = appointment_event(world, "appointment.cancelled", client_id,
                             status="late_cancelled", late=True, cancelled_by={
                                 "kind": "client", "id": client_id},
                             charge={"service_id": "svc-1", "fee_cents": 9999,
                                     "late_cancel_hours": 24})
    publish(world, late, "on_appointment_cancelled")
    on_time = appointment_event(world, "appointment.cancelled", client_id,
                                status="cancelled", late=False, charge=None)
    publish(world, on_time, "on_appointment_cancelled")
    publish(world, appointment_event(world, "appointment.no_show", client_id,
                                     status="no_show"), "on_appointment_no_show")
    rpc, biller = world["rpc"].billing, world["biller"]
    charges = rpc.list_client_charges(biller, client_id)["items"]
    assert sorted((c["kind"], c["amount_cents"]) for c in charges) == [
        ("late_cancel", 5000), ("no_show", 6000)]
    assert rpc.get_balance(biller, client_id)["balance_cents"] == 11000


def test_invoice_payment_and_its_replay_over_rpc(world):
    rpc, biller, client_id = world["rpc"].billing, world["biller"], str(uuid.uuid4())
    publish(world, appointment_event(world, "appointment.completed", client_id),
            "on_appointment_completed")
    invoice = rpc.create_invoice(biller, client_id, {"share": True})
    bobby = {"practice_id": world["practice_id"], "kind": "client", "id": "acct",
             "clients": {client_id: ["*"]}}
    [seen] = rpc.list_client_invoices(bobby, client_id)["items"]
    assert seen["total_cents"] == FEE and seen["status"] == "shared"
    shared = world["tap"].wait_for("invoice.shared",
                                   lambda e: e["data"]["invoice_id"] == invoice["id"])
    assert shared["data"] == {"invoice_id": invoice["id"], "client_id": client_id,
                              "number": invoice["number"], "total_cents": FEE}

    pay = {"amount_cents": FEE, "method": "check", "invoice_id": invoice["id"],
           "reference": "2001", "idempotency_key": uuid.uuid4().hex}
    # a double click: the same request twice at once, and once more afterwards
    replies = [rpc.record_payment.call_async(biller, client_id, pay) for _ in range(2)]
    first, second = [reply.result() for reply in replies]
    assert first == second and first["balance_cents"] == 0
    assert rpc.record_payment(biller, client_id, pay) == first
    assert count(world["url"], Payment, Payment.client_id == client_id) == 1
    assert rpc.get_balance(bobby, client_id)["balance_cents"] == 0
    assert rpc.get_invoice(bobby, invoice["id"])["status"] == "paid"
    received = world["tap"].wait_for("payment.received",
                                     lambda e: e["data"]["client_id"] == client_id)
    assert received["data"]["amount_cents"] == FEE and received["data"]["balance_cents"] == 0
    assert count(world["url"], Outbox, Outbox.type == "payment.received",
                 Outbox.envelope.isnot(None)) >= 1


def test_refusals_travel_as_their_own_errors(world):
    rpc, biller, client_id = world["rpc"].billing, world["biller"], str(uuid.uuid4())
    rpc.create_charge(biller, client_id, {"amount_cents": 1000, "description": "Letter"})
    with pytest.raises(Conflict) as exc:           # this practice keeps no credit
        rpc.record_payment(biller, client_id, {"amount_cents": 1001, "method": "cash",
                                               "idempotency_key": uuid.uuid4().hex})
    assert exc.value.code == "overpayment"
    with pytest.raises(InvalidInput) as exc:
        rpc.record_payment(biller, client_id, {"amount_cents": 10.5, "method": "cash",
                                               "idempotency_key": uuid.uuid4().hex})
    assert "amount_cents" in exc.value.fields
    kim = {"practice_id": world["practice_id"], "kind": "contact", "id": "kim",
           "clients": {client_id: ["view_appointments"]}}
    with pytest.raises(Forbidden):
        rpc.list_client_invoices(kim, client_id)
    assert rpc.get_balance(biller, client_id)["balance_cents"] == 1000
