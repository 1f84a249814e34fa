"""Issue #7.1: time entries imported incrementally from the simulator, and
freshdesk.queue_interval_handle_time equal to the simulator's truth, cell by cell."""

from __future__ import annotations

from datetime import timezone

import psycopg
import pytest
from contact_truth import is_unknown, parse_time
from planning_support import (
    CONTEXT,
    backfill,
    days_ago,
    expected_handle_time,
    imported_tickets,
    read_handle_time,
)

from freshdesk_provider.operators.time_entries import (
    FreshdeskRefreshPlanningMeasuresOperator,
    FreshdeskTimeEntriesToPostgresOperator,
)
from freshdesk_provider.warehouse.time_entries import time_spent_seconds


@pytest.mark.parametrize(
    ("value", "seconds"), [("00:00", 0), ("01:30", 5400), ("00:05", 300), ("123:07", 443220), ("", 0), (None, 0)]
)
def test_time_spent_is_hours_and_minutes(value, seconds) -> None:
    assert time_spent_seconds(value) == seconds


def test_handle_time_matches_the_account_before_and_after_new_entries(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=21, tickets=500, days=12)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = days_ago(20)
    account = sim.account
    backfill(start)

    tickets = imported_tickets(account, start)
    expected = expected_handle_time(account, tickets)
    actual = read_handle_time(dsn)
    assert actual == expected
    # the account exercises what matters: cells with and without logged time, an Unknown queue
    assert any(row[3] > 0 for row in actual.values())
    assert any(row[4] > 0 for row in actual.values())
    assert any(q.startswith("Unknown group/source") for _, q in actual)
    for row in actual.values():
        if row[3] == 0:
            assert row[7] is None, "a cell without time entries has no handle time, not zero"

    with psycopg.connect(dsn) as conn:
        # the Tickets contacts are exactly those of queue_interval_volume
        diff = conn.execute(
            "SELECT count(*) FROM freshdesk.queue_interval_volume v FULL JOIN freshdesk.queue_interval_handle_time h "
            "USING (interval_start, queue_name) WHERE v.queue_kind IS DISTINCT FROM 'Replies' "
            "AND v.contacts IS DISTINCT FROM h.contacts"
        ).fetchone()[0]
        assert diff == 0
        watermark = conn.execute(
            "SELECT watermark FROM freshdesk_raw.sync_watermarks WHERE stream = 'time_entries'"
        ).fetchone()[0]

    # New work is logged on a ticket that had none and on one that had some: the hourly read
    # (from the watermark minus the overlap) picks both up.
    listed = {e["ticket_id"] for e in account.time_entries}
    open_tickets = [t for t in sorted(tickets) if not tickets[t].get("deleted") and not tickets[t].get("spam")]
    without = next(t for t in open_tickets if t not in listed)
    with_some = next(t for t in open_tickets if t in listed)
    account.add_time_entry(without, minutes=45)
    account.add_time_entry(with_some, minutes=90)

    summary = FreshdeskTimeEntriesToPostgresOperator(task_id="time_entries").execute(CONTEXT)
    assert summary["time_entries"] >= 2
    FreshdeskRefreshPlanningMeasuresOperator(task_id="planning").execute(CONTEXT)
    # adding a time entry bumps the ticket's updated_at; its queue does not change
    assert read_handle_time(dsn) == expected_handle_time(account, tickets)
    with psycopg.connect(dsn) as conn:
        moved = conn.execute(
            "SELECT watermark FROM freshdesk_raw.sync_watermarks WHERE stream = 'time_entries'"
        ).fetchone()[0]
        status = conn.execute(
            "SELECT last_success_rows_loaded FROM freshdesk.sync_status WHERE stream = 'time_entries'"
        ).fetchone()
    assert moved.astimezone(timezone.utc) > watermark.astimezone(timezone.utc)
    assert status[0] == summary["time_entries"]


