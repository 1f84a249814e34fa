from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest

from freshdesk_provider.backfill_plan import BackfillParamsError, parse_instant, plan_slices

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=timezone.utc)


def _bounds(slices: list[dict]) -> list[tuple[datetime, datetime | None]]:
    return [
        (
            datetime.fromisoformat(s["window_start"]),
            datetime.fromisoformat(s["window_end"]) if s["window_end"] else None,
        )
        for s in slices
    ]


def test_slices_partition_the_range_and_the_last_one_reads_to_the_present() -> None:
    slices = plan_slices("2026-11-01", "2026-11-08", 24, now=NOW)
    bounds = _bounds(slices)
    assert len(bounds) == 7
    assert bounds[0][0] == datetime(2026, 11, 1, tzinfo=timezone.utc)
    for (_, upper), (lower, _) in pairwise(bounds):
        assert upper == lower
    assert bounds[-1] == (datetime(2026, 11, 7, tzinfo=timezone.utc), None)
    assert [s["advance_watermark"] for s in slices] == [False] * 6 + [True]


def test_a_past_end_keeps_the_last_slice_to_tickets_created_before_it() -> None:
    slices = plan_slices("2026-11-01", "2026-11-08", 24, now=NOW)
    assert [s["created_before"] for s in slices] == [None] * 6 + ["2026-11-08T00:00:00+00:00"]
    assert all(s["created_before"] is None for s in plan_slices("2026-11-01", None, 24, now=NOW))


def test_an_end_in_the_future_is_now() -> None:
    # (it once left the last slice starting in the future, and the watermark there)
    future = plan_slices("2026-11-20", "2027-01-01", None, now=NOW)
    assert future == plan_slices("2026-11-20", None, None, now=NOW)
    assert _bounds(future)[-1][0] < NOW


def test_end_defaults_to_now_and_slice_size_to_an_eighth_of_the_range() -> None:
    bounds = _bounds(plan_slices("2026-11-17T12:30:00Z", now=NOW))
    assert len(bounds) == 8
    assert bounds[1][0] - bounds[0][0] == timedelta(hours=24)


def test_a_range_shorter_than_a_slice_is_one_open_ended_slice() -> None:
    assert _bounds(plan_slices("2026-11-25T10:00:00Z", None, 48, now=NOW)) == [
        (datetime(2026, 11, 25, 10, tzinfo=timezone.utc), None)
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=timezone.utc)),
        ("2026-01-01T06:00:00Z", datetime(2026, 1, 1, 6, tzinfo=timezone.utc)),
        ("2026-01-01T06:00:00", datetime(2026, 1, 1, 6, tzinfo=timezone.utc)),
        ("2026-01-01T08:00:00+02:00", datetime(2026, 1, 1, 6, tzinfo=timezone.utc)),
    ],
)
def test_dates_and_datetimes_are_read_as_utc(value: str, expected: datetime) -> None:
    assert parse_instant("start", value) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": None}, "start is required"),
        ({"start": "last tuesday"}, "is not a date or ISO datetime"),
        ({"start": "2026-13-45"}, "is not a date or ISO datetime"),
        ({"start": "2026-12-01"}, "is in the future"),
        ({"start": "2026-11-10", "end": "2026-11-10"}, "must be after start"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "must be after start"),
        ({"start": "2026-11-10", "slice_hours": 0}, "whole number of hours >= 1"),
        ({"start": "2026-11-10", "slice_hours": 1.5}, "whole number of hours >= 1"),
        ({"start": "2026-11-10", "slice_hours": "many"}, "is not a whole number"),
        ({"start": "2020-01-01", "slice_hours": 1}, "use at least"),
        # pendulum alone reads a bare time as today at that time
        ({"start": "10:00:00.0"}, "it has no date"),
        ({"start": "2026-11-10", "end": "T10:00"}, "it has no date"),
        ({"start": "2026-11-10", "slice_hours": "1.5"}, "whole number of hours >= 1"),
        ({"start": "2026-11-10", "slice_hours": True}, "is not a whole number"),
    ],
)
def test_bad_params_get_a_clear_error(kwargs: dict, message: str) -> None:
    with pytest.raises(BackfillParamsError, match=message):
        plan_slices(**kwargs, now=NOW)


def test_slice_hours_as_text_and_a_blank_end_are_read_as_a_form_sends_them() -> None:
    as_number = plan_slices("2026-11-10", None, 24, now=NOW)
    assert plan_slices("2026-11-10", "", "24.0", now=NOW) == as_number
    assert plan_slices("2026-11-10", "   ", " 24 ", now=NOW) == as_number
    assert plan_slices("2026-11-10", "   ", 24.0, now=NOW) == as_number
    assert len(as_number) == 16  # 2026-11-10 00:00 to 11-25 12:30, 24 hours a slice
