"""Primary language belongs to the Details tab (stored in `clients`): a Details save that
changes it and another field is ONE save — one batch, one event, revisions of tab details —
and every other way of changing it is seen by a Details save read before it."""
import pytest

from services.charts.models import ChangeBatch, Revision
from services.common.errors import Conflict, InvalidInput
from tests.unit.charts.test_service import STAFF
from tests.unit.charts.test_service_tabs import (  # noqa: F401 (fixtures)
    blobs,
    client_id,
    db,
    events,
    me,
    service,
)


def test_a_details_save_of_the_language_and_another_field_is_one_save(service, db, client_id):
    saved = service.save_tab(me(client_id), client_id, "details", {
        "version": 1, "primary_language": "  Spanish ", "interpreter_needed": True})
    assert saved["version"] == 2
    assert saved["values"] == {"primary_language": "Spanish", "interpreter_needed": True}

    [batch] = db.all(ChangeBatch)
    assert (batch.tab, batch.fields) == ("details", ["primary_language", "interpreter_needed"])
    revisions = {r.field: r for r in db.all(Revision)}
    assert {(r.tab, r.version, r.batch_id) for r in revisions.values()} == \
        {("details", 2, batch.id)}
    assert (revisions["primary_language"].old_value,
            revisions["primary_language"].new_value) == (None, "Spanish")
    [updated] = events(db, "client.updated")
    assert updated["data"]["tab"] == "details"
    assert updated["data"]["fields"] == ["primary_language", "interpreter_needed"]
    assert "Spanish" not in str(updated)

    # stored in the record ("my details"), whose version moves with it; not part of Basic
    record = service.get_client(me(client_id), client_id)
    assert (record["primary_language"], record["version"]) == ("Spanish", 2)
    assert "primary_language" not in service.get_tab(me(client_id), client_id,
                                                     "basic")["values"]


def test_the_language_alone_or_cleared_is_a_details_save(service, db, client_id):
    service.save_tab(me(client_id), client_id, "details", {"version": 1,
                                                          "primary_language": "French"})
    cleared = service.save_tab(me(client_id), client_id, "details", {
        "version": 2, "primary_language": None})
    assert cleared["version"] == 3 and cleared["values"] == {}
    assert service.get_client(STAFF, client_id)["primary_language"] is None
    with pytest.raises(InvalidInput) as exc:
        service.save_tab(me(client_id), client_id, "details", {
            "version": 3, "primary_language": "x" * 101})
    assert list(exc.value.fields) == ["primary_language"]


@pytest.mark.parametrize("older_save", ["my_details", "basic_tab"])
def test_a_language_changed_elsewhere_makes_a_stale_details_save_conflict(
        service, db, client_id, older_save):
    opened = service.get_tab(me(client_id), client_id, "details")
    change = {"version": 1, "primary_language": "Spanish", "city": "Portland"}
    if older_save == "my_details":   # the foundation's PATCH /me/details
        service.update_demographics(me(client_id), client_id, change)
    else:
        service.save_tab(STAFF, client_id, "basic", change)
    # that older save is still ONE batch and ONE event, of the tab it saved
    [batch] = db.all(ChangeBatch)
    assert (batch.tab, batch.fields) == ("basic", ["city", "primary_language"])
    [updated] = events(db, "client.updated")
    assert (updated["data"]["tab"], updated["data"]["fields"]) == \
        ("basic", ["city", "primary_language"])
    # … but the language's revision is of Details, at Details' next version
    revisions = {r.field: (r.tab, r.version) for r in db.all(Revision)}
    assert revisions == {"city": ("basic", 2), "primary_language": ("details", 2)}

    with pytest.raises(Conflict) as exc:
        service.save_tab(me(client_id), client_id, "details", {
            "version": opened["version"], "primary_language": "French", "education": "master"})
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["primary_language"]}
    current = service.get_tab(me(client_id), client_id, "details")
    assert current["version"] == 2 and current["values"] == {"primary_language": "Spanish"}


def test_a_language_only_my_details_save_never_makes_a_basic_save_stale(
        service, db, client_id):
    record = service.update_demographics(me(client_id), client_id, {
        "version": 1, "primary_language": "Spanish"})
    assert record["version"] == 2 and record["primary_language"] == "Spanish"
    assert service.get_tab(STAFF, client_id, "details")["version"] == 2
    # a Basic save read before it is not stale: the language is not Basic's
    saved = service.save_tab(me(client_id), client_id, "basic", {"version": 1, "city": "Bend"})
    assert saved["version"] == 3 and saved["values"]["city"] == "Bend"


