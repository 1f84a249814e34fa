"""Validate a backfill's parameters and cut its range into extraction slices.

Slices partition ``[start, end)`` on the ``updated_at`` axis. The last slice is open-ended
(it reads up to the present): a ticket created in the range but updated after ``end`` has
its current ``updated_at`` after ``end``, and must still be imported for its contacts in
the range to count. When ``end`` is in the past, that slice leaves out the tickets created at
or after ``end`` (``created_before``), which have no contact in the range; an ``end`` in the
future is the present.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pendulum
from airflow.sdk.exceptions import AirflowFailException

#: without ``slice_hours`` a range is cut into about this many slices (whole hours, >= 1 hour)
DEFAULT_SLICE_COUNT = 8
MAX_SLICES = 1000
_STARTS_WITH_A_YEAR = re.compile(r"\s*[+-]?\d{4}")


class BackfillParamsError(AirflowFailException, ValueError):
    """The backfill's parameters cannot be used; the message says which and why. The task fails
    without retries: the same params fail the same way until the run is triggered again."""


def parse_instant(name: str, value: Any) -> datetime:
    """A date (``2026-01-01``) or ISO datetime (naive = UTC) as an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed: Any = value
    elif isinstance(value, str) and value.strip():
        # pendulum reads a bare time ("10:00") as today at that time: a range needs its date.
        if not _STARTS_WITH_A_YEAR.match(value):
            raise BackfillParamsError(
                f"{name}={value!r} is not a date or ISO datetime: it has no date (e.g. 2026-01-01 or "
                "2026-01-01T06:00:00Z)"
            )
        try:
            parsed = pendulum.parse(value.strip())
        except Exception as exc:
            raise BackfillParamsError(
                f"{name}={value!r} is not a date or ISO datetime (e.g. 2026-01-01 or 2026-01-01T06:00:00Z)"
            ) from exc
    else:
        raise BackfillParamsError(f"{name} is required: a date or ISO datetime, e.g. 2026-01-01")
    if not isinstance(parsed, datetime):
        if not hasattr(parsed, "year") or not hasattr(parsed, "month") or not hasattr(parsed, "day"):
            raise BackfillParamsError(f"{name}={value!r} is a duration or time, not a date or datetime")
        parsed = datetime(parsed.year, parsed.month, parsed.day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(parsed.timestamp(), tz=timezone.utc)


def parse_optional_instant(name: str, value: Any) -> datetime | None:
    """As :func:`parse_instant`, but None, or a blank string (a form's cleared field), is no
    instant: None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_instant(name, value)


def plan_slices(
    start: Any,
    end: Any = None,
    slice_hours: Any = None,
    *,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Return the slices of a backfill as operator kwargs, oldest first.

    Raises :class:`BackfillParamsError` for an unparsable date, a future ``start``,
    ``end <= start`` or a non-positive ``slice_hours``, before any API call is made.
    """
    now = now or datetime.now(timezone.utc)
    start_at = parse_instant("start", start)
    # No end, or a blank one, is now (as documented).
    end_at = parse_optional_instant("end", end) or now
    # Nothing is updated in the future: reading "up to next month" is reading up to now.
    bounded = end_at < now
    end_at = min(end_at, now)
    if start_at >= now:
        raise BackfillParamsError(f"start {start_at.isoformat()} is in the future (now is {now.isoformat()})")
    if end_at <= start_at:
        raise BackfillParamsError(f"end {end_at.isoformat()} must be after start {start_at.isoformat()}")

    span_hours = (end_at - start_at).total_seconds() / 3600
    if slice_hours is None or (isinstance(slice_hours, str) and not slice_hours.strip()):
        hours = max(1, math.ceil(span_hours / DEFAULT_SLICE_COUNT))
    else:
        # "24" and "24.0" as well as 24: forms and CLIs send strings
        try:
            if isinstance(slice_hours, bool):
                raise TypeError("a boolean is not a number of hours")
            requested = float(slice_hours)
            hours = int(requested)
        except (TypeError, ValueError, OverflowError) as exc:
            raise BackfillParamsError(f"slice_hours={slice_hours!r} is not a whole number of hours") from exc
        if hours < 1 or hours != requested:
            raise BackfillParamsError(f"slice_hours={slice_hours!r} must be a whole number of hours >= 1")
    count = math.ceil(span_hours / hours)
    if count > MAX_SLICES:
        raise BackfillParamsError(
            f"slice_hours={hours} cuts the range into {count} slices; use at least "
            f"{math.ceil(span_hours / MAX_SLICES)} hours per slice"
        )

    step = timedelta(hours=hours)
    slices = []
    for i in range(count):
        lower = start_at + i * step
        last = i == count - 1
        slices.append(
            {
                "window_start": lower.isoformat(),
                "window_end": None if last else (lower + step).isoformat(),
                "created_before": end_at.isoformat() if last and bounded else None,
                "advance_watermark": last,
            }
        )
    return slices
