"""Both DAGs end to end (dag.test, in-process) against the simulator over real HTTP and a real
PostgreSQL, compared row by row with counts computed independently from the simulator's truth."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from e2e_support import (
    ImporterView,
    assert_volumes_match,
    diff,
    in_range,
    parse_ts,
    run_dag,
    start_days_ago,
    task_states,
    task_tries,
    tickets_updated_since,
    warehouse_snapshot,
    warehouse_volumes,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("airflow_db")]


def _assert_state(dag_run, expected: str = "success") -> None:
    assert str(dag_run.state) == expected, task_states(dag_run)


def test_backfill_past_the_page_cap_twice_then_incremental_after_mutations(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    # A page cap of 5 makes the walk restart many times over a few thousand tickets; the
    # real cap of 300 is exercised by the hook's own tests.
    sim = make_simulator(seed=11, tickets=3000, days=45, page_cap=5)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(30)
    view = ImporterView()

    first = run_dag("freshdesk_backfill", {"start": start.isoformat(), "slice_hours": 24 * 5})
    _assert_state(first)
    assert_volumes_match(dsn, sim, view, start)
    list_pages = sim.stats()["requests_by_kind"].get("tickets_list", 0)
    assert list_pages > 5, "the walk must have gone past the page cap"

    before = warehouse_snapshot(dsn)
    again = run_dag("freshdesk_backfill", {"start": start.isoformat(), "slice_hours": 24 * 5})
    _assert_state(again)
    assert warehouse_snapshot(dsn) == before, "re-running the same backfill changed the warehouse"

    summary = sim.account.random_mutations(120, seed=5)
    assert summary
    incremental = run_dag("freshdesk_incremental")
    _assert_state(incremental)
    assert_volumes_match(dsn, sim, view, start)


def test_incremental_catches_up_every_kind_of_change(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=3, tickets=800, days=20)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(10)
    view = ImporterView()
    _assert_state(run_dag("freshdesk_backfill", {"start": start.isoformat()}))
    assert_volumes_match(dsn, sim, view, start)

    account = sim.account
    recent = sorted(
        tid for tid in tickets_updated_since(account, start) if not account.tickets[tid].get("deleted")
    )
    groups = sorted(account.groups)
    new_ticket = account.add_ticket()
    account.add_conversation(new_ticket, kind="customer_email")
    account.add_conversation(recent[0], kind="customer_phone")
    account.add_conversation(recent[1], kind="agent_reply")
    account.move_to_group(recent[2], groups[-1])
    account.move_to_group(recent[3], None)
    account.delete_ticket(recent[4])
    account.mark_spam(recent[5])
    account.delete_ticket(recent[6])
    time.sleep(1.1)  # the restore must be a later second than the deletion, as in Freshdesk
    account.restore_ticket(recent[6])
    conversations = account.conversations.get(recent[7]) or []
    if conversations:
        account.remove_conversation(conversations[0]["id"])

    _assert_state(run_dag("freshdesk_incremental"))
    assert_volumes_match(dsn, sim, view, start)

    # a second incremental with nothing new changes nothing
    before = warehouse_snapshot(dsn)
    _assert_state(run_dag("freshdesk_incremental"))
    assert warehouse_snapshot(dsn)["freshdesk.queue_interval_volume"] == before["freshdesk.queue_interval_volume"]


def test_a_backfill_of_a_past_range_counts_it_whole_and_the_sync_goes_on_from_its_end(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=8, tickets=900, days=30)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    account = sim.account
    start, end = start_days_ago(24), start_days_ago(12)
    conf = {"start": start.isoformat(), "end": end.isoformat(), "slice_hours": 96}
    _assert_state(run_dag("freshdesk_backfill", conf))

    # Every contact in the range counts, as from a full import ...
    readable = [t for t in account.tickets if not account.is_archived(t)]
    everything = ImporterView()
    everything.observe(account, tickets_updated_since(account, start))
    actual = warehouse_volumes(dsn)
    assert in_range(actual, start, end) == in_range(everything.expected(account, readable), start, end)
    # ... of exactly the tickets the range needs: none created after it was read.
    imported = [t for t in tickets_updated_since(account, start) if parse_ts(account.tickets[t]["created_at"]) < end]
    view = ImporterView()
    view.observe(account, imported)
    assert actual == view.expected(account), diff(actual, view.expected(account))
    with psycopg.connect(dsn) as conn:
        stored = {r[0] for r in conn.execute("SELECT id FROM freshdesk_raw.tickets")}
        watermarks = dict(conn.execute("SELECT stream, watermark FROM freshdesk_raw.sync_watermarks").fetchall())
    assert stored == set(imported)
    assert watermarks["tickets"] == end  # everything updated before it is imported

    # The hourly sync imports the rest from there: the same as a backfill to now.
    _assert_state(run_dag("freshdesk_incremental"))
    assert_volumes_match(dsn, sim, view, start)


def test_faults_and_a_tight_rate_limit_lose_nothing(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=5, tickets=600, days=15, rate_limit=60, window_seconds=2.0, fault_rate=0.05)
    # the simulator's rate-limit window is compressed to 2 s; the hook is told so
    freshdesk_conn_env(sim, rate_limit_window_seconds=2.0)
    dsn = warehouse_conn_env
    start = start_days_ago(10)
    view = ImporterView()
    dag_run = run_dag("freshdesk_backfill", {"start": start.isoformat(), "slice_hours": 24 * 3})
    _assert_state(dag_run)
    stats = sim.stats()
    assert stats["faults_injected"] > 0
    assert stats["throttled_429"] <= 0.01 * stats["requests"], stats
    assert_volumes_match(dsn, sim, view, start)
    # retries inside the hook absorbed every fault: no task needed an Airflow retry
    assert all(ti.try_number <= 1 for ti in dag_run.get_task_instances()), task_states(dag_run)


def test_a_warehouse_that_breaks_mid_run_is_left_as_it_was_and_a_rerun_finishes(
    make_simulator, freshdesk_conn_env, warehouse_conn_env, monkeypatch
) -> None:
    sim = make_simulator(seed=8, tickets=500, days=15)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(10)
    view = ImporterView()
    _assert_state(run_dag("freshdesk_backfill", {"start": start.isoformat()}))
    assert_volumes_match(dsn, sim, view, start)
    sim.account.random_mutations(80, seed=9)
    before = warehouse_snapshot(dsn)

    # Slow Freshdesk down so the sync is mid-way when the warehouse connection is cut.
    sim.configure(latency_ms=20)
    monkeypatch.setenv("FRESHDESK_RETRIES", "0")
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    cut = threading.Event()

    def cut_the_warehouse() -> None:
        admin = psycopg.connect(dsn, autocommit=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not cut.is_set():
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND state = 'idle in transaction'",
                (dbname,),
            ).fetchall()
            if killed:
                cut.set()
            time.sleep(0.05)
        admin.close()

    cutter = threading.Thread(target=cut_the_warehouse, daemon=True)
    cutter.start()
    failed = run_dag("freshdesk_incremental")
    cutter.join()
    assert cut.is_set(), "the test never caught the sync inside its transaction"
    _assert_state(failed, "failed")
    assert warehouse_snapshot(dsn) == before

    sim.configure(latency_ms=0)
    monkeypatch.delenv("FRESHDESK_RETRIES")
    _assert_state(run_dag("freshdesk_incremental"))
    assert_volumes_match(dsn, sim, view, start)


def test_bad_params_fail_before_any_api_call(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=1, tickets=50, days=5)
    freshdesk_conn_env(sim)
    sim.reset_stats()
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    dag_run = run_dag("freshdesk_backfill", {"start": tomorrow})
    _assert_state(dag_run, "failed")
    assert task_states(dag_run)["plan_slices"] == "failed"
    # The same params would fail the same way: no retries (the DAG's default is 3).
    assert task_tries(dag_run)["plan_slices"] == 1
    assert sum(sim.stats()["requests_by_kind"].values()) == 0


def test_a_rejected_api_key_fails_each_task_once_and_writes_nothing(
    make_simulator, freshdesk_conn_env, warehouse_conn_env, monkeypatch
) -> None:
    sim = make_simulator(seed=3, tickets=60, days=5)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(3)
    _assert_state(run_dag("freshdesk_backfill", {"start": start.isoformat()}))
    before = warehouse_snapshot(dsn)
    connection = json.loads(os.environ["AIRFLOW_CONN_FRESHDESK_DEFAULT"])
    monkeypatch.setenv("AIRFLOW_CONN_FRESHDESK_DEFAULT", json.dumps({**connection, "password": "not-the-key"}))
    sim.reset_stats()

    dag_run = run_dag("freshdesk_backfill", {"start": start.isoformat()})

    _assert_state(dag_run, "failed")
    tries = task_tries(dag_run)
    callers = [task for task in tries if task.startswith(("extract_slice", "mirror_groups", "extract_time_entries"))]
    assert callers and all(task_states(dag_run)[task] == "failed" for task in callers), task_states(dag_run)
    # Every task that called Freshdesk was refused once and not retried.
    assert all(tries[task] == 1 for task in callers), tries
    stats = sim.stats()
    assert stats["requests"] == stats["requests_by_status"].get(401, 0) == len(callers)
    assert warehouse_snapshot(dsn) == before


def test_backfill_over_a_range_that_needs_more_than_300_pages(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    # 31,000 tickets updated in the range: more than Freshdesk's 300 pages of 100 in one list.
    sim = make_simulator(seed=31, tickets=31_000, days=20, conversations_mean=1.0)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(21)
    view = ImporterView()
    assert len(tickets_updated_since(sim.account, start)) > 30_000
    dag_run = run_dag("freshdesk_backfill", {"start": start.isoformat(), "slice_hours": 24 * 30})
    _assert_state(dag_run)
    assert sim.stats()["requests_by_kind"].get("tickets_list", 0) > 300
    assert_volumes_match(dsn, sim, view, start)
