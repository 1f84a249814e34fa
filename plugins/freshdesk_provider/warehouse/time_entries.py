"""Freshdesk time entries into ``freshdesk_raw.time_entries`` (upsert by id; nothing here commits)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from freshdesk_provider.warehouse.sql import load_sql

#: stream name of the time entries in sync_watermarks / sync_runs / freshdesk.sync_status
TIME_ENTRIES_STREAM = "time_entries"


def time_spent_seconds(value: str | None) -> int:
    """Freshdesk ``time_spent`` ``"hh:mm"`` (hours may exceed 99) in seconds; empty is 0."""
    if value is None or not str(value).strip():
        return 0
    hours, _, minutes = str(value).strip().partition(":")
    return int(hours) * 3600 + int(minutes or 0) * 60


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class TimeEntryLoad:
    entries: int = 0
    max_executed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "time_entries": self.entries,
            "max_executed_at": self.max_executed_at.isoformat() if self.max_executed_at else None,
        }


def load_time_entries(
    conn: psycopg.Connection[Any], entries: Iterable[dict[str, Any]], *, batch_size: int = 1000
) -> TimeEntryLoad:
    """Upsert ``entries`` (dicts as Freshdesk returns them) in the caller's transaction, and mark
    the Tickets cells they feed for ``refresh_planning_measures``."""
    stats = TimeEntryLoad()
    sql = load_sql("time_entries/upsert.sql")
    mark_cells = load_sql("time_entries/mark_planning_cells.sql")
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            with conn.cursor() as cur:
                tickets = sorted({row["ticket_id"] for row in batch})
                cur.execute(mark_cells, {"ticket_ids": tickets, "entry_ids": [row["id"] for row in batch]})
                cur.executemany(sql, batch)
            batch.clear()

    for entry in entries:
        batch.append(
            {
                "id": int(entry["id"]),
                "ticket_id": int(entry["ticket_id"]),
                "agent_id": entry.get("agent_id"),
                "time_spent_seconds": time_spent_seconds(entry.get("time_spent")),
                "executed_at": entry.get("executed_at"),
                "billable": entry.get("billable"),
                "timer_running": entry.get("timer_running"),
                "created_at": entry.get("created_at"),
                "updated_at": entry.get("updated_at"),
                "payload": Jsonb(entry),
            }
        )
        stats.entries += 1
        executed = _parse(entry.get("executed_at"))
        if executed is not None and (stats.max_executed_at is None or executed > stats.max_executed_at):
            stats.max_executed_at = executed
        if len(batch) >= batch_size:
            flush()
    flush()
    return stats


def claim_restored_tickets(conn: psycopg.Connection[Any]) -> list[int]:
    """The tickets taken off spam or restored whose time entries are to be read by ticket,
    removed from the list in the caller's transaction (a rollback puts them back)."""
    return sorted(row[0] for row in conn.execute(load_sql("time_entries/claim_restored_tickets.sql")))


def rebuild_planning_measures(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Rebuild ``freshdesk.queue_interval_handle_time`` and ``freshdesk.queue_interval_response_times``
    in full from the current contacts, time entries and ticket stats, in the caller's transaction.

    It takes an EXCLUSIVE lock so that two rebuilds never interleave, while BI keeps reading the
    old rows. The cells marked for recomputation are consumed first: the rebuild covers them.
    """
    return _rebuild(conn, _consume_marked_cells(conn))


def _consume_marked_cells(conn: psycopg.Connection[Any]) -> int:
    """Lock the planning tables and move the marked cells into this transaction's work table."""
    conn.execute(load_sql("planning/lock.sql"))
    conn.execute(load_sql("planning/create_work_cells.sql"))
    return conn.execute(load_sql("planning/consume_dirty_cells.sql")).rowcount


def _rebuild(conn: psycopg.Connection[Any], cells: int) -> dict[str, int]:
    conn.execute(load_sql("planning/clear_handle_time.sql"))
    handle = conn.execute(load_sql("planning/rebuild_handle_time.sql")).rowcount
    conn.execute(load_sql("planning/clear_response_times.sql"))
    response = conn.execute(load_sql("planning/rebuild_response_times.sql")).rowcount
    return {"full_rebuild": 1, "cells": cells, "handle_time_rows": handle, "response_time_rows": response}


def refresh_planning_measures(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Compute the planning measures again in the cells marked since the last run (by the volume
    refresh and the time-entry load), in the caller's transaction: the cost follows what
    changed. Rebuilds in full when asked for (after ``rebuild_volumes``) or never built."""
    cells = _consume_marked_cells(conn)
    row = conn.execute(load_sql("planning/needs_full_rebuild.sql")).fetchone()
    if row and row[0]:
        return _rebuild(conn, cells)
    summary = {"full_rebuild": 0, "cells": cells, "handle_time_rows": 0, "response_time_rows": 0}
    if cells:
        conn.execute(load_sql("planning/analyze_work_cells.sql"))
        conn.execute(load_sql("planning/delete_cells_handle_time.sql"))
        summary["handle_time_rows"] = conn.execute(load_sql("planning/insert_cells_handle_time.sql")).rowcount
        conn.execute(load_sql("planning/delete_cells_response_times.sql"))
        summary["response_time_rows"] = conn.execute(load_sql("planning/insert_cells_response_times.sql")).rowcount
    return summary
