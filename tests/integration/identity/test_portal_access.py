"""Issue 4 end to end below the gateway: identity, notify and a stand-in for charts in
real containers on the real RabbitMQ, each service on its own database (SQLite or
PostgreSQL, built by its migrations), emails caught by a real SMTP server on loopback."""
import email
import email.policy
import io
import os
import re
import time
import uuid

import eventlet
import pytest
from aiosmtpd.controller import Controller
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select

from services.common.actor import Actor
from services.common.blobstore import LocalBlobStore
from services.common.errors import Conflict, InvalidInput, TooManyRequests, Unauthenticated
from services.common.migrations import upgrade
from services.common.rpc import rpc as rpc_entrypoint
from services.identity.models import Invitation, Lease
from services.identity.service import IdentityService
from services.notify.service import NotifyService
from tests.conftest import free_port
from tests.integration.identity.test_identity import SECRET, Events

PUBLIC = "https://portal.haven.test"
BASE_DOMAIN = "clients.haven.test"   # practices' own subdomains live under it
PASSWORD = "copper kettle meadow 77"
CHARTS = {}   # client_id -> record: what the stand-in for charts answers


class FakeCharts:
    """Answers `charts.get_client` as charts does, for the records of CHARTS."""
    name = "charts"

    @rpc_entrypoint
    def get_client(self, actor, client_id):
        return CHARTS[client_id]


class SmtpInbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message["Subject"],
                              message.get_body(("plain",)).get_content()))
        return "250 Message accepted for delivery"

    def wait_for(self, to, subject_part, timeout=10.0):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while eventlet.hubs.get_hub().clock() < deadline:
            for rcpt, subject, body in self.messages:
                if rcpt == [to] and subject_part in subject:
                    return body
            eventlet.sleep(0.05)
        raise AssertionError(f"no email '{subject_part}' to {to}; got "
                             f"{[(r, s) for r, s, _ in self.messages]}")


@pytest.fixture
def stack(container_factory, amqp_uri, database_url, database_url_factory):
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    notify_url = database_url_factory(backend)
    upgrade("identity", database_url)
    upgrade("notify", notify_url)
    port = free_port()
    inbox = SmtpInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    events = Events(amqp_uri)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4,
            "PUBLIC_URL": PUBLIC}
    container_factory(FakeCharts, {"AMQP_URI": amqp_uri}).start()
    # notify first: its queues exist before identity publishes (trap 6)
    container_factory(NotifyService, dict(base, DATABASE_URL=notify_url, SMTP_HOST="127.0.0.1",
                                          PORTAL_BASE_DOMAIN=BASE_DOMAIN,
                                          SMTP_PORT=port, EMAIL_POLL_SECONDS=0.2,
                                          SMTP_FROM="Haven <no-reply@haven.test>")).start()
    container_factory(IdentityService, dict(
        base, DATABASE_URL=database_url, TOKEN_SECRET=SECRET, RPC_TIMEOUT=5,
        ARGON2_TIME_COST=1, ARGON2_MEMORY_KIB=8 * 1024, ARGON2_PARALLELISM=1)).start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
        yield rpc.identity, inbox, events, database_url
    events.close()
    smtp.stop()


def new_practice(identity):
    code = f"p-{uuid.uuid4().hex[:10]}"
    practice = identity.create_practice(Actor.system().to_wire(),
                                        {"code": code, "name": "Oak Tree Counseling",
                                         "password_help": "Call 555-0100."})
    staff = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  roles=("intake",), permissions=("manage_portal_access", "view_clients")).to_wire()
    return practice, staff


def new_client(email_address=None, dob="1988-04-09"):
    client_id = str(uuid.uuid4())
    CHARTS[client_id] = {"id": client_id, "first_name": "Jane", "last_name": "Rivers",
                         "email": email_address, "date_of_birth": dob}
    return client_id


def token_in(body, kind):
    match = re.search(rf"{re.escape(PUBLIC)}/p/[a-z0-9-]+/{kind}/(\S+)", body)
    assert match, body
    return match.group(1)


