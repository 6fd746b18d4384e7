"""The rest of issue 4 below the gateway, on the real RabbitMQ and SQLite / PostgreSQL:
identity, notify and a stand-in for charts in real containers, email through a real SMTP
server. A locked invitation alerts staff; cancelled links die; safe words cross RPC and
are audited; reset requests back off per address; a too-young client cannot sign in; a
document shared with one contact is emailed to that contact (notify asks identity); and
migration 0006 encrypts TOTP secrets stored before it."""
import uuid
from datetime import date, datetime, timezone

import eventlet
import pytest
from alembic import command
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from services.common.actor import Actor
from services.common.errors import (Conflict, InvalidInput, TooManyRequests, Unauthenticated)
from services.common.migrations import alembic_config, upgrade
from services.common.relay import event_exchange
from services.identity import crypto
from tests.integration.identity.test_contacts_staff_mfa import link_token
from tests.integration.identity.test_portal_access import (CHARTS, new_client,  # noqa: F401
                                                           new_practice, stack, token_in)

PASSWORD = "copper kettle meadow 77"


def wait_until(check, timeout=10.0):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while eventlet.hubs.get_hub().clock() < deadline:
        found = check()
        if found:
            return found
        eventlet.sleep(0.1)
    raise AssertionError("not reached in time")


def test_locked_invitation_alerts_staff_cancelled_links_die_and_safe_words_are_audited(
        stack, amqp_uri):
    identity, inbox, events, _ = stack
    practice, staff = new_practice(identity)
    address = f"ana-{uuid.uuid4().hex[:8]}@example.org"
    client_id = new_client(address)
    identity.invite_client(staff, {"client_id": client_id})
    token = token_in(inbox.wait_for(address, "invites you"), "invite")
    for _ in range(4):
        with pytest.raises(InvalidInput):
            identity.accept_invitation({"token": token, "date_of_birth": "1999-01-01",
                                        "password": PASSWORD, "source_ip": "192.0.2.10"})
    with pytest.raises(Conflict) as locked:
        identity.accept_invitation({"token": token, "date_of_birth": "1999-01-01",
                                    "password": PASSWORD, "source_ip": "192.0.2.10"})
    assert locked.value.code == "invitation_locked"
    intake = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                   permissions=("manage_portal_access",)).to_wire()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        alert = wait_until(lambda: [a for a in rpc.notify.list_alerts(intake, {})
                                    if a["kind"] == "invitation_locked"])[0]
    assert alert["client_id"] == client_id

    # an invitation, cancelled: its link answers so, and another may go at once
    address = f"cy-{uuid.uuid4().hex[:8]}@example.org"
    client_id = new_client(address)
    identity.invite_client(staff, {"client_id": client_id})
    second = token_in(inbox.wait_for(address, "invites you"), "invite")
    assert identity.cancel_invitation(staff, {"client_id": client_id})["status"] == "cancelled"
    events.wait_for("invitation.cancelled", lambda e: e["data"]["client_id"] == client_id)
    with pytest.raises(Conflict) as cancelled:
        identity.get_invitation({"token": second})
    assert cancelled.value.code == "invitation_cancelled"
    assert identity.invite_client(staff, {"client_id": client_id})["status"] == "sent"

    # safe word on a staff-set login: stored sealed, read back, both audited
    other = new_client(f"ben-{uuid.uuid4().hex[:8]}@example.org")
    identity.create_client_access(staff, {
        "client_id": other, "login": CHARTS[other]["email"], "temporary_password": PASSWORD,
        "client_name": "Ben", "safe_word": "harbor owl"})
    assert identity.get_safe_word(staff, other)["safe_word"] == "harbor owl"
    identity.set_safe_word(staff, {"client_id": other, "safe_word": None})
    admin = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  permissions=("view_audit_log",)).to_wire()
    entries = identity.list_audit(admin, {})["entries"]
    actions = [e["action"] for e in entries]
    assert actions.count("safe_word_viewed") == 1 and actions.count("safe_word_changed") == 1
    assert "invitation_cancelled" in actions
    # names where identity holds one (the login's client), null for a chart it has none for
    named = {e["action"]: e["subject_name"] for e in entries}
    assert named["safe_word_viewed"] == "Ben" and named["invitation_cancelled"] is None


def test_reset_requests_back_off_per_address_and_minors_wait_for_their_birthday(stack):
    identity, _, _, _ = stack
    practice, staff = new_practice(identity)
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    ask = lambda email: identity.request_password_reset(  # noqa: E731
        {"practice_code": practice["code"], "email": email, "source_ip": ip})
    answers = {str(ask(e)) for e in ["a@example.org", "b@example.org"] * 5}
    assert len(answers) == 1
    with pytest.raises(TooManyRequests) as exc:
        ask("someone@example.org")
    assert exc.value.fields["retry_after"] >= 1

    kid = new_client(f"kid-{uuid.uuid4().hex[:8]}@example.org")
    today = datetime.now(timezone.utc).date()
    born = date(today.year - 10, 1, 1)
    identity.create_client_access(staff, {
        "client_id": kid, "login": CHARTS[kid]["email"], "temporary_password": PASSWORD,
        "client_name": "Kid", "change_password_at_next_login": False,
        "date_of_birth": born.isoformat()})
    with pytest.raises(Unauthenticated) as young:
        identity.authenticate({"practice_code": practice["code"], "login": CHARTS[kid]["email"],
                               "password": PASSWORD, "audience": "portal"})
    assert young.value.code == "account_not_yet_available"
    assert young.value.fields["available_from"] == date(born.year + 12, 1, 1).isoformat()


def test_a_document_shared_with_one_contact_is_emailed_to_that_contact(stack, amqp_uri):
    identity, inbox, _, _ = stack
    practice, staff = new_practice(identity)
    address = f"pat-{uuid.uuid4().hex[:8]}@example.org"
    contact = identity.create_contact(staff, {"email": address, "name": "Pat Rivers"})
    body = inbox.wait_for(address, "client portal")
    identity.complete_password_reset({"token": link_token(body, "p"), "new_password": PASSWORD})
    event = {"id": str(uuid.uuid4()), "type": "document.shared", "version": 1,
             "practice_id": practice["id"], "occurred_at": "2026-01-01T00:00:00+00:00",
             "actor": {"kind": "staff", "id": str(uuid.uuid4())},
             "data": {"document_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                      "client_name": "Mia Rivers", "contact_id": contact["contact_id"],
                      "type_id": None}}
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(event, exchange=event_exchange("charts"),
                                routing_key="document.shared", serializer="json",
                                delivery_mode=2)
    mail = inbox.wait_for(address, "Something new")
    assert "Mia" not in mail and "Rivers" not in mail and "Pat" not in mail


def test_migration_0006_encrypts_secrets_stored_in_the_clear(database_url):
    cfg = alembic_config("identity", database_url)
    command.upgrade(cfg, "0005")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO mfa_factors (principal_kind, principal_id, practice_id, "
                          "secret, created_at) VALUES ('staff', 's-1', 'p-1', "
                          "'JBSWY3DPEHPK3PXP', '2026-01-01 00:00:00')"))
    upgrade("identity", database_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT secret FROM mfa_factors")).scalar()
    engine.dispose()
    assert crypto.is_sealed(stored) and crypto.open_(stored) == "JBSWY3DPEHPK3PXP"
