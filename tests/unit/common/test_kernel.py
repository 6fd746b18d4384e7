"""The kernel's pure parts: actor checks, payload loading, errors across RPC, UTC times."""
from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import fields
from nameko.exceptions import deserialize, serialize

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.schemas import StrictSchema, load
from services.common.types import UTCDateTime
from services.common import envelope


def client_actor(client_id="c1", perms=("*",)):
    return Actor(practice_id="p1", kind="client", id="a1", clients={client_id: perms})


def test_actor_round_trips_over_the_wire():
    actor = Actor(practice_id="p1", kind="staff", id="s1", roles=("intake",),
                  permissions=("view_clients",), correlation_id="abc")
    assert Actor.from_wire(actor.to_wire()) == actor


def test_actor_without_a_kind_is_refused():
    with pytest.raises(Forbidden):
        Actor.from_wire({"practice_id": "p1", "id": "x"})


def test_client_reaches_only_its_own_record():
    actor = client_actor()
    actor.require_client("c1")
    with pytest.raises(NotFound):
        actor.require_client("c2")


def test_contact_without_the_permission_is_forbidden():
    actor = Actor(practice_id="p1", kind="contact", id="k1",
                  clients={"c1": ("view_appointments",)})
    actor.require_client("c1", "view_appointments")
    with pytest.raises(Forbidden) as exc:
        actor.require_client("c1", "manage_information")
    assert exc.value.code == "not_permitted"


def test_other_practice_is_reported_missing_not_forbidden():
    with pytest.raises(NotFound):
        client_actor().require_practice("p2")


def test_staff_permission_is_checked():
    staff = Actor(practice_id="p1", kind="staff", id="s1", permissions=("view_clients",))
    staff.require_staff("view_clients")
    with pytest.raises(Forbidden):
        staff.require_staff("manage_staff")
    with pytest.raises(Forbidden):
        client_actor().require_staff()


class Sample(StrictSchema):
    name = fields.String(required=True)
    age = fields.Integer()


def test_load_names_each_bad_field_in_a_sentence():
    with pytest.raises(InvalidInput) as exc:
        load(Sample(), {"age": "old", "color": "red"})
    assert set(exc.value.fields) == {"name", "age", "color"}
    assert exc.value.message.endswith(".") or ":" in exc.value.message


class Named(StrictSchema):
    member_id = fields.String(required=True, error_messages={"required": "Member id is required."})


class Outer(StrictSchema):
    primary = fields.Nested(Sample)
    insurance = fields.Nested(Named)


def test_a_nested_field_is_named_by_its_own_key_and_once():
    with pytest.raises(InvalidInput) as exc:
        load(Outer(), {"primary": {"age": 3}})
    assert "primary.name" in exc.value.fields
    assert exc.value.message == "Name: Missing data for required field."
    with pytest.raises(InvalidInput) as exc:
        load(Outer(), {"primary": {"name": "x", "age": "old"}})
    assert exc.value.message == "Age: Not a valid integer."
    with pytest.raises(InvalidInput) as exc:
        load(Outer(), {"insurance": {}})
    assert exc.value.message == "Member id is required."


def test_load_refuses_a_body_that_is_not_an_object():
    with pytest.raises(InvalidInput) as exc:
        load(Sample(), ["x"])
    assert "JSON object" in exc.value.message


def test_shared_errors_cross_rpc_as_their_own_class():
    error = Conflict("stale_version", "Someone else saved first.",
                     {"changed": ["email"], "retry_after": 3})
    rebuilt = deserialize(serialize(error))
    assert isinstance(rebuilt, Conflict)
    assert (rebuilt.code, rebuilt.message, rebuilt.fields) == (
        "stale_version", "Someone else saved first.", {"changed": ["email"], "retry_after": 3})
    assert rebuilt.to_dict()["fields"]["retry_after"] == 3  # numbers stay numbers


def test_utc_type_refuses_naive_and_restores_the_zone():
    column = UTCDateTime()
    aware = datetime(2026, 3, 8, 7, 30, tzinfo=timezone(timedelta(hours=-5)))
    stored = column.process_bind_param(aware, None)
    assert stored == datetime(2026, 3, 8, 12, 30)
    assert column.process_result_value(stored, None) == aware
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 1, 1), None)


def test_envelope_carries_every_field_of_the_contract():
    actor = Actor(practice_id="p1", kind="client", id="a1", clients={"c1": ("*",)})
    env = envelope.build("client.updated", {"client_id": "c1"}, actor)
    assert envelope.Envelope().validate(env) == {}
    assert env["practice_id"] == "p1" and env["actor"] == {"kind": "client", "id": "a1"}
    assert "clients" not in env["actor"]
