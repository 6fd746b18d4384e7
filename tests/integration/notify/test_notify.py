"""notify in a real container, on the real RabbitMQ, against SQLite and PostgreSQL with
the schema made by its own migrations, sending to a real SMTP server on loopback."""
import email
import email.policy
import uuid

import eventlet
import pytest
from aiosmtpd.controller import Controller
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, select

from services.charts.service import ChartsService
from services.common.migrations import upgrade
from services.common.relay import event_exchange
from services.notify.models import Email
from services.notify.service import NotifyService
from tests.conftest import free_port

PRACTICE = str(uuid.uuid4())
STAFF = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
         "permissions": ["view_clients", "edit_clients", "upload_client_documents", "receives_demographic_changes"]}
CHART_VALUES = ("Ana Lima", "1990-05-17", "503-555-0199")


def wait_for(predicate, timeout=10.0, step=0.05):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(step)
    return predicate()


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    servers = []

    def start():
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        servers.append(controller)
        return inbox

    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture
def notify(container_factory, amqp_uri, database_url, smtp_port):
    upgrade("notify", database_url)
    container = container_factory(NotifyService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port, "SMTP_FROM": "Haven <no-reply@haven.test>",
        "PUBLIC_URL": "https://portal.haven.test", "OUTBOX_POLL_SECONDS": 0.2,
        "EMAIL_POLL_SECONDS": 0.2, "EMAIL_RETRY_BASE_SECONDS": 0.2, "SMTP_TIMEOUT": 2})
    container.start()  # its queues exist before anything is published (trap 6)
    return container


@pytest.fixture
def rpc(amqp_uri):
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
        yield proxy


def publish(amqp_uri, service, envelope):
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(envelope, exchange=event_exchange(service),
                                routing_key=envelope["type"], serializer="json",
                                delivery_mode=2)


def client_updated():
    return {"id": str(uuid.uuid4()), "type": "client.updated", "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": PRACTICE,
            "actor": {"kind": "client", "id": str(uuid.uuid4())},
            "data": {"client_id": str(uuid.uuid4()), "client_name": "Ana Lima", "tab": "basic",
                     "fields": ["email", "phone_home"], "batch_id": str(uuid.uuid4()),
                     "source": "portal"}}


def account_created(login):
    client_id = str(uuid.uuid4())
    return client_id, {
        "id": str(uuid.uuid4()), "type": "account.created", "version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": PRACTICE,
        "actor": {"kind": "staff", "id": STAFF["id"]},
        # client_name is not in the contract: if a producer adds it, it still stays out
        "data": {"account_id": str(uuid.uuid4()), "client_id": client_id, "login": login,
                 "practice_name": "Sunrise Counseling", "portal_path": "/p/sunrise",
                 "client_name": "Ana Lima"}}


def test_a_duplicated_client_updated_makes_exactly_one_alert(notify, rpc, amqp_uri):
    event = client_updated()
    for _ in range(2):  # at least once, simulated
        with entrypoint_waiter(notify, "on_client_updated", timeout=10):
            publish(amqp_uri, "charts", event)
    alerts = [a for a in rpc.notify.list_alerts(STAFF, {})
              if a["client_id"] == event["data"]["client_id"]]
    assert len(alerts) == 1
    assert alerts[0]["kind"] == "demographics_changed"
    assert alerts[0]["fields"] == ["email", "phone_home"] and alerts[0]["read"] is False
    rpc.notify.mark_alert_read(STAFF, alerts[0]["id"])
    assert all(a["id"] != alerts[0]["id"]
               for a in rpc.notify.list_alerts(STAFF, {"unread_only": True}))


def test_welcome_email_reaches_a_real_smtp_server_without_chart_values(
        notify, amqp_uri, smtp_server, database_url):
    inbox = smtp_server()
    login = f"{uuid.uuid4().hex[:8]}@example.com"
    client_id, event = account_created(login)
    publish(amqp_uri, "identity", event)
    assert wait_for(lambda: inbox.messages)
    [(recipients, raw)] = inbox.messages
    assert recipients == [login]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Your Sunrise Counseling client portal is ready"
    assert message["From"] == "Sunrise Counseling <no-reply@haven.test>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://portal.haven.test/p/sunrise" in text and "Sunrise Counseling" in html
    for value in (*CHART_VALUES, client_id):
        assert value not in raw.decode()
    assert wait_for(lambda: email_rows(database_url)[0].status == "sent")


def test_an_email_sent_while_smtp_is_down_arrives_when_it_returns(
        notify, amqp_uri, smtp_server, database_url):
    login = f"{uuid.uuid4().hex[:8]}@example.com"
    _, event = account_created(login)
    publish(amqp_uri, "identity", event)
    failed = wait_for(lambda: [r for r in email_rows(database_url) if r.last_error])
    assert failed and failed[0].status == "pending"
    inbox = smtp_server()
    assert wait_for(lambda: inbox.messages, timeout=15)
    assert inbox.messages[0][0] == [login]
    [row] = wait_for(lambda: [r for r in email_rows(database_url) if r.status == "sent"])
    assert row.attempts >= 2


def test_a_portal_save_in_charts_raises_one_alert_in_notify(
        notify, container_factory, amqp_uri, database_url_factory, rpc):
    charts_url = database_url_factory("sqlite")
    upgrade("charts", charts_url)
    charts = container_factory(ChartsService, {"AMQP_URI": amqp_uri, "DATABASE_URL": charts_url,
                                               "OUTBOX_POLL_SECONDS": 0.2})
    charts.start()
    client = rpc.charts.create_client(STAFF, {"first_name": "Ana", "last_name": "Lima"})
    portal = {"practice_id": PRACTICE, "kind": "client", "id": str(uuid.uuid4()),
              "clients": {client["id"]: ["*"]}}
    with entrypoint_waiter(notify, "on_client_updated", timeout=10):
        rpc.charts.update_demographics(portal, client["id"], {
            # a client may not change the legal name or date of birth (charts, issue 18)
            "version": 1, "phone_home": "503-555-0199", "phone_mobile": "503-555-0142"})
    [alert] = [a for a in rpc.notify.list_alerts(STAFF, {}) if a["client_id"] == client["id"]]
    assert alert["client_name"] == "Ana Lima"
    assert alert["fields"] == ["phone_mobile", "phone_home"]   # charts names them in its order


def email_rows(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Email.status, Email.attempts, Email.last_error,
                                   Email.sent_at)).all()
    engine.dispose()
    return rows
