"""Issue #9, small and counted (no clocks): the import spends no more API credits than the data
needs. The full benchmark with times is `make bench` (bench/run.py, results in BENCHMARKS.md).

Minimum credits for a set of tickets: per list walk (normal, deleted, spam) max(1, ceil(n/100))
list calls; plus one call per conversation page of every listed ticket whose conversations can
be read (deleted tickets answer 403: no data, so no credit is needed). Archived tickets are in
no list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest

from freshdesk_provider.hooks.rate_limit import RateLimiter
from freshdesk_provider.ingest import REUSE_AFTER_READ_LAG
from freshdesk_provider.operators.freshdesk_to_postgres import (
    FreshdeskIncrementalSyncOperator,
    FreshdeskToPostgresOperator,
)
from freshdesk_provider.warehouse.migrations import migrate

SIM = {"seed": 21, "days": 120, "deleted_fraction": 0.04, "spam_fraction": 0.04, "archived_fraction": 0.05}


def pages(n: int) -> int:
    return max(1, math.ceil(n / 100))


def minimum_credits(sim: Any, ticket_ids: Iterable[int] | None = None) -> int:
    tickets = sim.account.tickets
    conversations = sim.account.conversations
    ids = list(tickets) if ticket_ids is None else [i for i in set(ticket_ids) if i in tickets]
    walks = {"normal": 0, "deleted": 0, "spam": 0}
    conversation_pages = 0
    for ticket_id in ids:
        t = tickets[ticket_id]
        if t["deleted"]:
            walks["deleted"] += 1
        elif t.get("spam"):
            walks["spam"] += 1
            conversation_pages += pages(len(conversations[ticket_id]))
        elif not t["archived"]:
            walks["normal"] += 1
            conversation_pages += pages(len(conversations[ticket_id]))
    return sum(pages(n) for n in walks.values()) + conversation_pages


@pytest.fixture
def warehouse(warehouse_conn_env: str) -> str:
    with psycopg.connect(warehouse_conn_env, autocommit=True) as conn:
        migrate(conn)
    return warehouse_conn_env


def test_backfill_and_hourly_sync_spend_the_minimum_credits(
    warehouse: str, make_simulator: Callable[..., Any], freshdesk_conn_env: Callable[..., None]
) -> None:
    RateLimiter.reset_registry()
    # The account's clock runs behind the warehouse's by more than REUSE_AFTER_READ_LAG, as an
    # hour between syncs would: the idle sync below may then keep the conversations it stored.
    behind = REUSE_AFTER_READ_LAG + timedelta(minutes=5)
    sim = make_simulator(tickets=2500, now=(datetime.now(timezone.utc) - behind).replace(microsecond=0), **SIM)
    freshdesk_conn_env(sim)

    # Full backfill: every list page and every readable conversation page, nothing more.
    sim.reset_stats()
    FreshdeskToPostgresOperator(task_id="backfill", window_start="2000-01-01", advance_watermark=True).execute(
        context={"run_id": "perf"}
    )
    stats = sim.stats()
    minimum = minimum_credits(sim)
    assert stats["throttled_429"] == 0
    assert stats["credits_used"] / minimum <= 1.02, (stats["credits_used"], minimum, stats["requests_by_kind"])
    # Deleted tickets' conversations answer 403: one probe for the deleted list, then never asked.
    assert stats["requests_by_kind_status"]["conversations"].get(403, 0) == 1

    # Hourly sync after 300 changes: the changed tickets' pages, plus groups and the three lists.
    changed = sim.account.random_mutations(300, seed=5)
    changed_ids = set(changed["ticket_ids"]) | set(changed.get("new_ticket_ids", []))
    sim.reset_stats()
    FreshdeskIncrementalSyncOperator(task_id="sync").execute(context={"run_id": "perf-sync"})
    stats = sim.stats()
    minimum = minimum_credits(sim, changed_ids)
    assert stats["credits_used"] / minimum <= 1.05, (stats["credits_used"], minimum, stats["requests_by_kind"])

    # Nothing changed since: the overlap (10 minutes before the watermark, here the 300 changes)
    # is listed again, but the stored versions are current, so no conversation is read again
    # (but for the deleted list's one probe, which answers 403).
    sim.reset_stats()
    summary = FreshdeskIncrementalSyncOperator(task_id="sync").execute(context={"run_id": "perf-idle"})
    stats = sim.stats()
    # The run's summary (its XCom and freshdesk_raw.sync_runs) says why: reused, not unreadable.
    live = summary["tickets"]
    assert live["tickets"] > 0 and live["conversations"] == 0
    assert live["conversations_reused"] == live["tickets"], live
    assert live["unreadable_conversations"] == 0, live
    assert stats["requests_by_kind_status"].get("conversations", {}).get(200, 0) == 0, stats["requests_by_kind"]
    assert stats["requests_by_kind"].get("conversations", 0) <= 1, stats["requests_by_kind"]
    # The 300 changes share a few seconds; a second holding more than a page of them is paged by
    # offset and therefore read once more (FreshdeskHook.iter_tickets): at most its pages again.
    reread = pages(len(changed_ids)) + 1
    assert stats["credits_used"] <= 1 + 3 + pages(len(changed_ids)) + 1 + reread, stats["requests_by_kind"]
