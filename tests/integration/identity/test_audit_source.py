"""The audit trail names where each action came from, across RabbitMQ: the staff member's
address from the actor context (made current by the worker's CorrelationId), and the
client's from the session calls."""
import uuid

import pytest

from services.common.actor import Actor
from tests.integration.identity.test_identity import identity, setup_practice, sign_in  # noqa: F401

STAFF_IP, CLIENT_IP = "198.51.100.23", "203.0.113.41"


@pytest.fixture
def database_url(database_url_factory):
    """One run: the path under test is the actor context, not the storage."""
    return database_url_factory("sqlite")


def test_audit_entries_carry_the_source_address(identity):  # noqa: F811
    rpc, _, _ = identity
    practice, staff, login, access = setup_practice(rpc, client_id=str(uuid.uuid4()))
    staff = dict(staff, source_ip=STAFF_IP)
    first = sign_in(rpc, practice, login, ip=CLIENT_IP)
    client = Actor(practice_id=practice["id"], kind="client", id=access["account_id"],
                   clients={access["client_id"]: ("*",)}, source_ip=CLIENT_IP).to_wire()
    rpc.refresh({"refresh_token": first["refresh_token"], "source_ip": CLIENT_IP})
    rpc.sign_out(client, {"session_id": first["session_id"], "source_ip": CLIENT_IP})
    rpc.set_client_access_status(staff, {"client_id": access["client_id"],
                                         "status": "suspended"})
    auditor = dict(staff, permissions=["view_audit_log"])
    entries = {e["action"]: e for e in rpc.list_audit(auditor, {})["entries"]}
    assert entries["access_status_changed"]["source_ip"] == STAFF_IP
    assert entries["access_status_changed"]["actor_id"] == staff["id"]
    assert entries["sign_in"]["source_ip"] == CLIENT_IP
    assert entries["sign_out"]["source_ip"] == CLIENT_IP
    # a call without an address does not inherit the previous caller's
    rpc.set_client_access_status(dict(staff, source_ip=None),
                                 {"client_id": access["client_id"], "status": "active"})
    latest = rpc.list_audit(auditor, {"action": "access_status_changed"})["entries"][0]
    assert latest["source_ip"] is None
