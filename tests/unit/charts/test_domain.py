"""The rules of a client record, without nameko or a database."""
from datetime import date, datetime, timezone

import pytest

from services.charts import schemas
from services.charts.domain import access, field_rules, records
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.schemas import load

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("value", ["+1 (555) 123-4567", "555 1234", "0044 20 7946 0958",
                                   "123456789012345"])
def test_good_phone_numbers(value):
    assert field_rules.phone_problem(value) is None


@pytest.mark.parametrize("value", ["123456", "1234567890123456", "555-CALL-NOW", "555.123.4567",
                                   "12+34567890", ""])
def test_bad_phone_numbers_say_what_is_expected(value):
    message = field_rules.phone_problem(value)
    assert message and "7 to 15 digits" in message


@pytest.mark.parametrize("value,ok", [("a@b.co", True), ("first.last+tag@example.org", True),
                                      ("no-at-sign.example.com", False), ("a@b", False),
                                      ("a b@example.com", False), ("a@@example.com", False)])
def test_email_format(value, ok):
    assert (field_rules.email_problem(value) is None) is ok


def test_birth_date_in_the_future_is_refused_but_today_anywhere_is_not():
    assert field_rules.date_of_birth_problem(date(2026, 3, 11), today=TODAY) == \
        "Date of birth cannot be in the future."
    assert field_rules.date_of_birth_problem(TODAY, today=TODAY) is None
    assert field_rules.date_of_birth_problem(date(1899, 12, 31), today=TODAY)
    # at 23:00 UTC it is already tomorrow in Kiribati (UTC+14)
    late = datetime(2026, 3, 10, 23, 0, tzinfo=timezone.utc)
    assert field_rules.latest_today(late) == date(2026, 3, 11)


@pytest.mark.parametrize("code,country,ok", [
    ("12345", "US", True), ("12345-6789", "US", True), ("1234", "US", False),
    ("K1A 0B1", "CA", True), ("K1A0B1", "CA", True), ("12345", "CA", False),
    ("SW1A 1AA", "GB", True), ("75008", "FR", True), ("75008", None, True),
    ("!!", None, False), ("12345678901", "DE", False),
])
def test_postal_codes_follow_the_country(code, country, ok):
    assert (field_rules.postal_code_problem(code, country) is None) is ok


def test_schema_reports_every_bad_field_at_once_with_clear_messages():
    with pytest.raises(InvalidInput) as exc:
        load(schemas.records.UpdateDemographics(), {
            "version": 1, "email": "nope", "phone_home": "12", "date_of_birth": "2999-01-01",
            "country": "Canada", "first_name": "  "})
    fields = exc.value.fields
    assert set(fields) == {"email", "phone_home", "date_of_birth", "country", "first_name"}
    assert fields["first_name"] == ["First name is required."]
    assert fields["date_of_birth"] == ["Date of birth cannot be in the future."]
    assert "name@example.com" in fields["email"][0]


def test_schema_refuses_unknown_fields_and_bad_dates():
    with pytest.raises(InvalidInput) as exc:
        load(schemas.records.UpdateDemographics(), {"ssn": "x", "date_of_birth": "10/03/1990"})
    assert exc.value.fields["ssn"] == ["Unknown field."]
    assert exc.value.fields["date_of_birth"] == ["Enter the date of birth as YYYY-MM-DD."]


def test_schema_trims_text_and_treats_blank_as_cleared():
    cmd = load(schemas.records.UpdateDemographics(), {"version": 1, "city": "  Port   Land ",
                                              "phone_work": "",
                                              "country": "ca", "postal_code": "k1a 0b1"})
    assert cmd == {"version": 1, "city": "Port Land", "phone_work": None, "country": "CA",
                   "postal_code": "K1A 0B1"}


def test_record_check_applies_the_country_postal_rule_to_the_merged_record():
    with pytest.raises(InvalidInput) as exc:
        records.check_record({"first_name": "A", "last_name": "B", "country": "US",
                             "postal_code": "K1A 0B1"})
    assert exc.value.fields == {"postal_code": ["Enter a US ZIP code such as 12345 or 12345-6789."]}
    with pytest.raises(InvalidInput) as exc:
        records.check_record({"first_name": "A", "last_name": None})
    assert set(exc.value.fields) == {"last_name"}


def test_diff_keeps_only_real_changes_in_field_order():
    current = {"first_name": "Ana", "city": "Lyon", "date_of_birth": date(1990, 1, 2),
               "email": None}
    changes = records.diff(current, {"email": "a@b.co", "first_name": "Ana",
                                    "date_of_birth": date(1990, 1, 2), "city": None})
    assert changes == [records.Change("email", None, "a@b.co"),
                       records.Change("city", "Lyon", None)]
    assert records.as_text(date(1990, 1, 2)) == "1990-01-02"


def test_stale_version_names_the_fields_changed_since():
    records.refuse_stale(3, 3, [])
    with pytest.raises(Conflict) as exc:
        records.refuse_stale(2, 4, ["phone_home", "email", "email"])
    assert exc.value.code == "stale_version"
    assert exc.value.fields == {"changed": ["email", "phone_home"]}


def test_a_record_save_is_stale_for_the_language_only_when_it_would_change_it():
    # the record moved (2 → 4) by language changes only: no Basic field changed since
    records.refuse_stale_record(2, 4, [], ["city"])
    with pytest.raises(Conflict) as exc:
        records.refuse_stale_record(2, 4, [], ["city", "primary_language"])
    assert exc.value.fields == {"changed": ["primary_language"]}
    with pytest.raises(Conflict) as exc:       # a Basic field moved: stale as ever
        records.refuse_stale_record(2, 4, ["email"], ["city"])
    assert exc.value.fields == {"changed": ["email"]}
    with pytest.raises(Conflict):              # a version never issued
        records.refuse_stale_record(5, 4, [], ["city"])
    records.refuse_stale_record(4, 4, [], ["primary_language"])


CLIENT_ID = "c-1"


def actor(kind, **kw):
    return Actor(practice_id="p1", kind=kind, id="a1", **kw)


def test_who_may_read_and_edit():
    access.require_reader(actor("staff", permissions=("view_clients",)), CLIENT_ID)
    access.require_editor(actor("staff", permissions=("edit_clients",)), CLIENT_ID)
    access.require_editor(actor("client", clients={CLIENT_ID: ("*",)}), CLIENT_ID)
    access.require_editor(actor("contact", clients={CLIENT_ID: ("manage_information",)}),
                          CLIENT_ID)
    access.require_reader(actor("contact", clients={CLIENT_ID: ("view_appointments",)}),
                          CLIENT_ID)
    with pytest.raises(Forbidden):
        access.require_editor(actor("staff", permissions=("view_clients",)), CLIENT_ID)
    with pytest.raises(Forbidden):
        access.require_editor(actor("contact", clients={CLIENT_ID: ("view_appointments",)}),
                              CLIENT_ID)
    with pytest.raises(NotFound):
        access.require_reader(actor("client", clients={"someone-else": ("*",)}), CLIENT_ID)


def test_source_and_name():
    assert records.source_for(actor("client")) == "portal"
    assert records.source_for(actor("contact")) == "portal"
    assert records.source_for(actor("staff")) == "staff"
    assert records.client_name({"first_name": "Ana", "last_name": "Lima"}) == "Ana Lima"
