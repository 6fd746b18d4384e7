import pytest

from gateway.readmodels import ReadModels
from services.common.actor import Actor
from services.common.errors import NotFound
from tests.unit.gateway.fakes import CLIENT_ID, PRACTICE, PRACTICE_ID, FakeRpc, record

ACTOR = Actor(practice_id=PRACTICE_ID, kind="client", id="acc", clients={CLIENT_ID: ("*",)})
WIRE = ACTOR.to_wire()


def models(**answers):
    rpc = FakeRpc(answers)
    return ReadModels(rpc), rpc


def test_client_record_is_filled_once_then_served_from_memory():
    rm, rpc = models(**{"charts.get_client": lambda a, c: record(c)})
    first = rm.client_record(ACTOR, WIRE, CLIENT_ID)
    assert rm.client_record(ACTOR, WIRE, CLIENT_ID) == first
    assert rpc.count("charts.get_client") == 1
    assert b"internal_note" not in first  # shaped by the response schema


def test_another_practice_never_reads_a_cached_record():
    rm, _ = models(**{"charts.get_client": lambda a, c: record(c)})
    rm.client_record(ACTOR, WIRE, CLIENT_ID)
    stranger = Actor(practice_id="other", kind="staff", id="s")
    with pytest.raises(NotFound):
        rm.client_record(stranger, stranger.to_wire(), CLIENT_ID)


def test_event_invalidates_and_next_read_refetches():
    versions = iter([1, 2])
    rm, rpc = models(**{"charts.get_client": lambda a, c: record(c, next(versions))})
    rm.client_record(ACTOR, WIRE, CLIENT_ID)
    rm.on_client_changed({"data": {"client_id": CLIENT_ID}})
    assert b'"version":2' in rm.client_record(ACTOR, WIRE, CLIENT_ID)
    assert rpc.count("charts.get_client") == 2


def test_a_writer_reads_its_own_write_and_older_versions_never_win():
    rm, rpc = models(**{"charts.get_client": lambda a, c: record(c, 1)})
    rm.record_written(ACTOR, CLIENT_ID, record(CLIENT_ID, 5, first_name="Augusta"))
    assert b"Augusta" in rm.client_record(ACTOR, WIRE, CLIENT_ID)
    assert rpc.count("charts.get_client") == 0
    rm.record_written(ACTOR, CLIENT_ID, record(CLIENT_ID, 4, first_name="Old"))
    assert b"Augusta" in rm.client_record(ACTOR, WIRE, CLIENT_ID)


def test_fill_that_raced_an_invalidation_is_not_stored():
    holder = {}

    def slow_get(actor, client_id):
        holder["rm"].on_client_changed({"data": {"client_id": client_id}})  # event mid-fill
        return record(client_id, 1)

    rm, rpc = models(**{"charts.get_client": slow_get})
    holder["rm"] = rm
    rm.client_record(ACTOR, WIRE, CLIENT_ID)
    assert len(rm.clients) == 0


def test_practice_branding_cached_negative_briefly_and_invalidated_by_event():
    rm, rpc = models(**{"identity.get_practice":
                        lambda code: dict(PRACTICE) if code == "demo" else (_ for _ in ()).throw(
                            NotFound("not_found", "no"))})
    assert b"Demo Practice" in rm.practice("demo")
    rm.practice("demo")
    assert rpc.count("identity.get_practice") == 1
    rm.on_practice_updated({"practice_id": PRACTICE_ID, "data": {"practice_id": PRACTICE_ID}})
    rm.practice("demo")
    assert rpc.count("identity.get_practice") == 2
    for _ in range(3):
        with pytest.raises(NotFound):
            rm.practice("nope")
    assert rpc.count("identity.get_practice") == 3


def test_reset_forgets_everything():
    rm, rpc = models(**{"charts.get_client": lambda a, c: record(c)})
    rm.client_record(ACTOR, WIRE, CLIENT_ID)
    rm.reset()
    rm.client_record(ACTOR, WIRE, CLIENT_ID)
    assert rpc.count("charts.get_client") == 2
