"""Card payments against localstripe (the official `stripe` SDK pointed at it): a real
billing container on the real RabbitMQ, SQLite and PostgreSQL. The test plays the
browser's card element (it makes the card's payment method and confirms the intent at
the fake provider); Haven only ever sees the intent. Signed webhooks are made here with
the configured secret, as Stripe signs them."""
import hashlib
import hmac
import json
import time
import uuid

import pytest
import stripe
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, func, select

from services.billing.dependencies import provider_from
from services.billing.models import Payment
from services.billing.service import BillingService
from services.common.errors import Conflict, Forbidden, Unauthenticated, Unavailable
from services.common.migrations import upgrade
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_available
from tests.integration.billing.conftest import free_port
from tests.integration.billing.test_billing import start
from tests.support.events import EventTap

SECRET, WEBHOOK_SECRET = "sk_test_haven", "whsec_haven_test"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, amqp_uri, tmp_path_factory, localstripe):
    made_pg = None
    if request.param == "postgresql":
        if not _pg_available():
            pytest.fail("PostgreSQL is not reachable at HAVEN_TEST_PG_URL")
        made_pg, url = _create_pg_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('billing') / 'billing.db'}"
    upgrade("billing", url)
    tap = EventTap(amqp_uri, "billing")
    billing = start(BillingService, {
        "AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 6,
        "DATABASE_URL": url, "RPC_TIMEOUT": 3.0, "STRIPE_SECRET_KEY": SECRET,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_haven", "STRIPE_API_BASE": localstripe,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET})
    practice_id = str(uuid.uuid4())
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=20) as rpc:
            admin = {"practice_id": practice_id, "kind": "staff", "id": str(uuid.uuid4()),
                     "roles": ["practice_admin"], "permissions": ["manage_practice_settings"]}
            settings = rpc.billing.update_billing_settings(admin, {
                "version": 0, "enabled": True, "view_invoices": True,
                "online_payments": True})
            assert settings["card_payments"] is True
            yield {"rpc": rpc, "url": url, "tap": tap, "practice_id": practice_id,
                   "admin": admin, "amqp_uri": amqp_uri,
                   "fake": stripe.StripeClient(SECRET, base_addresses={"api": localstripe},
                                               max_network_retries=0).v1}
    finally:
        billing.stop()
        tap.close()
        if made_pg:
            _drop_pg_database(made_pg)


def shared_invoice(world, amount=14000):
    rpc, client_id = world["rpc"].billing, str(uuid.uuid4())
    rpc.create_charge(world["admin"], client_id, {"amount_cents": amount,
                                                  "description": "Session"})
    invoice = rpc.create_invoice(world["admin"], client_id, {"share": True})
    bobby = {"practice_id": world["practice_id"], "kind": "client", "id": "acct",
             "clients": {client_id: ["*"]}}
    return invoice, bobby, client_id


def browser_confirms(world, payment):
    """What Stripe's card element does in the browser, against the fake provider."""
    fake = world["fake"]
    intent_id = payment["client_secret"].split("_secret_")[0]
    method = fake.payment_methods.create(params={"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
    fake.payment_intents.update(intent_id, params={"payment_method": method.id})
    return fake.payment_intents.confirm(intent_id)


def count(url, model, *where):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return found


def signed(event, secret=WEBHOOK_SECRET):
    payload = json.dumps(event)
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return payload, f"t={stamp},v1={mac}"


def test_pay_by_card_once_however_often_asked(world):
    rpc = world["rpc"].billing
    invoice, bobby, client_id = shared_invoice(world)
    key = uuid.uuid4().hex
    started = rpc.start_card_payment(bobby, invoice["id"], {"idempotency_key": key})
    assert started["amount_cents"] == 14000 and started["publishable_key"] == "pk_test_haven"
    assert rpc.start_card_payment(bobby, invoice["id"], {"idempotency_key": key}) == started
    assert count(world["url"], Payment, Payment.client_id == client_id) == 1
    assert browser_confirms(world, started).status == "succeeded"
    settled = rpc.confirm_card_payment(bobby, started["payment_id"])
    assert settled["balance_cents"] == 0 and settled["payment"]["status"] == "succeeded"
    assert rpc.confirm_card_payment(bobby, started["payment_id"]) == settled   # replayed
    assert rpc.get_invoice(bobby, invoice["id"])["status"] == "paid"
    with pytest.raises(Conflict) as exc:
        rpc.start_card_payment(bobby, invoice["id"], {"idempotency_key": uuid.uuid4().hex})
    assert exc.value.code == "nothing_due"
    received = world["tap"].wait_for("payment.received",
                                     lambda e: e["data"]["client_id"] == client_id)
    assert received["data"]["method"] == "card" and received["data"]["amount_cents"] == 14000
    # the webhook of the same success, delivered twice, changes nothing more
    intent = world["fake"].payment_intents.retrieve(started["client_secret"].split("_secret_")[0])
    event = {"id": "evt_" + uuid.uuid4().hex[:24], "object": "event",
             "type": "payment_intent.succeeded", "data": {"object": intent.to_dict()}}
    for _ in range(2):
        rpc.handle_payment_webhook(*signed(event))
    assert rpc.get_balance(bobby, client_id)["paid_cents"] == 14000


def test_a_webhook_settles_once_and_a_bad_signature_is_refused(world):
    rpc = world["rpc"].billing
    invoice, bobby, client_id = shared_invoice(world, 9000)
    started = rpc.start_card_payment(bobby, invoice["id"], {"idempotency_key": uuid.uuid4().hex})
    browser_confirms(world, started)
    intent = world["fake"].payment_intents.retrieve(started["client_secret"].split("_secret_")[0])
    event = {"id": "evt_" + uuid.uuid4().hex[:24], "object": "event",
             "type": "payment_intent.succeeded", "data": {"object": intent.to_dict()}}
    payload, signature = signed(event)
    with pytest.raises(Unauthenticated) as exc:
        rpc.handle_payment_webhook(payload, signed(event, "whsec_wrong")[1])
    assert exc.value.code == "bad_signature"
    assert rpc.get_balance(bobby, client_id)["balance_cents"] == 9000
    assert rpc.handle_payment_webhook(payload, signature) == {"handled": True}
    assert rpc.handle_payment_webhook(payload, signature) == {"handled": False}
    assert rpc.get_balance(bobby, client_id)["balance_cents"] == 0
    other = dict(event, id="evt_" + uuid.uuid4().hex[:24], type="customer.created")
    assert rpc.handle_payment_webhook(*signed(other)) == {"handled": False}


def test_a_declined_payment_changes_nothing_and_says_so(world):
    rpc = world["rpc"].billing
    invoice, bobby, client_id = shared_invoice(world, 5000)
    started = rpc.start_card_payment(bobby, invoice["id"], {"idempotency_key": uuid.uuid4().hex})
    intent = world["fake"].payment_intents.retrieve(started["client_secret"].split("_secret_")[0])
    failed = dict(intent.to_dict(), status="requires_payment_method",
                  last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds"})
    event = {"id": "evt_" + uuid.uuid4().hex[:24], "object": "event",
             "type": "payment_intent.payment_failed", "data": {"object": failed}}
    assert rpc.handle_payment_webhook(*signed(event)) == {"handled": True}
    notice = world["tap"].wait_for("payment.failed",
                                   lambda e: e["data"]["client_id"] == client_id)
    assert notice["data"]["code"] == "insufficient_funds"
    assert rpc.get_balance(bobby, client_id)["balance_cents"] == 5000


def test_who_may_pay_and_a_provider_that_does_not_answer(world):
    rpc = world["rpc"].billing
    invoice, bobby, client_id = shared_invoice(world, 1000)
    kim = dict(bobby, kind="contact", id="kim", clients={client_id: ["view_appointments"]})
    for who in (kim, world["admin"]):
        with pytest.raises(Forbidden):
            rpc.start_card_payment(who, invoice["id"], {"idempotency_key": uuid.uuid4().hex})
    # nothing listens there: the SDK's connection error is a 503 with its sentence
    provider = provider_from({"STRIPE_SECRET_KEY": SECRET,
                              "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(Unavailable) as exc:
        provider.create_intent(100, "key-" + uuid.uuid4().hex, {})
    assert exc.value.code == "payment_provider_unavailable"
