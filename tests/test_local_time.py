"""The local-time volume functions against an independent walk along the clock (zoneinfo):
buckets of every length around the days when clocks change, in zones whose clocks change by an
hour or by 30 minutes, and in zones with quarter-hour offsets."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest
from warehouse_support import ticket, warehouse

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.refresh import refresh_volumes

#: two days of contacts around each of these UTC instants (clock changes of 2024)
CHANGES = [
    "2024-03-10 07:00",  # America/New_York, forward
    "2024-03-31 01:00",  # Europe/London, forward
    "2024-04-06 15:00",  # Australia/Lord_Howe, back 30 minutes
    "2024-10-05 15:30",  # Australia/Lord_Howe, forward 30 minutes
    "2024-10-27 01:00",  # Europe/London, back
    "2024-11-03 06:00",  # America/New_York, back
]
ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"]
BUCKETS = [15, 30, 45, 60, 90, 120, 180, 1440]
STEP = timedelta(minutes=15)
EPOCH = datetime(2000, 1, 1)


def _contacts_per_interval() -> dict[datetime, int]:
    """1 to 3 contacts in every 15-minute interval of a day either side of each clock change."""
    counts: dict[datetime, int] = {}
    for change in CHANGES:
        at = datetime.fromisoformat(change).replace(tzinfo=timezone.utc) - timedelta(days=1)
        for k in range(2 * 96):
            counts[at + k * STEP] = 1 + k % 3
    return counts


def expected_buckets(counts: dict[datetime, int], zone: str, minutes: int) -> Counter:
    """{(local start, first instant, offset then): contacts}, walking every 15-minute step.

    A bucket runs while the local time stays in one [start, start + length) window. When the
    clock goes back by the bucket's length or more, the same window begins anew (the repeated
    hour of a 25-hour day is two hourly buckets); a smaller step back within the window stays
    in the bucket, and a window left and entered again begins anew.
    """
    tz, length = ZoneInfo(zone), timedelta(minutes=minutes)
    expected: Counter = Counter()
    step, end = min(counts) - timedelta(days=2), max(counts)
    label = first = previous = None
    while step <= end:
        local = step.astimezone(tz).replace(tzinfo=None)
        window = local - (local - EPOCH) % length
        went_back = previous is not None and previous + STEP - local >= length
        if window != label or went_back:
            label, first = window, step
        if step in counts:
            expected[(label, first, first.astimezone(tz).utcoffset())] += counts[step]
        previous = local
        step += STEP
    return expected


@pytest.fixture
def clock_change_warehouse(warehouse_dsn: str) -> dict[datetime, int]:
    counts = _contacts_per_interval()
    tickets = []
    for at, n in sorted(counts.items()):
        for _ in range(n):
            created = (at + timedelta(minutes=len(tickets) % 15)).strftime("%Y-%m-%d %H:%M:%S")
            tickets.append(ticket(len(tickets) + 1, created))
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(t, []) for t in tickets])
        refresh_volumes(conn)
    return counts


@pytest.mark.parametrize("zone", ZONES)
def test_local_buckets_around_clock_changes_match_a_walk_along_the_clock(
    warehouse_dsn: str, clock_change_warehouse: dict[datetime, int], zone: str
) -> None:
    with warehouse(warehouse_dsn) as conn:
        for minutes in BUCKETS:
            rows = conn.execute(
                "SELECT local_interval_start, interval_start, utc_offset, contacts"
                " FROM freshdesk.queue_volume_local(%s, %s)",
                (zone, minutes),
            ).fetchall()
            actual = Counter({(local, start, offset): n for local, start, offset, n in rows})
            assert len(actual) == len(rows), f"{zone} {minutes} min: a bucket came back twice"
            expected = expected_buckets(clock_change_warehouse, zone, minutes)
            missing, unexpected = sorted(expected - actual)[:4], sorted(actual - expected)[:4]
            assert actual == expected, f"{zone} {minutes} min: missing {missing}, unexpected {unexpected}"
            daily = dict(
                conn.execute("SELECT local_date, contacts FROM freshdesk.queue_volume_local_daily(%s)", (zone,))
            )
            if minutes == 1440:
                assert daily == {local.date(): n for (local, _, _), n in expected.items()}


def test_a_london_day_of_clock_change_is_one_bucket_begun_at_local_midnight(
    warehouse_dsn: str, clock_change_warehouse: dict[datetime, int]
) -> None:
    with warehouse(warehouse_dsn) as conn:
        days = conn.execute(
            "SELECT local_interval_start::date::text, interval_start AT TIME ZONE 'UTC', utc_offset"
            " FROM freshdesk.queue_volume_local('Europe/London', 1440)"
            " WHERE local_interval_start::date IN ('2024-03-31', '2024-10-27') ORDER BY 1"
        ).fetchall()
    assert days == [
        ("2024-03-31", datetime(2024, 3, 31, 0, 0), timedelta(0)),
        ("2024-10-27", datetime(2024, 10, 26, 23, 0), timedelta(hours=1)),
    ]


@pytest.mark.parametrize(
    "call",
    [
        "SELECT * FROM freshdesk.queue_volume_local(NULL, 15)",
        "SELECT * FROM freshdesk.queue_volume_local('', 60)",
        "SELECT * FROM freshdesk.queue_volume_local('Europe/Londn', 15)",
        "SELECT * FROM freshdesk.queue_volume_local_daily(NULL)",
        "SELECT * FROM freshdesk.queue_volume_local_daily('Nowhere/City')",
    ],
)
def test_a_missing_or_unknown_zone_is_an_error_even_on_an_empty_warehouse(warehouse_dsn: str, call: str) -> None:
    with warehouse(warehouse_dsn) as conn, pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute(call)
