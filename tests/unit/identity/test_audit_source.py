"""The audit trail names the address a staff action came from: the gateway puts it in the
actor context once, and the worker's CorrelationId makes it current for the audit rows."""
from types import SimpleNamespace

from sqlalchemy import select

from services.common.actor import Actor
from services.common.logs import CorrelationId
from services.identity.models import AuditEntry
from tests.unit.identity.conftest import staff_actor

TEMP = "amber lantern orchard 42"


def serve(actor_wire):
    """What nameko does before the entrypoint runs: the worker's dependencies set up."""
    CorrelationId().worker_setup(SimpleNamespace(data={}, args=(actor_wire, {})))


def test_staff_actions_record_the_staff_members_address(service, practice, db):
    staff = dict(staff_actor(practice), source_ip="198.51.100.23")
    assert Actor.from_wire(staff).source_ip == "198.51.100.23"
    serve(staff)
    service.create_client_access(staff, {
        "client_id": "client-1", "login": "maria@example.org", "temporary_password": TEMP,
        "client_name": "Maria Lopez"})
    service.set_client_access_status(staff, {"client_id": "client-1", "status": "suspended"})
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["access_created", "access_status_changed"]))).all()
    assert len(rows) == 2 and {r.source_ip for r in rows} == {"198.51.100.23"}


def test_a_worker_without_an_address_records_none_not_the_previous_callers(service, practice,
                                                                            db):
    serve(dict(staff_actor(practice), source_ip="198.51.100.23"))
    serve({"id": "an event", "data": {}})          # the next worker: an event, no address
    service.create_client_access(staff_actor(practice), {
        "client_id": "client-2", "login": "ana@example.org", "temporary_password": TEMP,
        "client_name": "Ana Lopez"})
    with db.read() as s:
        row = s.scalar(select(AuditEntry).where(AuditEntry.action == "access_created"))
    assert row.source_ip is None
