"""One sign-in for a client who is also a guardian, and a date of birth corrected on the
chart reaching identity: identity in a real container on the real RabbitMQ, SQLite and
PostgreSQL, charts' `client.updated` published to `charts.events` as charts' relay does,
and a stand-in charts answering the one RPC hop."""
import uuid

import pytest
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, select

from services.common.actor import Actor
from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.common.rpc import rpc
from services.identity.domain import tokens
from services.identity.models import AccountGrant, AuditEntry, ClientAccount
from services.identity.service import IdentityService
from tests.integration.identity.test_identity import SECRET

PASSWORD = "copper kettle meadow 77"
RECORDS = {}          # client_id -> what the stand-in for charts answers
ASKED = []            # (actor kind, client_id) of every get_client


class CountingCharts:
    name = "charts"

    @rpc
    def get_client(self, actor, client_id):
        ASKED.append((actor["kind"], client_id))
        return RECORDS[client_id]


@pytest.fixture
def identity(container_factory, amqp_uri, database_url):
    upgrade("identity", database_url)
    container_factory(CountingCharts, {"AMQP_URI": amqp_uri}).start()
    container = container_factory(IdentityService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "TOKEN_SECRET": SECRET,
        "RPC_TIMEOUT": 5, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 1})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as proxy:
        yield container, proxy.identity


def chart(first, dob, email=None):
    client_id = str(uuid.uuid4())
    RECORDS[client_id] = {"id": client_id, "first_name": first, "last_name": "Rivers",
                          "date_of_birth": dob, "email": email}
    return client_id


def publish(amqp_uri, envelope):
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(envelope, exchange=event_exchange("charts"),
                                routing_key=envelope["type"], serializer="json",
                                delivery_mode=2)


def client_updated(practice_id, client_id, fields):
    return {"id": str(uuid.uuid4()), "type": "client.updated", "version": 1,
            "practice_id": practice_id, "occurred_at": "2026-03-01T12:00:00+00:00",
            "actor": {"kind": "staff", "id": "s-1"},
            "data": {"client_id": client_id, "client_name": "x", "tab": "basic",
                     "fields": fields, "batch_id": str(uuid.uuid4()), "source": "staff"}}


def test_jane_and_a_corrected_date_of_birth(identity, amqp_uri, database_url):
    container, service = identity
    code = f"p-{uuid.uuid4().hex[:10]}"
    practice = service.create_practice(Actor.system().to_wire(), {"code": code, "name": "Oak"})
    staff = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  permissions=("manage_portal_access", "view_clients")).to_wire()
    login = f"jane-{uuid.uuid4().hex[:8]}@example.org"
    jane = chart("Jane", "1984-07-21", login)
    son = chart("Leo", "2012-03-02", login)
    mia = chart("Mia", "2010-06-15")       # recorded as 15; she is really 8
    account = service.create_client_access(staff, {
        "client_id": jane, "login": login, "temporary_password": PASSWORD,
        "change_password_at_next_login": False, "client_name": "Jane Rivers",
        "date_of_birth": "1984-07-21"})["account_id"]
    service.link_client(staff, {"account_id": account, "client_id": son})
    grant = service.grant_access(staff, {"account_id": account, "client_id": mia,
                                         "permissions": ["view_appointments",
                                                         "message_clinician"]})
    assert grant["band"] == "partial"

    def held():
        signed = service.authenticate({"practice_code": code, "login": login,
                                       "password": PASSWORD, "audience": "portal"})
        return tokens.decode_access_token(signed["access_token"], SECRET)["clients"]

    assert held() == {jane: ["*"], son: ["*"], mia: ["view_appointments"]}

    # a change that is not a copied field costs no hop
    del ASKED[:]
    with entrypoint_waiter(container, "on_client_updated", timeout=10):
        publish(amqp_uri, client_updated(practice["id"], mia, ["city"]))
    assert ASKED == []

    # the chart is corrected: identity asks charts once, as the system, and the grant's
    # band follows — delivered twice (at least once), applied once
    RECORDS[mia] = dict(RECORDS[mia], date_of_birth="2018-06-15")
    RECORDS[jane] = dict(RECORDS[jane], date_of_birth="1985-07-21")
    event = client_updated(practice["id"], mia, ["date_of_birth"])
    for _ in range(2):
        with entrypoint_waiter(container, "on_client_updated", timeout=10):
            publish(amqp_uri, event)
    with entrypoint_waiter(container, "on_client_updated", timeout=10):
        publish(amqp_uri, client_updated(practice["id"], jane, ["date_of_birth", "city"]))
    assert set(ASKED) == {("system", mia), ("system", jane)}
    assert held() == {jane: ["*"], son: ["*"],
                      mia: ["view_appointments", "message_clinician"]}

    engine = create_engine(database_url)
    with engine.connect() as conn:
        dob = conn.execute(select(AccountGrant.client_date_of_birth)
                           .where(AccountGrant.client_id == mia)).scalar_one()
        own = conn.execute(select(ClientAccount.date_of_birth)
                           .where(ClientAccount.id == account)).scalar_one()
        synced = conn.execute(select(AuditEntry.subject_id)
                              .where(AuditEntry.practice_id == practice["id"])
                              .where(AuditEntry.action == "client_details_synced")).scalars().all()
    engine.dispose()
    assert str(dob) == "2018-06-15" and str(own) == "1985-07-21"
    assert sorted(synced) == sorted([mia, jane])
