"""What a client (or a contact acting for one) may not do or see in the chart, whatever
the page sends (issue 18): the legal name and date of birth stay the practice's to change,
and a practice that keeps insurance itself offers no Insurance tab."""
import pytest

from services.charts.domain import records, tabs
from services.charts.models import Revision
from services.common.actor import Actor
from services.common.errors import Forbidden, NotFound
from tests.unit.charts.test_service import STAFF
from tests.unit.charts.test_service_tabs import (ADMIN, blobs, client_id, db,  # noqa: F401
                                                 me, service)

IDENTITY = {"first_name": "Robert", "last_name": "Neumann", "date_of_birth": "1990-01-02"}
CONTACT = "contact-1"


def test_only_clients_and_contacts_are_held_to_the_identity_fields():
    assert records.read_only_fields(Actor.from_wire(me("c"))) == [
        "first_name", "last_name", "date_of_birth"]
    assert records.read_only_fields(Actor.from_wire(STAFF)) == []


@pytest.mark.parametrize("field", sorted(IDENTITY))
@pytest.mark.parametrize("who", ["client", "contact"])
def test_a_client_or_contact_cannot_change_a_legal_name_or_birth_date(service, db, client_id,
                                                                     field, who):
    actor = me(client_id) if who == "client" else me(
        client_id, kind="contact", id_=CONTACT, perms=("manage_information",))
    for save in (lambda p: service.update_demographics(actor, client_id, p),   # My details
                 lambda p: service.save_tab(actor, client_id, "basic", p)):    # My chart › Basic
        with pytest.raises(Forbidden) as exc:
            save({"version": 1, field: IDENTITY[field], "city": "Salem"})
        assert exc.value.code == "identity_read_only"
        assert exc.value.message == ("Legal name and date of birth can only be changed by "
                                     "the practice. Please contact the practice to correct "
                                     "them.")
        assert exc.value.fields == {field: ["Only the practice can change this."]}
    assert db.all(Revision) == []          # nothing of the save is kept, not even the city
    assert service.get_client(STAFF, client_id)["version"] == 1


def test_the_value_already_held_is_no_change_and_staff_still_correct_them(service, client_id):
    mine = me(client_id)
    saved = service.update_demographics(mine, client_id, {
        "version": 1, "first_name": "Bobby", "last_name": "Newman", "city": "Salem"})
    assert saved["city"] == "Salem" and saved["version"] == 2
    corrected = service.save_tab(STAFF, client_id, "basic", {"version": 2, **IDENTITY})
    assert {k: corrected["values"][k] for k in IDENTITY} == IDENTITY


def test_the_basic_tab_names_the_fields_a_client_only_sees(service, client_id):
    assert service.get_tab(me(client_id), client_id, "basic")["read_only_fields"] == [
        "first_name", "last_name", "date_of_birth"]
    assert service.get_chart(me(client_id), client_id)["tabs"]["basic"]["editable"] is True
    assert service.get_tab(STAFF, client_id, "basic")["read_only_fields"] == []
    assert service.get_tab(me(client_id), client_id, "details")["read_only_fields"] == []


def test_with_insurance_kept_by_the_practice_the_tab_is_not_there(service, client_id):
    contact = me(client_id, kind="contact", id_=CONTACT, perms=("manage_information",))
    for actor in (me(client_id), contact):
        assert "insurance" not in service.get_chart(actor, client_id)["tabs"]
        with pytest.raises(NotFound) as exc:
            service.get_tab(actor, client_id, "insurance")
        assert exc.value.code == "tab_not_offered"
        assert "Please call the practice" in exc.value.message
    staff_view = service.get_chart(STAFF, client_id)["tabs"]
    assert list(staff_view) == list(tabs.TABS) and staff_view["insurance"]["editable"] is True


def test_with_clients_allowed_to_update_insurance_the_tab_is_there_and_editable(
        service, client_id):
    service.update_settings(ADMIN, {"allow_clients_update_insurance": True})
    chart = service.get_chart(me(client_id), client_id)
    assert list(chart["tabs"]) == list(tabs.TABS)
    assert chart["tabs"]["insurance"]["editable"] is True
    assert service.get_tab(me(client_id), client_id, "insurance")["tab"] == "insurance"
