"""Helpers for end-to-end tests: run a DAG in-process, read the warehouse, and work out what an
importer could know of a simulated account at each import.

The expected counts come from the simulator's ground truth through ``contact_truth`` (an
independent implementation of the contract's rules), never from the product's SQL.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
from contact_truth import expected_volumes

DAGS_FOLDER = Path(__file__).resolve().parent.parent / "dags"

VolumeRows = dict[tuple[datetime, str], tuple[Any, ...]]


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def start_days_ago(days: int) -> datetime:
    """Midnight UTC ``days`` days ago: the start of a test's backfill window."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return (now - timedelta(days=days)).replace(hour=0, minute=0, second=0)


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> Any:
    """Parse the DAG file afresh (so environment settings apply) and run it with dag.test()."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER / f"{dag_id}.py"))
    assert bag.import_errors == {}, bag.import_errors
    dag = bag.get_dag(dag_id)
    return dag.test(run_conf=conf or {})


def _task_key(ti: Any) -> str:
    return f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id


def task_states(dag_run: Any) -> dict[str, str]:
    return {_task_key(ti): str(ti.state) for ti in dag_run.get_task_instances()}


def task_tries(dag_run: Any) -> dict[str, int]:
    """How many times each task ran (1: never retried)."""
    return {_task_key(ti): ti.try_number for ti in dag_run.get_task_instances()}


def warehouse_volumes(dsn: str) -> VolumeRows:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, contacts "
            "FROM freshdesk.queue_interval_volume"
        ).fetchall()
    return {(r[0].astimezone(timezone.utc), r[1]): (r[2], r[3], r[4], r[5], r[6]) for r in rows}


def warehouse_snapshot(dsn: str) -> dict[str, list[tuple]]:
    """Every row of the tables a failed run must leave untouched."""
    tables = [
        "freshdesk_raw.tickets",
        "freshdesk_raw.conversations",
        "freshdesk_raw.groups",
        "freshdesk.contacts",
        "freshdesk.queue_interval_volume",
    ]
    with psycopg.connect(dsn) as conn:
        snapshot = {}
        for table in tables:
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema || '.' || table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
            # loaded_at differs between identical loads by design; it is not part of the data
            keep = ", ".join(c for c in cols if c != "loaded_at")
            snapshot[table] = sorted(map(repr, conn.execute(f"SELECT {keep} FROM {table}").fetchall()))
        snapshot["watermarks"] = sorted(
            map(repr, conn.execute("SELECT stream, watermark FROM freshdesk_raw.sync_watermarks").fetchall())
        )
    return snapshot


class ImporterView:
    """What the importer can know of the account.

    A deleted ticket's conversations answer 403, so only those read before the deletion are
    known (and then count in the Unknown queues). An archived ticket leaves the ticket list,
    so the warehouse keeps it as it was last seen.
    """

    def __init__(self) -> None:
        self.tickets: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, list[dict[str, Any]]] = {}

    def observe(self, account: Any, ticket_ids: Iterable[int]) -> None:
        for tid in ticket_ids:
            ticket = account.tickets[tid]
            self.tickets[tid] = copy.deepcopy(dict(ticket))
            if ticket.get("deleted"):
                self.conversations.setdefault(tid, [])
            else:
                self.conversations[tid] = copy.deepcopy(account.conversations.get(tid, []))

    def expected(self, account: Any, ticket_ids: Iterable[int] | None = None) -> VolumeRows:
        """Volumes of ``ticket_ids`` (default: every ticket imported so far) as last observed."""
        ids = list(self.tickets) if ticket_ids is None else list(ticket_ids)
        tickets = {tid: self.tickets.get(tid) or account.tickets[tid] for tid in ids}
        convs = {tid: self.conversations.get(tid, account.conversations.get(tid, [])) for tid in ids}
        raw = expected_volumes(account.groups, tickets, convs)
        return {
            key: (group, source, kind, "Cases", count) for key, (group, source, kind, count) in raw.items()
        }


def tickets_updated_since(account: Any, since: datetime) -> list[int]:
    """Tickets a backfill from ``since`` reads: every list (normal, deleted, spam), archived excluded."""
    return [
        tid
        for tid, t in account.tickets.items()
        if parse_ts(t["updated_at"]) >= since and not account.is_archived(tid)
    ]


def in_range(rows: VolumeRows, start: datetime, end: datetime | None = None) -> VolumeRows:
    return {k: v for k, v in rows.items() if k[0] >= start and (end is None or k[0] < end)}


def diff(actual: VolumeRows, expected: VolumeRows, limit: int = 10) -> str:
    """A readable account of where two volume tables differ (empty when equal)."""
    lines = []
    for key in sorted(set(actual) | set(expected)):
        if actual.get(key) != expected.get(key):
            lines.append(f"{key[0].isoformat()} {key[1]!r}: warehouse {actual.get(key)} expected {expected.get(key)}")
    head = lines[:limit]
    if len(lines) > limit:
        head.append(f"... and {len(lines) - limit} more")
    return "\n".join(head)


def assert_volumes_match(dsn: str, sim: Any, view: ImporterView, start: datetime) -> None:
    """The warehouse's volumes against contact_truth's, for what the importer could see."""
    account = sim.account
    view.observe(account, tickets_updated_since(account, start))
    actual = warehouse_volumes(dsn)
    expected = view.expected(account)
    # Everything the warehouse holds follows the rules for the tickets it imported ...
    assert actual == expected, diff(actual, expected)
    # ... and in the backfilled range that is every contact of the account.
    readable = [t for t in account.tickets if t in view.tickets or not account.is_archived(t)]
    all_tickets = view.expected(account, readable)
    assert in_range(actual, start) == in_range(all_tickets, start), diff(
        in_range(actual, start), in_range(all_tickets, start)
    )
