"""Document types taken out of use, and a share that says when the client will not see
it (issue 18)."""
import pytest

from services.charts.models import DocumentType
from services.common.errors import Conflict, InvalidInput, NotFound
from tests.unit.charts.test_service import STAFF
from tests.unit.charts.test_service_tabs import (blobs, client_id, db, me,  # noqa: F401
                                                 put, service)


def new_type(service, name="Letters", shown=True):
    return service.create_document_type(STAFF, {"name": name, "show_in_portal": shown})


def share(service, blobs, client_id, type_id=None):
    return service.share_document(STAFF, dict(put(blobs), client_id=client_id,
                                              type_id=type_id, title="Letter"))


def test_a_type_nothing_is_filed_under_is_deleted(service, db):
    kept, gone = new_type(service, "Letters"), new_type(service, "Old forms")
    assert service.delete_document_type(STAFF, gone["id"]) == {"type_id": gone["id"],
                                                                "deleted": True}
    assert [t["id"] for t in service.list_document_types(STAFF)] == [kept["id"]]
    assert [t.name for t in db.all(DocumentType)] == ["Letters"]
    with pytest.raises(NotFound):
        service.delete_document_type(STAFF, gone["id"])


def test_a_type_in_use_is_archived_instead_and_its_documents_keep_it(service, blobs,
                                                                     client_id):
    letters = new_type(service)
    doc = share(service, blobs, client_id, letters["id"])
    with pytest.raises(Conflict) as exc:
        service.delete_document_type(STAFF, letters["id"])
    assert exc.value.code == "document_type_in_use"
    assert exc.value.message.startswith("1 document is filed under this type")
    assert "Archive it instead" in exc.value.message
    archived = service.update_document_type(STAFF, letters["id"], {"archived": True})
    assert archived["archived"] is True and archived["archived_at"]
    # staff still list it (marked), clients no longer; the filed document is untouched
    assert service.list_document_types(STAFF)[0]["archived"] is True
    assert service.list_document_types(me(client_id)) == []
    [seen] = service.list_documents(me(client_id), {"client_id": client_id})
    assert seen["id"] == doc["id"] and seen["type_id"] == letters["id"]
    with pytest.raises(InvalidInput) as exc:
        share(service, blobs, client_id, letters["id"])
    assert exc.value.code == "type_archived" and "type_id" in exc.value.fields
    again = service.update_document_type(STAFF, letters["id"], {"archived": False})
    assert again["archived"] is False and again["archived_at"] is None
    assert share(service, blobs, client_id, letters["id"])["type_id"] == letters["id"]


def test_a_share_says_when_the_client_will_not_see_it(service, blobs, client_id):
    shown, hidden = new_type(service, "Letters"), new_type(service, "Notes", shown=False)
    assert share(service, blobs, client_id, shown["id"])["shown_in_portal"] is True
    assert share(service, blobs, client_id, hidden["id"])["shown_in_portal"] is False
    assert share(service, blobs, client_id)["shown_in_portal"] is False   # no type at all
    listed = service.list_documents(STAFF, {"client_id": client_id})
    assert sorted(d["shown_in_portal"] for d in listed) == [False, False, True]
    assert [d["shown_in_portal"] for d in service.list_documents(
        me(client_id), {"client_id": client_id})] == [True]
