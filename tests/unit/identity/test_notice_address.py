"""Where notify tells a person that some of their access ended: system only, any status."""
import pytest

from services.common.actor import Actor
from services.common.errors import Forbidden, NotFound
from tests.unit.identity.conftest import staff_actor


def test_notify_gets_the_sign_in_address_practice_and_portal(service, practice):
    staff = staff_actor(practice)
    access = service.create_client_access(staff, {
        "client_id": "c-1", "login": "Maria@Example.org", "status": "suspended",
        "temporary_password": "amber lantern orchard 42", "client_name": "Maria Lopez"})
    system = Actor.system(practice_id=practice["id"]).to_wire()
    got = service.get_notice_address(system, {"kind": "client", "id": access["account_id"]})
    assert got == {"kind": "client", "id": access["account_id"], "email": "maria@example.org",
                   "practice_name": "Oak Tree Counseling", "portal_path": "/p/oak-tree",
                   "portal_subdomain": None}
    with pytest.raises(Forbidden):
        service.get_notice_address(staff, {"kind": "client", "id": access["account_id"]})
    other = Actor.system(practice_id="another-practice").to_wire()
    with pytest.raises(NotFound):
        service.get_notice_address(other, {"kind": "client", "id": access["account_id"]})
    with pytest.raises(NotFound):
        service.get_notice_address(system, {"kind": "contact", "id": access["account_id"]})


def test_notify_gets_the_practice_s_name_and_portal_address_for_a_notice(service, practice):
    system = Actor.system(practice_id=practice["id"]).to_wire()
    assert service.get_practice_address(system) == {
        "practice_name": "Oak Tree Counseling", "portal_path": "/p/oak-tree",
        "portal_subdomain": None}
    with pytest.raises(Forbidden):
        service.get_practice_address(staff_actor(practice))
    with pytest.raises(NotFound):
        service.get_practice_address(Actor.system(practice_id="another-practice").to_wire())
