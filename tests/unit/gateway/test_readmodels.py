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


# -- a client's upcoming appointments -------------------------------------------------------
T0 = 1_900_000_000.0      # the fixed "now" of these tests (2030-03-17T17:46:40Z)


def appt(client_id=CLIENT_ID, ends_in=3600, **extra):
    from datetime import datetime, timezone
    ends = datetime.fromtimestamp(T0 + ends_in, timezone.utc).isoformat()
    return dict({"id": "a1", "client_id": client_id, "starts_at": ends, "ends_at": ends,
                 "status": "scheduled", "version": 1, "cancel_reason": "staff note"}, **extra)


def listing(*items):
    return lambda actor, client_id, payload: {"items": [dict(i) for i in items]}


def shape(reply):
    return reply


def appointment_models(answer, now=None, **kwargs):
    clock = now if now is not None else [T0]
    rpc = FakeRpc({"scheduling.list_client_appointments": answer})
    return ReadModels(rpc, wall=lambda: clock[0], **kwargs), rpc, clock


UPCOMING = {"when": "upcoming"}


def test_upcoming_appointments_are_filled_once_then_served_without_rpc():
    rm, rpc, _ = appointment_models(listing(appt()))
    first = rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape) == first
    assert rpc.count("scheduling.list_client_appointments") == 1
    (_, _, (wire, client_id, payload)), = rpc.calls
    assert wire == WIRE and client_id == CLIENT_ID and payload == UPCOMING  # caller's actor
    # another limit, another view, another practice: lists of their own
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, {"when": "upcoming", "limit": 5}, shape)
    staff = Actor(practice_id=PRACTICE_ID, kind="staff", id="s", permissions=("view_clients",))
    rm.upcoming_appointments(staff, staff.to_wire(), CLIENT_ID, UPCOMING, shape)
    stranger = Actor(practice_id="other", kind="client", id="x", clients={CLIENT_ID: ("*",)})
    rm.upcoming_appointments(stranger, stranger.to_wire(), CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 4


def test_an_appointment_event_drops_the_client_s_lists_only():
    rm, rpc, _ = appointment_models(listing(appt()))
    for client_id in (CLIENT_ID, "other-client"):
        rm.upcoming_appointments(ACTOR, WIRE, client_id, UPCOMING, shape)
    rm.on_appointment_changed({"type": "appointment.scheduled",
                               "data": {"client_id": CLIENT_ID}})
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    rm.upcoming_appointments(ACTOR, WIRE, "other-client", UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 3
    rm.on_appointment_changed({"type": "appointment.cancelled", "data": {}})  # whose? all
    assert len(rm.appointments) == 0


def test_an_appointment_fill_that_raced_an_event_is_not_stored():
    holder = {}

    def slow_list(actor, client_id, payload):
        holder["rm"].on_appointment_changed({"data": {"client_id": client_id}})
        return {"items": [appt()]}

    rm, rpc, _ = appointment_models(slow_list)
    holder["rm"] = rm
    body = rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert b'"a1"' in body and len(rm.appointments) == 0


def test_a_list_expires_when_its_first_appointment_ends():
    rm, rpc, now = appointment_models(listing(appt(ends_in=7200, id="late"),
                                              appt(ends_in=600, id="soon")))
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    now[0] = T0 + 599
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 1
    now[0] = T0 + 600                       # "soon" has ended: scheduling no longer lists it
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 2


def test_an_empty_list_is_kept_until_a_booking_and_odd_answers_are_not_kept():
    rm, rpc, now = appointment_models(listing())
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    now[0] = T0 + 10 * 86400
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 1
    for odd in (appt(ends_at="2030-03-04T20:50:00"), appt(ends_at="soon"),
                appt(ends_in=-1)):          # no offset, unreadable, already ended
        rm, rpc, _ = appointment_models(listing(odd))
        for _ in range(2):
            rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
        assert rpc.count("scheduling.list_client_appointments") == 2


def test_refusals_are_never_kept_and_reset_forgets_the_lists():
    from services.common.errors import Forbidden
    rm, rpc, _ = appointment_models(Forbidden("not_permitted", "No."))
    for _ in range(2):
        with pytest.raises(Forbidden):
            rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 2
    rpc.answers["scheduling.list_client_appointments"] = listing(appt())
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    rm.reset()
    rm.upcoming_appointments(ACTOR, WIRE, CLIENT_ID, UPCOMING, shape)
    assert rpc.count("scheduling.list_client_appointments") == 4


def test_appointment_lists_are_bounded():
    from gateway.readmodels import APPOINTMENT_VARIANTS
    rm, rpc, _ = appointment_models(listing(appt()), appointment_clients=2)
    for client_id in ("c1", "c2", "c3"):
        rm.upcoming_appointments(ACTOR, WIRE, client_id, UPCOMING, shape)
    assert len(rm.appointments) == 2 and rm.appointments.get("c1") is None
    for limit in range(1, APPOINTMENT_VARIANTS + 3):
        rm.upcoming_appointments(ACTOR, WIRE, "c3", {"when": "upcoming", "limit": limit}, shape)
    assert len(rm.appointments.get("c3")) == APPOINTMENT_VARIANTS
