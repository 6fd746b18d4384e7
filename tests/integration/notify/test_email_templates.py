"""A practice's own email templates, in a real notify container on the real RabbitMQ,
SQLite and PostgreSQL (schema from its migrations), mail to a real SMTP server on
loopback: the administrator's edit is saved, announced on `notify.events`, and used by
the next invitation; a broken template is refused over RPC with its line; a sample goes to
her own address, and a mail server that is down is said so.

identity is a stand-in service on the same broker answering the two questions notify
asks it here (the practice's address, the staff list): what is tested is notify."""
import email
import email.policy
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select

from services.common.errors import InvalidInput, Unavailable
from services.common.rpc import rpc
from services.notify.models import Email, EmailTemplate
from tests.integration.notify.test_notify import notify, publish, smtp_port, smtp_server, wait_for  # noqa: F401
from tests.support.events import EventTap

PRACTICE = str(uuid.uuid4())
ADMIN = {"practice_id": PRACTICE, "kind": "staff", "id": str(uuid.uuid4()),
         "permissions": ["manage_practice_settings"]}
ADMIN_EMAIL = f"dana-{uuid.uuid4().hex[:6]}@oak.example"


class StandInIdentity:
    name = "identity"

    @rpc
    def get_practice_address(self, actor):
        return {"practice_name": "Oak Tree Counseling", "portal_path": "/p/oak",
                "portal_subdomain": None}

    @rpc
    def list_staff(self, actor):
        return [{"id": actor["id"], "email": ADMIN_EMAIL, "name": "Dana", "role": "practice_admin"}]


@pytest.fixture
def identity(container_factory, amqp_uri):
    container = container_factory(StandInIdentity, {"AMQP_URI": amqp_uri})
    container.start()
    return container


@pytest.fixture
def rpc_proxy(amqp_uri):
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as proxy:
        yield proxy


def invitation_sent(to):
    return {"id": str(uuid.uuid4()), "type": "invitation.sent", "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": PRACTICE,
            "actor": {"kind": "staff", "id": ADMIN["id"]},
            "data": {"invitation_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                     "email": to, "practice_name": "Oak Tree Counseling",
                     "portal_path": "/p/oak", "portal_subdomain": None,
                     "link_path": "/p/oak/invite/tok-123",
                     "expires_at": "2026-03-09T00:00:00+00:00"}}


EDIT = {"subject": "{{ practice_name }}: your own portal account",
        "body_text": "Welcome to {{ practice_name }}!\nStart here: {{ link_url }}\n"
                     "(until {{ expires_on }})\nThe portal: {{ portal_url }}\n",
        "body_html": "<p>Welcome to {{ practice_name }}!</p>"
                     "<p><a href=\"{{ link_url }}\">Start here</a> — {{ portal_url }}</p>"}


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_an_edited_invitation_is_saved_announced_and_used_by_the_next_invitation(
        notify, identity, rpc_proxy, amqp_uri, smtp_server, database_url):
    inbox = smtp_server()
    tap = EventTap(amqp_uri, "notify")
    try:
        saved = rpc_proxy.notify.save_email_template(ADMIN, "invitation", EDIT)
        assert saved["edited"] and saved["version"] == 1
        event = tap.wait_for("email_template.changed")
        assert event["practice_id"] == PRACTICE
        assert event["data"] == {"kind": "invitation", "change": "edited", "version": 1}
    finally:
        tap.close()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        [row] = conn.execute(select(EmailTemplate.kind, EmailTemplate.version)
                             .where(EmailTemplate.practice_id == PRACTICE)).all()
    assert tuple(row) == ("invitation", 1)

    to = f"kim-{uuid.uuid4().hex[:6]}@example.com"
    publish(amqp_uri, "identity-private", invitation_sent(to))
    assert wait_for(lambda: inbox.messages)
    [(recipients, raw)] = inbox.messages
    message = parsed(raw)
    assert recipients == [to]
    assert message["Subject"] == "Oak Tree Counseling: your own portal account"
    text = message.get_body(("plain",)).get_content()
    assert "Start here: https://portal.haven.test/p/oak/invite/tok-123" in text
    assert "(until March 9, 2026)" in text
    assert 'href="https://portal.haven.test/p/oak/invite/tok-123"' in \
        message.get_body(("html",)).get_content()

    # reset: the next invitation is Haven's default again
    rpc_proxy.notify.reset_email_template(ADMIN, "invitation")
    publish(amqp_uri, "identity-private", invitation_sent(to))
    assert wait_for(lambda: len(inbox.messages) == 2)
    assert parsed(inbox.messages[1][1])["Subject"] == \
        "Oak Tree Counseling invites you to its client portal"
    with engine.connect() as conn:
        kinds = conn.execute(select(Email.kind).where(Email.practice_id == PRACTICE)).scalars().all()
    assert kinds == ["invitation", "invitation"]
    engine.dispose()


def test_a_broken_template_is_refused_over_rpc_with_its_line(notify, rpc_proxy, database_url):
    with pytest.raises(InvalidInput) as exc:
        rpc_proxy.notify.save_email_template(ADMIN, "welcome", {
            "body_text": "Hello from {{ practice_name }}\n{% if portal_url %}\n{{ portal_url }\n"})
    assert exc.value.code == "template_refused"
    assert exc.value.fields["body_text"][0].startswith("Line 3: ")
    with pytest.raises(InvalidInput) as exc:
        rpc_proxy.notify.save_email_template(ADMIN, "welcome", {
            "body_text": "{{ practice_name }} {{ portal_url }}\n{{ ''.__class__.__mro__ }}"})
    assert exc.value.fields["body_text"][0].startswith("Line 2: ")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(EmailTemplate).where(
            EmailTemplate.practice_id == PRACTICE)).all() == []
    engine.dispose()


def test_a_sample_reaches_the_administrator_and_a_stopped_mail_server_is_said(
        notify, identity, rpc_proxy, smtp_server):
    with pytest.raises(Unavailable) as exc:                # no SMTP server listening yet
        rpc_proxy.notify.send_sample_email(ADMIN, "welcome", {})
    assert exc.value.code == "mail_server_unreachable" and "SMTP_HOST" in exc.value.message

    inbox = smtp_server()
    answer = rpc_proxy.notify.send_sample_email(ADMIN, "welcome", {
        "subject": "Hello from {{ practice_name }}"})
    assert answer == {"to": ADMIN_EMAIL, "subject": "[Sample] Hello from Oak Tree Counseling"}
    [(recipients, raw)] = inbox.messages          # sent at once, not queued
    assert recipients == [ADMIN_EMAIL]
    assert "https://portal.haven.test/p/oak" in parsed(raw).get_body(("plain",)).get_content()
