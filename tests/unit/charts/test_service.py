"""ChartsService methods through nameko's worker_factory, on an in-memory database.

The Database provider is replaced by a small stand-in with the same `transaction()` /
`read()` API over SQLite in memory, so the entrypoints run their real SQL.
"""

import pytest
from nameko.testing.services import worker_factory

from services.charts.models import Base, Outbox, Revision
from services.charts.service import ChartsService
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.testing import MemoryDatabase

PRACTICE = "practice-1"
STAFF = {"practice_id": PRACTICE, "kind": "staff", "id": "staff-1",
         "permissions": ["view_clients", "edit_clients", "upload_client_documents"]}


class MemoryDb(MemoryDatabase):
    """What `self.db` offers a worker, over one in-memory SQLite database."""

    def __init__(self):
        super().__init__(Base)

@pytest.fixture
def db():
    return MemoryDb()


@pytest.fixture
def service(db):
    return worker_factory(ChartsService, db=db)


def client_actor(client_id, perms=("*",), practice=PRACTICE):
    return {"practice_id": practice, "kind": "client", "id": "acct-1",
            "clients": {client_id: list(perms)}}


@pytest.fixture
def client(service):
    return service.create_client(STAFF, {"first_name": "Ana", "last_name": "Lima",
                                         "email": "ana@example.com", "country": "US"})


def test_create_returns_version_1_and_records_client_created(service, db, client):
    assert client["version"] == 1 and client["first_name"] == "Ana"
    [event] = db.all(Outbox)
    assert event.type == "client.created"
    assert event.envelope["data"] == {"client_id": client["id"]}   # no name: it is public
    assert event.envelope["version"] == 2


def test_create_with_the_same_id_twice_is_one_record(service, db):
    payload = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "first_name": "A", "last_name": "B"}
    first = service.create_client(STAFF, payload)
    again = service.create_client(STAFF, payload)
    assert first == again and len(db.all(Outbox)) == 1


def test_update_writes_one_revision_per_changed_field_and_one_event(service, db, client):
    result = service.update_demographics(
        client_actor(client["id"]), client["id"],
        {"version": 1, "phone_mobile": "+1 555 123 4567", "city": "Portland",
         "first_name": "Ana"})  # unchanged: no revision
    assert result["version"] == 2 and result["city"] == "Portland"
    revisions = db.all(Revision)
    assert sorted(r.field for r in revisions) == ["city", "phone_mobile"]
    assert {r.source for r in revisions} == {"portal"}
    assert len({r.batch_id for r in revisions}) == 1
    updated = [e for e in db.all(Outbox) if e.type == "client.updated"]
    assert len(updated) == 1
    data = updated[0].envelope["data"]
    assert data == {"client_id": client["id"], "tab": "basic",
                    "fields": ["phone_mobile", "city"], "batch_id": revisions[0].batch_id,
                    "source": "portal"}
    assert "Portland" not in str(updated[0].envelope)


def test_a_save_that_changes_nothing_emits_nothing(service, db, client):
    result = service.update_demographics(STAFF, client["id"], {"version": 1,
                                                               "first_name": "Ana"})
    assert result["version"] == 1
    assert db.all(Revision) == [] and len(db.all(Outbox)) == 1


def test_stale_version_is_a_conflict_naming_what_changed(service, client):
    service.update_demographics(STAFF, client["id"], {"version": 1, "city": "Salem"})
    with pytest.raises(Conflict) as exc:
        service.update_demographics(client_actor(client["id"]), client["id"],
                                    {"version": 1, "email": "new@example.com"})
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["city"]}


def test_a_save_without_the_version_read_is_refused_naming_it(service, db, client):
    with pytest.raises(InvalidInput) as exc:
        service.update_demographics(STAFF, client["id"], {"city": "Salem"})
    assert list(exc.value.fields) == ["version"]
    with pytest.raises(InvalidInput) as exc:
        service.save_tab(STAFF, client["id"], "communication", {"email_ok": True})
    assert list(exc.value.fields) == ["version"]
    assert db.all(Revision) == []


def test_invalid_values_are_refused_per_field(service, client):
    with pytest.raises(InvalidInput) as exc:
        service.update_demographics(STAFF, client["id"], {"version": 1,
                                                          "postal_code": "K1A 0B1"})
    assert list(exc.value.fields) == ["postal_code"]  # the record's country is US


def test_client_reaches_only_its_own_record(service, client):
    other = service.create_client(STAFF, {"first_name": "Bo", "last_name": "Ng"})
    with pytest.raises(NotFound):
        service.get_client(client_actor(client["id"]), other["id"])
    assert service.get_client(client_actor(client["id"]), client["id"])["id"] == client["id"]


def test_another_practice_is_not_found(service, client):
    outsider = dict(STAFF, practice_id="practice-2")
    with pytest.raises(NotFound):
        service.get_client(outsider, client["id"])
    with pytest.raises(NotFound):
        service.update_demographics(client_actor(client["id"], practice="practice-2"),
                                    client["id"], {"version": 1, "city": "X"})


def test_contact_without_manage_information_cannot_update(service, client):
    with pytest.raises(Forbidden):
        service.update_demographics(client_actor(client["id"], perms=["view_appointments"]),
                                    client["id"], {"city": "X"})


def test_staff_need_their_permissions(service, client):
    viewer = dict(STAFF, permissions=["view_clients"])
    with pytest.raises(Forbidden):
        service.update_demographics(viewer, client["id"], {"city": "X"})
    with pytest.raises(Forbidden):
        service.create_client(viewer, {"first_name": "A", "last_name": "B"})
    with pytest.raises(Forbidden):
        service.list_revisions(client_actor(client["id"]), client["id"])


def test_list_and_search(service, client):
    service.create_client(STAFF, {"first_name": "Bo", "last_name": "Ng"})
    service.create_client(dict(STAFF, practice_id="practice-2"),
                          {"first_name": "Ana", "last_name": "Elsewhere"})
    assert [c["last_name"] for c in service.list_clients(STAFF, {})] == ["Lima", "Ng"]
    assert [c["last_name"] for c in service.list_clients(STAFF, {"query": "ana l"})] == ["Lima"]
    assert service.list_clients(STAFF, {"query": "100%"}) == []
    assert set(service.list_clients(STAFF, {})[0]) == {
        "id", "first_name", "last_name", "date_of_birth", "email"}


def test_revisions_newest_first(service, client):
    service.update_demographics(STAFF, client["id"], {"version": 1, "city": "Salem"})
    service.update_demographics(STAFF, client["id"], {"version": 2, "city": "Bend",
                                                      "state": "OR"})
    revisions = service.list_revisions(STAFF, client["id"])
    assert [(r["field"], r["old_value"], r["new_value"], r["version"]) for r in revisions] == [
        ("city", "Salem", "Bend", 3), ("state", None, "OR", 3), ("city", None, "Salem", 2)]
    assert revisions[0]["actor_kind"] == "staff" and revisions[0]["source"] == "staff"
