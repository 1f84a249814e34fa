"""Watermarks per stream and bookkeeping of import runs (``freshdesk_raw.sync_watermarks``,
``freshdesk_raw.sync_runs``; summarised for dashboards by the view ``freshdesk.sync_status``).

Nothing here commits. Advance a watermark in the same transaction as the data it vouches for.
Record a run's start in a transaction of its own (committed before the work) so a failure has
a row to mark; record the failure after rolling the failed work back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import psycopg

from freshdesk_provider.warehouse.sql import load_sql


def get_watermark(conn: psycopg.Connection[Any], stream: str) -> datetime | None:
    """The stream's watermark (largest ``updated_at`` imported), or None before the first run."""
    row = conn.execute(load_sql("sync_state/get_watermark.sql"), {"stream": stream}).fetchone()
    return row[0] if row else None


def advance_watermark(
    conn: psycopg.Connection[Any],
    stream: str,
    value: datetime,
    *,
    run_id: str | None,
    rows_loaded: int | None,
) -> datetime:
    """Move the stream's watermark to ``value`` unless it is already there or later.

    Returns the watermark now in force (``value`` or the later one kept).
    """
    _require_aware(value, "watermark")
    conn.execute(
        load_sql("sync_state/advance_watermark.sql"),
        {"stream": stream, "watermark": value, "run_id": run_id, "rows_loaded": rows_loaded},
    )
    current = get_watermark(conn, stream)
    assert current is not None  # just upserted
    return current


def record_run_start(
    conn: psycopg.Connection[Any],
    *,
    dag_id: str,
    run_id: str,
    stream: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> int:
    """Record that a run of ``stream`` started; returns the run record's id for finish/failure."""
    for name, value in (("window_start", window_start), ("window_end", window_end)):
        if value is not None:
            _require_aware(value, name)
    row = conn.execute(
        load_sql("sync_state/record_run_start.sql"),
        {
            "dag_id": dag_id,
            "run_id": run_id,
            "stream": stream,
            "window_start": window_start,
            "window_end": window_end,
        },
    ).fetchone()
    assert row is not None
    return int(row[0])


def record_run_finish(
    conn: psycopg.Connection[Any],
    run_record_id: int,
    *,
    rows_loaded: int = 0,
    counts: Mapping[str, Any] | None = None,
) -> bool:
    """Mark the run successful with its counts; False when no such run record exists."""
    cur = conn.execute(
        load_sql("sync_state/record_run_finish.sql"),
        {
            "id": run_record_id,
            "rows_loaded": rows_loaded,
            "counts": json.dumps(dict(counts), default=str) if counts is not None else None,
        },
    )
    return cur.rowcount == 1


def record_run_failure(conn: psycopg.Connection[Any], run_record_id: int, error: BaseException | str) -> bool:
    """Mark the run failed with its error; False when no such run record exists (e.g. its start
    was rolled back with the failed work) — a failure handler should not fail on that."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    cur = conn.execute(load_sql("sync_state/record_run_failure.sql"), {"id": run_record_id, "error": message})
    return cur.rowcount == 1


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would be read in the session's TimeZone: refuse rather than guess.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
