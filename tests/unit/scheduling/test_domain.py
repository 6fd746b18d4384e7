"""scheduling's rules as plain functions: times, duration, overlap, cancellation."""
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import Conflict, InvalidInput
from services.scheduling.domain import appointments as domain

NINE = datetime(2030, 3, 4, 14, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize("text", ["2030-03-04T09:00:00-05:00", "2030-03-04T14:00:00Z",
                                  "2030-03-04T14:00:00+00:00", " 2030-03-04T14:00-05:00 "])
def test_a_start_time_with_an_offset_is_accepted(text):
    assert domain.starts_at_problem(text) is None


@pytest.mark.parametrize("text, words", [
    ("2030-03-04T09:00:00", "UTC offset"), ("next tuesday", "ISO-8601"),
    ("2030-02-30T09:00:00Z", "ISO-8601"), (930, "as text"),
    ("9999-12-31T23:00:00+00:00", "the year 9999"),
    ("0001-01-01T00:30:00+01:00", "the year 9999")])
def test_a_start_time_without_offset_or_unreadable_is_refused(text, words):
    assert words in domain.starts_at_problem(text)


def test_times_are_utc_and_end_after_the_duration():
    starts, ends = domain.times(domain.parse_starts_at("2030-03-04T09:00:00-05:00"), 50)
    assert starts == NINE and starts.tzinfo == timezone.utc
    assert ends - starts == timedelta(minutes=50)
    assert domain.duration_minutes(starts, ends) == 50


def test_a_start_in_the_past_is_refused_naming_the_field():
    domain.check_not_past(NINE, NINE)
    with pytest.raises(InvalidInput) as exc:
        domain.check_not_past(NINE - timedelta(seconds=1), NINE)
    assert "starts_at" in exc.value.fields


@pytest.mark.parametrize("other, busy", [
    ((NINE - HOUR, NINE), False),                          # ends as this one starts
    ((NINE + HOUR, NINE + 2 * HOUR), False),               # starts as this one ends
    ((NINE + HOUR / 2, NINE + 2 * HOUR), True),            # overlaps the end
    ((NINE - HOUR / 2, NINE + HOUR / 2), True),            # overlaps the start
    ((NINE + HOUR / 4, NINE + HOUR / 2), True),            # inside
    ((NINE - HOUR, NINE + 2 * HOUR), True),                # around
])
def test_overlap_is_half_open(other, busy):
    if busy:
        with pytest.raises(Conflict) as exc:
            domain.check_free(NINE, NINE + HOUR, [other])
        assert exc.value.code == "clinician_busy"
    else:
        domain.check_free(NINE, NINE + HOUR, [other])


def test_only_an_active_clinician_of_the_list_is_taken():
    staff = [{"id": "a", "name": "Maya", "status": "active"},
             {"id": "b", "name": "Old", "status": "suspended"}]
    assert domain.active_clinician(staff, "a")["name"] == "Maya"
    for missing in ("b", "c"):
        with pytest.raises(InvalidInput) as exc:
            domain.active_clinician(staff, missing)
        assert list(exc.value.fields) == ["clinician_id"]


def test_cancelling_says_already_cancelled_before_stale():
    domain.check_cancellable(domain.SCHEDULED, 1, 1)
    with pytest.raises(Conflict) as exc:
        domain.check_cancellable(domain.CANCELLED, 2, 1)
    assert exc.value.code == "already_cancelled"
    with pytest.raises(Conflict) as exc:
        domain.check_cancellable(domain.SCHEDULED, 2, 1)
    assert exc.value.code == "stale_version"
