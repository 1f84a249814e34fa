"""Shared by the issue #7 tests (handle time, response times, freshness, lineage): run the
product's operators directly (no scheduler) against a simulator over HTTP and a real
PostgreSQL, and the expected values computed from the simulator's truth with plain Python."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
from contact_truth import UNKNOWN_QUEUE_PREFIX, group_name, interval_start, is_unknown, parse_time, ticket_source_name

from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskToPostgresOperator
from freshdesk_provider.operators.time_entries import (
    FreshdeskRefreshPlanningMeasuresOperator,
    FreshdeskTimeEntriesToPostgresOperator,
)
from freshdesk_provider.operators.warehouse import (
    FreshdeskGroupsToPostgresOperator,
    FreshdeskRefreshQueueVolumesOperator,
    FreshdeskWarehouseMigrateOperator,
)

CONTEXT: dict[str, Any] = {"run_id": "test"}


def days_ago(days: int) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0)


def backfill(start: datetime, *, include_stats: bool = True) -> None:
    """What the backfill DAG does, operator by operator."""
    FreshdeskWarehouseMigrateOperator(task_id="migrate").execute(CONTEXT)
    FreshdeskGroupsToPostgresOperator(task_id="groups").execute(CONTEXT)
    FreshdeskToPostgresOperator(
        task_id="extract", window_start=start, advance_watermark=True, include_stats=include_stats
    ).execute(CONTEXT)
    FreshdeskRefreshQueueVolumesOperator(task_id="refresh").execute(CONTEXT)
    # executed_before as the backfill DAG renders a cleared `end` field: blank, no bound
    FreshdeskTimeEntriesToPostgresOperator(
        task_id="time_entries", executed_after=start, executed_before="  "
    ).execute(CONTEXT)
    FreshdeskRefreshPlanningMeasuresOperator(task_id="planning").execute(CONTEXT)


def ticket_queue(ticket: dict[str, Any], groups: dict[int, Any]) -> tuple[datetime, str, str | None, str | None]:
    """(interval, queue, group, source) of a ticket's Tickets contact, from CONTRACT.md's rules."""
    cell = interval_start(ticket["created_at"])
    if is_unknown(ticket):
        return cell, f"{UNKNOWN_QUEUE_PREFIX} Tickets", None, None
    group, source = group_name(ticket, groups), ticket_source_name(ticket.get("source"))
    return cell, f"{group} {source} Tickets", group, source


def imported_tickets(account: Any, since: datetime) -> dict[int, dict[str, Any]]:
    return {
        tid: account.tickets[tid]
        for tid in account.tickets
        if parse_time(account.tickets[tid]["updated_at"]) >= since and not account.is_archived(tid)
    }


def expected_handle_time(account: Any, tickets: dict[int, dict[str, Any]]) -> dict[tuple[datetime, str], tuple]:
    listed = [e for e in account.time_entries if not is_unknown(account.tickets[e["ticket_id"]])]
    seconds: dict[int, int] = defaultdict(int)
    entries: dict[int, int] = defaultdict(int)
    for e in listed:
        hours, minutes = e["time_spent"].split(":")
        seconds[e["ticket_id"]] += int(hours) * 3600 + int(minutes) * 60
        entries[e["ticket_id"]] += 1
    cells: dict[tuple[datetime, str], list] = {}
    for tid, ticket in tickets.items():
        cell, queue, group, source = ticket_queue(ticket, account.groups)
        row = cells.setdefault((cell, queue), [group, source, 0, 0, 0, 0, 0])
        row[2] += 1
        if entries.get(tid):
            row[3] += 1
            row[5] += entries[tid]
            row[6] += seconds[tid]
        else:
            row[4] += 1
    return {
        key: (*row, None if row[3] == 0 else round(row[6] / row[3], 1)) for key, row in cells.items()
    }


def read_handle_time(dsn: str) -> dict[tuple[datetime, str], tuple]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT interval_start, queue_name, group_name, source_name, contacts, contacts_with_time_entries, "
            "contacts_without_time_entries, time_entries, handle_seconds, handle_seconds_per_contact "
            "FROM freshdesk.queue_interval_handle_time"
        ).fetchall()
    return {
        (r[0].astimezone(timezone.utc), r[1]): (*r[2:9], None if r[9] is None else float(r[9])) for r in rows
    }


def percentile_cont(values: list[float], q: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