def test_invitation_reset_and_removal_by_email(stack):
    identity, inbox, events, url = stack
    practice, staff = new_practice(identity)
    address = f"jane-{uuid.uuid4().hex[:8]}@example.org"

    # a chart without an email: the answer says what is missing
    with pytest.raises(InvalidInput) as missing:
        identity.invite_client(staff, {"client_id": new_client(email_address=None)})
    assert missing.value.code == "client_details_missing" and "email" in missing.value.fields

    client_id = new_client(address)
    status = identity.invite_client(staff, {"client_id": client_id})
    assert status["status"] == "sent"
    with pytest.raises(TooManyRequests) as soon:
        identity.invite_client(staff, {"client_id": client_id})
    assert soon.value.fields["retry_at"] == status["resend_at"]

    body = inbox.wait_for(address, "invites you")
    assert "Oak Tree Counseling" in body and "Jane" not in body and "1988" not in body
    token = token_in(body, "invite")
    assert identity.get_invitation({"token": token})["login"] == address
    with pytest.raises(InvalidInput) as wrong:
        identity.accept_invitation({"token": token, "date_of_birth": "1988-09-04",
                                    "password": PASSWORD})
    assert wrong.value.fields["attempts_left"] == 4
    signed_in = identity.accept_invitation({"token": token, "date_of_birth": "1988-04-09",
                                            "password": PASSWORD, "source_ip": "198.51.100.7"})
    assert signed_in["principal"]["clients"][0]["client_id"] == client_id
    created = events.wait_for("account.created", lambda e: e["data"]["client_id"] == client_id)
    assert created["data"]["via"] == "invitation"
    with pytest.raises(Conflict):
        identity.accept_invitation({"token": token, "date_of_birth": "1988-04-09",
                                    "password": PASSWORD})
    status = identity.get_portal_access_status(staff, client_id)
    assert status["status"] == "signed_up" and status["login"] == address
    listed = identity.list_portal_access(staff, {"status": "signed_up"})
    assert [i["client_id"] for i in listed["items"]] == [client_id]

    # forgot password: the same answer for an unknown address; the link arrives by email
    asked = identity.request_password_reset({"practice_code": practice["code"], "email": address})
    assert asked == identity.request_password_reset({"practice_code": practice["code"],
                                                     "email": "nobody@example.org"})
    reset = token_in(inbox.wait_for(address, "Reset your"), "reset")
    page = identity.get_password_reset({"token": reset})
    assert page["practice"]["password_help"] == "Call 555-0100."
    identity.complete_password_reset({"token": reset, "new_password": "orange harbor lights 19"})
    revoked = events.wait_for("session.revoked",
                              lambda e: signed_in["session_id"] in e["data"]["session_ids"])
    assert revoked["data"]["reason"] == "password_changed"
    assert "was just changed" in inbox.wait_for(address, "password was changed")
    with pytest.raises(Unauthenticated):
        identity.refresh({"refresh_token": signed_in["refresh_token"]})

    # access removed: sessions end and an email says so
    again = identity.authenticate({"practice_code": practice["code"], "login": address,
                                   "password": "orange harbor lights 19", "audience": "portal"})
    identity.set_client_access_status(staff, {"client_id": client_id, "status": "inactive"})
    events.wait_for("session.revoked", lambda e: again["session_id"] in e["data"]["session_ids"])
    assert "ended your access" in inbox.wait_for(address, "has ended")
    assert identity.get_portal_access_status(staff, client_id)["status"] == "access_removed"

    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(select(Invitation.token_hash)).scalars().all()
    engine.dispose()
    assert token not in stored and len(stored) == 1
    # invitation, reset, password changed, access removed (notify's durable queues in the
    # session's vhost may also hold other tests' mail: count this address only)
    assert len([m for m in inbox.messages if m[0] == [address]]) == 4


def test_a_practice_s_own_subdomain_is_where_its_emails_link(stack):
    """With a subdomain (and the deployment's base domain), notify renders the invitation
    link at https://<subdomain>.<base>/invite/<token> — the token still works — and no
    /p/<code> address; the test above shows a practice without one keeps /p/<code>."""
    identity, inbox, _, _ = stack
    practice, staff = new_practice(identity)
    admin = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  roles=("practice_admin",), permissions=("manage_practice_settings",)).to_wire()
    sub = f"s{uuid.uuid4().hex[:8]}"
    identity.update_practice_settings(admin, {"subdomain": sub})
    address = f"own-{uuid.uuid4().hex[:8]}@example.org"
    identity.invite_client(staff, {"client_id": new_client(address)})
    body = inbox.wait_for(address, "invites you")
    own = f"https://{sub}.{BASE_DOMAIN}"
    link = re.search(rf"{re.escape(own)}/invite/(\S+)", body)
    assert link, body
    assert f"The portal: {own}/" in body and f"/p/{practice['code']}" not in body
    assert identity.get_invitation({"token": link.group(1)})["login"] == address