def test_tables_are_documented(warehouse_dsn, warehouse_conn_env) -> None:
    from freshdesk_provider.operators.warehouse import FreshdeskWarehouseMigrateOperator

    FreshdeskWarehouseMigrateOperator(task_id="migrate").execute(CONTEXT)
    with psycopg.connect(warehouse_dsn) as conn:
        for table in (
            "freshdesk_raw.time_entries",
            "freshdesk.queue_interval_handle_time",
            "freshdesk.queue_interval_response_times",
        ):
            assert conn.execute("SELECT obj_description(%s::regclass)", (table,)).fetchone()[0], table
            undocumented = conn.execute(
                "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 "
                "AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL",
                (table,),
            ).fetchall()
            assert undocumented == [], (table, undocumented)


def test_an_account_without_time_tracking_imports_no_entries_and_does_not_fail(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=23, tickets=200, days=5, time_tracking=False)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    backfill(days_ago(6))  # the time-entry task reads the range too
    summary = FreshdeskTimeEntriesToPostgresOperator(task_id="time_entries").execute(CONTEXT)
    assert summary["time_entries"] == 0
    assert sim.stats()["requests_by_kind_status"]["time_entries"].get(403, 0) >= 1
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM freshdesk_raw.time_entries").fetchone()[0] == 0
        status = conn.execute(
            "SELECT last_success_at IS NOT NULL FROM freshdesk.sync_status WHERE stream = 'time_entries'"
        ).fetchone()
    assert status and status[0], "a successful run is recorded, so the freshness check stays quiet"


def test_a_ticket_taken_off_spam_or_restored_gets_its_older_time_entries_back(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    """Freshdesk's time-entry list leaves out spam and deleted tickets, and the hourly read goes
    by executed_at: without reading them by ticket, their entries never came back (a probe)."""
    from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskIncrementalSyncOperator
    from freshdesk_provider.operators.warehouse import FreshdeskRefreshQueueVolumesOperator

    sim = make_simulator(seed=21, tickets=500, days=12)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    account = sim.account
    start = days_ago(13)
    # two tickets with time entries logged days ago (the hourly read's overlap is 48 hours)
    early = [e for e in account.time_entries if parse_time(e["executed_at"]) < days_ago(3)]
    live = sorted({e["ticket_id"] for e in early} - {t for t, v in account.tickets.items() if is_unknown(v)})
    spam, deleted = live[0], live[1]
    account.mark_spam(spam)
    account.delete_ticket(deleted)
    backfill(start)
    with psycopg.connect(dsn) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM freshdesk_raw.time_entries WHERE ticket_id = ANY(%s)", ([spam, deleted],)
        ).fetchone()[0]
    assert stored == 0  # Freshdesk did not list them

    account.unmark_spam(spam)
    account.restore_ticket(deleted)
    FreshdeskIncrementalSyncOperator(task_id="sync").execute(CONTEXT)
    FreshdeskRefreshQueueVolumesOperator(task_id="refresh").execute(CONTEXT)
    before = sim.stats()["requests_by_kind"].get("ticket_time_entries", 0)
    summary = FreshdeskTimeEntriesToPostgresOperator(task_id="time_entries").execute(CONTEXT)
    FreshdeskRefreshPlanningMeasuresOperator(task_id="planning").execute(CONTEXT)

    truth = [e for e in account.time_entries if e["ticket_id"] in (spam, deleted)]
    assert summary["restored_tickets"] == 2 and summary["restored_entries"] == len(truth) > 0
    assert sim.stats()["requests_by_kind"]["ticket_time_entries"] - before == 2
    assert read_handle_time(dsn) == expected_handle_time(account, imported_tickets(account, start))
    # read once: the next run finds nothing left to read by ticket
    again = FreshdeskTimeEntriesToPostgresOperator(task_id="time_entries").execute(CONTEXT)
    assert again["restored_tickets"] == 0
