"""Re-running a backfill reads every conversation afresh: it repairs what the hourly sync cannot
see, such as a reply deleted in Freshdesk without moving its ticket's updated_at."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg

from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskToPostgresOperator
from freshdesk_provider.operators.warehouse import (
    FreshdeskGroupsToPostgresOperator,
    FreshdeskRefreshQueueVolumesOperator,
    FreshdeskWarehouseMigrateOperator,
)

CONTEXT = {"run_id": "rerun-test"}


def _backfill(start: datetime) -> None:
    FreshdeskWarehouseMigrateOperator(task_id="migrate").execute(CONTEXT)
    FreshdeskGroupsToPostgresOperator(task_id="groups").execute(CONTEXT)
    FreshdeskToPostgresOperator(task_id="extract", window_start=start).execute(CONTEXT)
    FreshdeskRefreshQueueVolumesOperator(task_id="refresh").execute(CONTEXT)


def _counted(dsn: str, conversation_id: int) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT 1 FROM freshdesk.contacts WHERE conversation_id = %s", (conversation_id,)).fetchone()
    return row is not None


def test_a_rerun_backfill_drops_a_reply_deleted_without_a_new_updated_at(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=61, tickets=300, days=8)
    freshdesk_conn_env(sim)
    start = datetime.now(timezone.utc) - timedelta(days=9)
    _backfill(start)
    account = sim.account
    ticket_id, reply = next(
        (tid, c)
        for tid, convs in account.conversations.items()
        for c in convs
        if not account.tickets[tid].get("deleted")
        and not account.tickets[tid].get("spam")
        and c["incoming"] is True
        and c["private"] is False
        and c["source"] != 2
    )
    assert _counted(warehouse_conn_env, reply["id"])
    before = account.tickets[ticket_id]["updated_at"]
    account.remove_conversation(reply["id"], ticket_id, bump=False)
    assert account.tickets[ticket_id]["updated_at"] == before

    _backfill(start)
    assert not _counted(warehouse_conn_env, reply["id"])