@pytest.mark.parametrize("moved_by", ["details_tab", "revert"])
def test_my_details_read_before_a_details_language_change_cannot_overwrite_it(
        service, db, client_id, moved_by):
    service.update_demographics(me(client_id), client_id, {"version": 1,
                                                           "primary_language": "Spanish"})
    opened = service.get_client(me(client_id), client_id)     # GET /me/details
    if moved_by == "details_tab":
        service.save_tab(STAFF, client_id, "details", {"version": 2,
                                                       "primary_language": "French"})
    else:
        [revision] = db.all(Revision)
        service.revert_change(STAFF, {"revision_id": revision.id})
    moved = service.get_client(STAFF, client_id)["primary_language"]

    # the older page sends only what its person changed, with the record's version
    with pytest.raises(Conflict) as exc:
        service.update_demographics(me(client_id), client_id, {
            "version": opened["version"], "primary_language": "Hmong", "city": "Bend"})
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["primary_language"]}
    record = service.get_client(STAFF, client_id)
    assert (record["primary_language"], record["city"]) == (moved, None)

    # the same page without the language saves, and once reloaded saves the language too
    saved = service.update_demographics(me(client_id), client_id, {
        "version": opened["version"], "city": "Bend"})
    saved = service.update_demographics(me(client_id), client_id, {
        "version": saved["version"], "primary_language": "Hmong"})
    assert (saved["primary_language"], saved["city"]) == ("Hmong", "Bend")


def test_a_record_save_read_after_a_basic_change_is_stale_as_before(service, db, client_id):
    opened = service.get_client(me(client_id), client_id)
    service.update_demographics(STAFF, client_id, {"version": 1, "city": "Bend"})
    service.save_tab(STAFF, client_id, "details", {"version": 1, "primary_language": "Thai"})
    with pytest.raises(Conflict) as exc:
        service.update_demographics(me(client_id), client_id, {
            "version": opened["version"], "state": "OR"})
    assert exc.value.fields == {"changed": ["city"]}
    with pytest.raises(Conflict):  # a version never issued is refused too
        service.update_demographics(me(client_id), client_id, {"version": 9, "state": "OR"})


def test_reverting_a_language_change_restores_it_as_a_details_change(service, db, client_id):
    service.save_tab(me(client_id), client_id, "details", {"version": 1,
                                                          "primary_language": "Spanish"})
    service.save_tab(me(client_id), client_id, "details", {
        "version": 2, "primary_language": "French", "smoking_status": "never"})
    [latest, _] = service.list_changes_to_review(STAFF, {})
    language = next(r for r in latest["revisions"] if r["field"] == "primary_language")

    reverted = service.revert_change(STAFF, {"revision_id": language["id"]})
    assert reverted["tab"] == "details" and reverted["version"] == 4
    assert reverted["values"] == {"primary_language": "Spanish", "smoking_status": "never"}
    assert service.get_client(STAFF, client_id)["primary_language"] == "Spanish"
    last = events(db, "client.updated")[-1]["data"]
    assert (last["tab"], last["fields"], last["source"]) == \
        ("details", ["primary_language"], "staff")
    history = service.list_revisions(STAFF, client_id)
    assert (history[0]["tab"], history[0]["field"], history[0]["new_value"]) == \
        ("details", "primary_language", "Spanish")
    with pytest.raises(Conflict) as exc:
        service.revert_change(STAFF, {"revision_id": language["id"]})
    assert exc.value.code == "changed_since"


def test_a_language_revision_from_when_it_was_basic_reverts_on_details(service, db, client_id):
    service.update_demographics(me(client_id), client_id, {"version": 1,
                                                           "primary_language": "Spanish"})
    [revision] = db.all(Revision)
    with db.sessions.begin() as session:  # as revisions were written before the move
        row = session.get(Revision, revision.id)
        row.tab, row.version, row.old_json, row.new_json = "basic", 2, None, None
    reverted = service.revert_change(STAFF, {"revision_id": revision.id})
    assert reverted["tab"] == "details" and reverted["values"] == {}
    assert service.get_client(STAFF, client_id)["primary_language"] is None
