"""identity in a real container on the real RabbitMQ, on SQLite and PostgreSQL, with the
schema built by its own migrations; events observed on the `identity.events` exchange."""
import uuid

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, func, select

from services.common.actor import Actor
from services.common.errors import (
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from services.common.migrations import upgrade
from services.identity.domain import tokens
from services.identity.models import AuditEntry, Outbox, Session
from services.identity.service import IdentityService
from tests.support.events import EventTap

SECRET = "integration-secret-" + "x" * 32
TEMP = "amber lantern orchard 42"
NEW = "seven quiet violins hum"


def Events(amqp_uri):
    return EventTap(amqp_uri, "identity")


@pytest.fixture
def identity(container_factory, amqp_uri, database_url):
    upgrade("identity", database_url)
    events = Events(amqp_uri)  # bound before anything is published (trap 6)
    container = container_factory(IdentityService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "TOKEN_SECRET": SECRET,
        "ACCESS_TOKEN_SECONDS": 300, "REFRESH_TOKEN_SECONDS": 3600,
        "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4,
        # cheap argon2id: the same code path, a fraction of the CPU
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 1})
    container.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
        yield rpc.identity, events, database_url
    events.close()


def setup_practice(rpc, code=None, client_id="client-1", must_change=False):
    code = code or f"p-{uuid.uuid4().hex[:10]}"
    practice = rpc.create_practice(Actor.system().to_wire(), {"code": code, "name": "Oak Tree"})
    staff = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                  roles=("intake",), permissions=("manage_portal_access", "view_clients")).to_wire()
    login = f"client-{uuid.uuid4().hex[:8]}@example.org"
    access = rpc.create_client_access(staff, {
        "client_id": client_id, "login": login, "temporary_password": TEMP,
        "change_password_at_next_login": must_change, "status": "active",
        "client_name": "Maria Lopez"})
    return practice, staff, login, access


def sign_in(rpc, practice, login, password=TEMP, ip=None):
    return rpc.authenticate({"practice_code": practice["code"], "login": login,
                             "password": password, "audience": "portal", "source_ip": ip})


def count(url, model, *where):
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return value


def test_sign_in_and_identical_refusals(identity):
    rpc, events, url = identity
    practice, _, login, access = setup_practice(rpc)
    created = events.wait_for("account.created",
                              lambda e: e["data"]["account_id"] == access["account_id"])
    assert created["data"]["portal_path"] == f"/p/{practice['code']}"
    assert created["practice_id"] == practice["id"] and created["actor"]["kind"] == "staff"

    result = sign_in(rpc, practice, login, ip="203.0.113.5")
    claims = tokens.decode_access_token(result["access_token"], SECRET)
    assert claims["sub"] == access["account_id"] and claims["clients"] == {"client-1": ["*"]}
    actor = Actor(practice_id=practice["id"], kind="client", id=access["account_id"],
                  clients={"client-1": ("*",)}).to_wire()
    assert rpc.get_session(actor)["practice"]["code"] == practice["code"]

    with pytest.raises(Unauthenticated) as wrong:
        sign_in(rpc, practice, login, password="definitely not it at all")
    with pytest.raises(Unauthenticated) as unknown:
        sign_in(rpc, practice, "nobody-" + login)
    assert wrong.value.args == unknown.value.args
    assert wrong.value.code == "invalid_credentials"
    assert count(url, AuditEntry, AuditEntry.action == "sign_in_failed") == 2
    assert count(url, AuditEntry, AuditEntry.action == "sign_in",
                 AuditEntry.source_ip == "203.0.113.5") == 1


def test_failures_are_throttled_across_calls(identity):
    rpc, _, _ = identity
    practice, _, login, _ = setup_practice(rpc)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sign_in(rpc, practice, login, password="a wrong guess of a password")
    with pytest.raises(TooManyRequests) as exc:
        sign_in(rpc, practice, login)
    # nameko stringifies non-string exception args on the wire: "1", not 1
    retry_after = int(exc.value.fields["retry_after"])
    assert retry_after >= 1
    eventlet.sleep(retry_after + 0.1)   # back-off, not lockout
    assert sign_in(rpc, practice, login)["access_token"]


def test_suspension_refuses_sign_in_and_publishes_revocation(identity):
    rpc, events, url = identity
    practice, staff, login, access = setup_practice(rpc)
    sessions = [sign_in(rpc, practice, login)["session_id"] for _ in range(2)]
    rpc.set_client_access_status(staff, {"client_id": "client-1", "status": "suspended"})
    with pytest.raises(Unauthenticated) as exc:
        sign_in(rpc, practice, login)
    assert exc.value.code == "account_inactive"
    suspended = events.wait_for("account.suspended",
                                lambda e: e["data"]["account_id"] == access["account_id"])
    assert suspended["data"]["status"] == "suspended"
    revoked = events.wait_for("session.revoked",
                              lambda e: e["data"]["account_id"] == access["account_id"])
    assert sorted(revoked["data"]["session_ids"]) == sorted(sessions)
    assert count(url, Session, Session.revoked_at.is_(None)) == 0
    assert count(url, Outbox, Outbox.sent_at.is_(None)) == 0
    listed = {s["session_id"] for s in rpc.list_revocations({})["sessions"]}
    assert set(sessions) <= listed


def test_refresh_rotates_and_reuse_revokes_the_family(identity):
    rpc, events, _ = identity
    practice, _, login, access = setup_practice(rpc)
    first = sign_in(rpc, practice, login)
    second = rpc.refresh({"refresh_token": first["refresh_token"]})
    assert second["session_id"] == first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(Unauthenticated) as exc:
        rpc.refresh({"refresh_token": first["refresh_token"]})
    assert exc.value.code == "refresh_token_reused"
    with pytest.raises(Unauthenticated):
        rpc.refresh({"refresh_token": second["refresh_token"]})
    revoked = events.wait_for("session.revoked",
                              lambda e: e["data"]["session_ids"] == [first["session_id"]])
    assert revoked["data"]["reason"] == "refresh_reused"


def test_change_password_at_next_login(identity):
    rpc, events, _ = identity
    practice, _, login, access = setup_practice(rpc, must_change=True)
    first = sign_in(rpc, practice, login)
    assert tokens.decode_access_token(first["access_token"], SECRET)["mcp"] is True
    actor = Actor(practice_id=practice["id"], kind="client", id=access["account_id"],
                  clients={"client-1": ("*",)}).to_wire()
    with pytest.raises(InvalidInput) as exc:
        rpc.change_password(actor, {"current_password": TEMP,
                                    "new_password": "passwordpassword123"})
    assert "new_password" in exc.value.fields
    fresh = rpc.change_password(actor, {"current_password": TEMP, "new_password": NEW})
    assert tokens.decode_access_token(fresh["access_token"], SECRET)["mcp"] is False
    events.wait_for("password.changed", lambda e: e["data"]["account_id"] == access["account_id"])
    assert sign_in(rpc, practice, login, password=NEW)["must_change_password"] is False


def test_staff_of_one_practice_never_see_another(identity):
    rpc, _, _ = identity
    _, staff_a, _, _ = setup_practice(rpc, client_id="client-a")
    _, staff_b, _, _ = setup_practice(rpc, client_id="client-b")
    assert rpc.get_client_access(staff_a, "client-a")["client_id"] == "client-a"
    with pytest.raises(NotFound):
        rpc.get_client_access(staff_a, "client-b")
    with pytest.raises(NotFound):
        rpc.set_client_access_status(staff_b, {"client_id": "client-a", "status": "suspended"})
    assert rpc.get_client_access(staff_a, "client-a")["status"] == "active"
