"""The delivery log in a real notify container on the real RabbitMQ, SQLite and
PostgreSQL, mail to a real SMTP server: an address the server refuses (550) is failed at
once — a dead letter in the log with its code, never its content — and, once staff send it
again and the server takes it, it is delivered once and the log says sent."""
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.errors import Conflict
from tests.integration.notify.test_notify import (  # noqa: F401
    Inbox, notify, publish, smtp_port, smtp_server, wait_for)

PRACTICE = str(uuid.uuid4())
OPS = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
       "permissions": ["view_operations"]}


class RefusingFirst(Inbox):
    """Refuses each recipient the first time it is offered (a mailbox that was full)."""

    def __init__(self):
        super().__init__()
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address not in self.refused:
            self.refused.add(address)
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(smtp_port):
    from aiosmtpd.controller import Controller
    inbox = RefusingFirst()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


def account_created(login):
    return {"id": str(uuid.uuid4()), "type": "account.created", "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": PRACTICE,
            "actor": {"kind": "staff", "id": OPS["id"]},
            "data": {"account_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                     "login": login, "practice_name": "Sunrise Counseling",
                     "portal_path": "/p/sunrise"}}


def test_a_refused_email_is_a_dead_letter_until_staff_send_it_again(
        notify, refusing_smtp, amqp_uri, database_url):
    login = f"ana-{uuid.uuid4().hex[:6]}@example.com"
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        publish(amqp_uri, "identity", account_created(login))
        failed = wait_for(lambda: rpc.notify.list_email_deliveries(OPS, {"status": "failed"}))
        [row] = failed
        assert row["to"] == login and row["kind"] == "welcome" and row["attempts"] == 1
        assert row["last_error"] == "recipient_refused" and row["sent_at"] is None
        assert "subject" not in row and "Sunrise" not in str(row)
        assert refusing_smtp.messages == []

        again = rpc.notify.retry_email(OPS, row["id"])
        assert again["status"] == "pending"
        assert wait_for(lambda: refusing_smtp.messages)
        [sent] = wait_for(lambda: rpc.notify.list_email_deliveries(OPS, {"status": "sent"}))
        assert sent["id"] == row["id"] and sent["sent_at"]
        assert len(refusing_smtp.messages) == 1
        with pytest.raises(Conflict):
            rpc.notify.retry_email(OPS, row["id"])