def test_practice_settings_are_announced(stack):
    """Settings, the logo (migration 0007's columns on both databases, announced in
    practice.updated) and the own subdomain's refusals, across RabbitMQ."""
    identity, _, events, _ = stack
    practice, _ = new_practice(identity)
    admin = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  roles=("practice_admin",),
                  permissions=("manage_practice_settings", "view_audit_log")).to_wire()
    sub = f"s{uuid.uuid4().hex[:8]}"
    out = identity.update_practice_settings(admin, {"title": "Welcome", "subdomain": sub,
                                                    "idle_timeout_minutes": 30})
    assert out["idle_timeout_minutes"] == 30
    updated = events.wait_for("practice.updated", lambda e: e["practice_id"] == practice["id"])
    assert updated["data"]["title"] == "Welcome" and updated["data"]["subdomain"] == sub
    assert identity.get_practice_by_subdomain(sub)["id"] == practice["id"]
    entries = identity.list_audit(admin, {"action": "practice_settings_changed"})["entries"]
    assert entries[0]["detail"]["fields"] == ["idle_timeout_minutes", "subdomain", "title"]

    other, _ = new_practice(identity)
    other_admin = Actor(practice_id=other["id"], kind="staff", id=str(uuid.uuid4()),
                        roles=("practice_admin",),
                        permissions=("manage_practice_settings",)).to_wire()
    with pytest.raises(Conflict) as exc:
        identity.update_practice_settings(other_admin, {"subdomain": sub.upper()})
    assert exc.value.code == "subdomain_taken" and "subdomain" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        identity.update_practice_settings(other_admin, {"subdomain": "www"})
    assert exc.value.code == "subdomain_reserved"

    logo = {"blob_key": "logos/" + uuid.uuid4().hex, "sha256": "ab" * 32, "size": 900,
            "content_type": "image/jpeg"}
    out = identity.set_practice_logo(admin, logo)
    assert out["logo_ref"] == logo["blob_key"] and "previous_logo_ref" not in out
    updated = events.wait_for("practice.updated", lambda e: e["practice_id"] == practice["id"]
                              and e["data"]["logo_ref"] == logo["blob_key"])
    assert updated["data"]["logo_sha256"] == logo["sha256"]
    assert updated["data"]["logo_content_type"] == "image/jpeg"
    assert identity.get_practice(practice["code"])["logo_sha256"] == logo["sha256"]
    removed = identity.set_practice_logo(admin, {"blob_key": None})
    assert removed["previous_logo_ref"] == logo["blob_key"] and removed["logo_ref"] is None
    with pytest.raises(InvalidInput) as exc:
        identity.set_practice_logo(admin, dict(logo, content_type="image/svg+xml"))
    assert exc.value.code == "logo_type_refused"


@pytest.fixture
def sweeping_identity(container_factory, amqp_uri, database_url, tmp_path):
    """identity alone, on a real blob store folder, its sweep timer every 0.2 s."""
    upgrade("identity", database_url)
    container_factory(IdentityService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "TOKEN_SECRET": SECRET,
        "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4, "BLOB_DIR": str(tmp_path),
        "BLOB_SWEEP_SECONDS": 0.2, "BLOB_ORPHAN_MINUTES": 60}).start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
        yield rpc.identity, LocalBlobStore(tmp_path)


def test_stray_logo_blobs_are_swept_on_a_timer(sweeping_identity, database_url):
    """A logo blob whose commit never came (the gateway wrote it, identity never stored
    its key) is removed once older than BLOB_ORPHAN_MINUTES; the logo a practice names
    and a fresh blob (an upload still on its way) stay."""
    identity, store = sweeping_identity
    practice, _ = new_practice(identity)
    admin = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  roles=("practice_admin",), permissions=("manage_practice_settings",)).to_wire()
    named = store.put(io.BytesIO(b"\x89PNG logo"), namespace="logos")
    identity.set_practice_logo(admin, {"blob_key": named.key, "sha256": named.sha256,
                                       "size": named.size, "content_type": "image/png"})
    stray, fresh = (store.put(io.BytesIO(b"\x89PNG"), namespace="logos") for _ in range(2))
    past = time.time() - 7200
    for info in (named, stray):
        os.utime(store._path(info.key), (past, past))
    deadline = time.monotonic() + 10
    while stray.key in store.list_older_than("logos", -1) and time.monotonic() < deadline:
        eventlet.sleep(0.05)
    left = store.list_older_than("logos", -1)
    assert stray.key not in left, "the timer never swept the stray logo blob"
    assert named.key in left and fresh.key in left
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(Lease.name)).scalars().all() == ["orphan_blob_sweep"]
    engine.dispose()
