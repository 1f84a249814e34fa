"""Freshness and reconciliation checks over the warehouse (read only; nothing here writes).

- :func:`stale_streams`: streams without a successful import within ``max_lag``
  (read from ``freshdesk.sync_status``).
- :func:`compare_tickets`: what Freshdesk lists for a recent window against what the warehouse
  holds: every ticket Freshdesk lists must be in the warehouse at that version or newer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from freshdesk_provider.warehouse.sql import load_sql


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def stream_status(conn: psycopg.Connection[Any], streams: Sequence[str]) -> dict[str, dict[str, Any]]:
    cur = conn.execute(load_sql("monitoring/sync_status.sql"), {"streams": list(streams)})
    names = [d.name for d in cur.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def stale_streams(
    status: dict[str, dict[str, Any]], streams: Sequence[str], max_lag: timedelta, now: datetime
) -> list[str]:
    """One readable line per stream of ``streams`` that has no successful import within
    ``max_lag`` of ``now``, from ``status`` (:func:`stream_status`)."""
    problems = []
    for stream in streams:
        row = status.get(stream)
        if row is None or row["last_success_at"] is None:
            problems.append(f"{stream}: no successful sync recorded at all")
            continue
        age = now - row["last_success_at"]
        if age > max_lag:
            error = (
                f"; last error at {row['last_failure_at']:%Y-%m-%d %H:%M:%S}Z: {row['last_error']}"
                if (row["last_failure_at"] and row["last_error"])
                else ""
            )
            problems.append(
                f"{stream}: last successful sync {row['last_success_at']:%Y-%m-%d %H:%M:%S}Z is "
                f"{_human(age)} old (allowed {_human(max_lag)}){error}"
            )
    return problems


def failed_since_success(status: dict[str, dict[str, Any]]) -> list[str]:
    """One line per stream whose latest import failed after its last success (or never succeeded)."""
    lines = []
    for stream, row in sorted(status.items()):
        failed, succeeded = row["last_failure_at"], row["last_success_at"]
        if failed is not None and (succeeded is None or failed > succeeded):
            lines.append(f"{stream} at {failed:%Y-%m-%d %H:%M:%S}Z: {row['last_error']}")
    return lines


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


@dataclass
class TicketReconciliation:
    window_start: datetime
    window_end: datetime
    freshdesk_tickets: int = 0
    warehouse_matching: int = 0
    missing: list[int] = field(default_factory=list)
    outdated: list[int] = field(default_factory=list)

    @property
    def mismatches(self) -> int:
        return len(self.missing) + len(self.outdated)

    def message(self, limit: int = 20) -> str:
        parts = [
            f"Freshdesk lists {self.freshdesk_tickets} tickets updated in "
            f"[{self.window_start:%Y-%m-%d %H:%M:%S}Z, {self.window_end:%Y-%m-%d %H:%M:%S}Z); "
            f"the warehouse holds {self.warehouse_matching} of them at that version or newer"
        ]
        if self.missing:
            parts.append(f"{len(self.missing)} missing (ids {sorted(self.missing)[:limit]})")
        if self.outdated:
            parts.append(f"{len(self.outdated)} at an older version (ids {sorted(self.outdated)[:limit]})")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "freshdesk_tickets": self.freshdesk_tickets,
            "warehouse_matching": self.warehouse_matching,
            "missing": len(self.missing),
            "outdated": len(self.outdated),
        }


def compare_tickets(
    conn: psycopg.Connection[Any],
    freshdesk_tickets: Iterable[dict[str, Any]],
    window_start: datetime,
    window_end: datetime,
) -> TicketReconciliation:
    """Compare Freshdesk's (normal list) tickets updated in ``[window_start, window_end)`` with
    the warehouse. A ticket updated again after ``window_end`` is left out: the sync that ran
    before ``window_end`` could not have seen that version."""
    result = TicketReconciliation(window_start, window_end)
    listed: dict[int, datetime] = {}
    for ticket in freshdesk_tickets:
        updated = _ts(ticket["updated_at"])
        if window_start <= updated < window_end:
            listed[int(ticket["id"])] = updated
    result.freshdesk_tickets = len(listed)
    if not listed:
        return result
    held = {
        row[0]: row[1]
        for row in conn.execute(load_sql("monitoring/warehouse_ticket_versions.sql"), {"ids": list(listed)})
    }
    for tid, updated in listed.items():
        if tid not in held:
            result.missing.append(tid)
        elif held[tid] < updated:
            result.outdated.append(tid)
        else:
            result.warehouse_matching += 1
    return result
