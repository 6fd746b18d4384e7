"""Availability as plain functions: examples, clock-change nights in several zones, and
properties checked by hypothesis over random schedules, appointments and blocks."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scheduling.domain import availability as av
from services.scheduling.domain.setup import combine

UTC = timezone.utc
NY = "America/New_York"
OFFICE = av.Place("office", "office", NY)
PLACES = {"office": OFFICE}
MONDAY = date(2030, 3, 4)
NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)
RULES = av.Rules(slot_step_minutes=15, buffer_minutes=0, min_notice_minutes=0,
                 horizon_days=60)


def period(weekday=0, starts="09:00", ends="12:00", clinician="maya", place="office",
           since=date(2030, 1, 1), until=None):
    return av.Period(clinician, weekday, starts, ends, place, since, until)


def local(day, hhmm, zone=NY):
    return combine(day, hhmm, zone).astimezone(UTC)


def test_starts_every_step_while_the_service_fits():
    slots = av.offered(50, RULES, [period()], PLACES, [], {}, NOW, MONDAY, MONDAY)
    starts = [s.starts_at for s in slots]
    assert starts[0] == local(MONDAY, "09:00")
    assert starts[-1] == local(MONDAY, "11:00")          # 11:15 + 50 min > 12:00
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:]))
    assert all(s.time_zone == NY and s.clinician_id == "maya" for s in slots)


def test_several_periods_a_day_and_the_effective_range():
    periods = [period(starts="09:00", ends="10:00"), period(starts="13:00", ends="14:00"),
               period(starts="18:00", ends="19:00", until=MONDAY - timedelta(days=1))]
    slots = av.offered(60, RULES, periods, PLACES, [], {}, NOW, MONDAY, MONDAY)
    assert [s.starts_at for s in slots] == [local(MONDAY, "09:00"), local(MONDAY, "13:00")]


def test_appointments_buffers_blocks_notice_and_horizon_are_respected():
    booked = {"maya": [(local(MONDAY, "10:00"), local(MONDAY, "10:50"))]}
    lunch = av.Blocked("maya", datetime(2030, 3, 4, 11, 0), datetime(2030, 3, 4, 11, 30), NY)
    rules = av.Rules(15, 10, 0, 60)
    slots = av.offered(30, rules, [period()], PLACES, [lunch], booked, NOW, MONDAY, MONDAY)
    starts = {s.starts_at for s in slots}
    assert local(MONDAY, "09:15") in starts              # ends 09:45, 15 min before 10:00
    assert local(MONDAY, "09:30") not in starts          # ends 10:00: inside the buffer
    assert local(MONDAY, "10:45") not in starts          # buffer after 10:50
    assert local(MONDAY, "11:00") not in starts          # lunch
    assert local(MONDAY, "11:30") in starts
    notice = av.Rules(15, 0, 60 * 24, 60)
    near = local(MONDAY, "10:07")
    assert min(s.starts_at for s in av.offered(
        30, notice, [period()], PLACES, [], {}, near - timedelta(days=1), MONDAY,
        MONDAY)) == local(MONDAY, "10:15")              # on the step after the notice
    far = av.Rules(15, 0, 0, 3)
    assert av.offered(30, far, [period()], PLACES, [], {}, NOW, MONDAY, MONDAY) == []


def test_a_vacation_hides_every_day_of_it_and_recurring_blocks_repeat():
    every_day = [period(weekday=d) for d in range(7)]
    vacation = av.Blocked("maya", datetime(2030, 3, 5, 0, 0), datetime(2030, 3, 9, 0, 0), NY)
    slots = av.offered(50, RULES, every_day, PLACES, [vacation], {}, NOW, MONDAY,
                       MONDAY + timedelta(days=6))
    days = {s.starts_at.astimezone(ZoneInfo(NY)).date() for s in slots}
    assert days == {MONDAY, date(2030, 3, 9), date(2030, 3, 10)}
    fortnightly = av.Blocked(None, datetime(2030, 3, 4, 9, 0), datetime(2030, 3, 4, 12, 0),
                             NY, "biweekly")
    mondays = av.offered(50, RULES, [period()], PLACES, [fortnightly], {}, NOW, MONDAY,
                         MONDAY + timedelta(days=27))
    assert {s.starts_at.astimezone(ZoneInfo(NY)).date() for s in mondays} == {
        date(2030, 3, 11), date(2030, 3, 25)}
    monthly = av.Blocked("maya", datetime(2030, 3, 4, 9, 0), datetime(2030, 3, 4, 12, 0),
                         NY, "monthly", repeat_until=date(2030, 4, 30))
    spans = av.block_intervals([monthly], local(MONDAY, "00:00"),
                               local(date(2030, 6, 30), "00:00"))
    assert [s.astimezone(ZoneInfo(NY)).date() for s, _, _ in spans] == [
        date(2030, 3, 4), date(2030, 4, 4)]


def test_a_weekly_block_stays_at_its_wall_clock_time_across_the_clock_change():
    lunch = av.Blocked("maya", datetime(2030, 3, 4, 12, 0), datetime(2030, 3, 4, 13, 0), NY,
                       "weekly")
    spans = av.block_intervals([lunch], local(MONDAY, "00:00"),
                               local(date(2030, 3, 12), "00:00"))
    assert [s.astimezone(ZoneInfo(NY)).hour for s, _, _ in spans] == [12, 12]
    assert spans[0][0].hour == 17 and spans[1][0].hour == 16     # EST, then EDT


def clock_change(zone, day, starts="00:00", ends="04:00"):
    place = {"p": av.Place("p", "office", zone)}
    per = [av.Period("c", day.weekday(), starts, ends, "p", date(2030, 1, 1))]
    rules = av.Rules(30, 0, 0, 400)
    return av.offered(30, rules, per, place, [], {}, datetime(2030, 1, 1, tzinfo=UTC),
                      day, day)


def test_clock_change_nights_neither_lose_nor_double_a_slot():
    # 00:00–04:00 wall clock: 3 real hours when the clocks spring forward, 5 when they
    # fall back; 30-minute slots every 30 minutes fill them exactly once
    for zone, spring, autumn in [(NY, date(2030, 3, 10), date(2030, 11, 3)),
                                 ("Europe/London", date(2030, 3, 31), date(2030, 10, 27)),
                                 ("Australia/Sydney", date(2030, 10, 6), date(2030, 4, 7))]:
        for day, hours in ((spring, 3), (autumn, 5)):
            slots = clock_change(zone, day)
            starts = [s.starts_at for s in slots]
            assert len(starts) == len(set(starts)) == hours * 2, (zone, day)
            assert all(b - a == timedelta(minutes=30) for a, b in zip(starts, starts[1:]))
    # a New York client and a Los Angeles one see one instant
    slot = clock_change(NY, date(2030, 11, 3))[3]
    assert slot.starts_at.astimezone(ZoneInfo("America/Los_Angeles")) == slot.starts_at


ZONES = st.sampled_from([NY, "Europe/London", "Australia/Sydney", "America/Los_Angeles",
                         "Asia/Kolkata", "UTC"])
CLOCK = st.integers(min_value=0, max_value=95).map(lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}")
# weeks holding a clock change somewhere, and plain ones
WEEKS = st.sampled_from([date(2030, 3, 8), date(2030, 3, 29), date(2030, 4, 5),
                         date(2030, 10, 4), date(2030, 10, 25), date(2030, 11, 1),
                         date(2030, 6, 14)])


@st.composite
def worlds(draw):
    zone = draw(ZONES)
    first = draw(WEEKS)
    clinicians = ["a", "b"]
    periods = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(CLOCK)
        length = draw(st.integers(1, 40)) * 15
        end_minutes = min(24 * 60, int(start[:2]) * 60 + int(start[3:]) + length)
        end = "24:00" if end_minutes == 1440 else f"{end_minutes // 60:02d}:{end_minutes % 60:02d}"
        periods.append(av.Period(draw(st.sampled_from(clinicians)), draw(st.integers(0, 6)),
                                 start, end, "p", first - timedelta(days=draw(st.integers(0, 3)))))
    base = datetime.combine(first, datetime.min.time(), UTC)
    instants = st.integers(0, 10 * 24 * 4).map(lambda q: base + timedelta(minutes=15 * q - 720))

    def spans(n):
        found = []
        for _ in range(n):
            start = draw(instants)
            found.append((start, start + timedelta(minutes=draw(st.integers(1, 16)) * 15)))
        return found
    booked = {c: spans(draw(st.integers(0, 5))) for c in clinicians}
    blocks = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        blocks.append(av.Blocked(draw(st.sampled_from(clinicians + [None])), start,
                                 start + timedelta(minutes=draw(st.integers(1, 48)) * 15),
                                 zone, draw(st.sampled_from(["none", "weekly", "monthly"]))))
    rules = av.Rules(draw(st.sampled_from([5, 10, 15, 30, 60])), draw(st.integers(0, 30)),
                     draw(st.integers(0, 3 * 24 * 60)), draw(st.integers(1, 10)))
    now = draw(instants)
    return dict(zone=zone, first=first, last=first + timedelta(days=draw(st.integers(0, 7))),
                periods=periods, booked=booked, blocks=blocks, rules=rules, now=now,
                minutes=draw(st.sampled_from([15, 30, 45, 50, 60, 90])))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_offered_slot_breaks_a_rule(world):
    places = {"p": av.Place("p", "office", world["zone"])}
    rules, now = world["rules"], world["now"]
    slots = av.offered(world["minutes"], rules, world["periods"], places, world["blocks"],
                       world["booked"], now, world["first"], world["last"])
    intervals = av.work_intervals(world["periods"], places, world["first"], world["last"])
    window_start = min((s for s, _, _ in intervals), default=now) - timedelta(days=40)
    window_end = max((e for _, e, _ in intervals), default=now) + timedelta(days=40)
    blocked = av.block_intervals(world["blocks"], window_start, window_end)
    pad = timedelta(minutes=rules.buffer_minutes)
    earliest, latest = rules.window(now)
    seen = set()
    for slot in slots:
        assert slot.ends_at - slot.starts_at == timedelta(minutes=world["minutes"])
        assert earliest <= slot.starts_at <= latest
        assert (slot.starts_at, slot.clinician_id) not in seen           # never doubled
        seen.add((slot.starts_at, slot.clinician_id))
        for start, end in world["booked"][slot.clinician_id]:
            assert not av.overlaps_interval(slot.starts_at, slot.ends_at, start - pad, end + pad)
        for start, end, who in blocked:
            if who in (None, slot.clinician_id):
                assert not av.overlaps_interval(slot.starts_at, slot.ends_at, start, end)
        holders = [(s, e) for s, e, p in intervals if p.clinician_id == slot.clinician_id
                   and s <= slot.starts_at and slot.ends_at <= e]
        assert holders, "outside every work period"
        step = timedelta(minutes=rules.slot_step_minutes)
        assert any((slot.starts_at - s) % step == timedelta(0) for s, _ in holders)
        assert slot.starts_at.astimezone(ZoneInfo(world["zone"])).date() >= \
            world["first"] - timedelta(days=1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.integers(1, 40))
def test_a_limit_answers_the_earliest_slots_of_the_whole_answer(world, limit):
    """offered() stops early under a limit: it must answer what the whole answer begins with."""
    places = {"p": av.Place("p", "office", world["zone"])}
    args = (world["minutes"], world["rules"], world["periods"], places, world["blocks"],
            world["booked"], world["now"], world["first"], world["last"])
    assert av.offered(*args, limit=limit) == av.offered(*args)[:limit]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_every_free_start_on_the_step_is_offered(world):
    """The converse: nothing free is lost (checked with no appointments or blocks)."""
    places = {"p": av.Place("p", "office", world["zone"])}
    rules = av.Rules(world["rules"].slot_step_minutes, 0, 0, 400)
    now = datetime.combine(world["first"], datetime.min.time(), UTC) - timedelta(days=2)
    slots = av.offered(world["minutes"], rules, world["periods"], places, [], {}, now,
                       world["first"], world["last"])
    offered = {(s.starts_at, s.clinician_id) for s in slots}
    step = timedelta(minutes=rules.slot_step_minutes)
    duration = timedelta(minutes=world["minutes"])
    for start, end, p in av.work_intervals(world["periods"], places, world["first"],
                                           world["last"]):
        candidate = start
        while candidate + duration <= end:
            assert (candidate, p.clinician_id) in offered
            candidate += step
