"""A warehouse server with an idle-in-transaction timeout (a common guard against forgotten
sessions) still takes an import whose transaction waits on Freshdesk between its writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from freshdesk_provider.hooks.rate_limit import RateLimiter
from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskToPostgresOperator
from freshdesk_provider.warehouse.migrations import migrate


def test_a_slice_outlasts_the_servers_idle_in_transaction_timeout(
    warehouse_conn_env: str, make_simulator: Callable[..., Any], freshdesk_conn_env: Callable[..., None]
) -> None:
    RateLimiter.reset_registry()
    database = conninfo_to_dict(warehouse_conn_env)["dbname"]
    with psycopg.connect(warehouse_conn_env, autocommit=True) as conn:
        migrate(conn)
        conn.execute(f'ALTER DATABASE "{database}" SET idle_in_transaction_session_timeout = 300')
    # 300 tickets in one batch: the transaction is open, and idle, while their conversations are read.
    sim = make_simulator(seed=3, tickets=300, days=10, latency_ms=40, conversations_mean=1.0)
    freshdesk_conn_env(sim, max_concurrency=2)
    summary = FreshdeskToPostgresOperator(task_id="extract", window_start="2000-01-01").execute(
        context={"run_id": "idle-timeout"}
    )
    loaded = sum(summary[stream]["tickets"] for stream in ("tickets", "tickets_deleted", "tickets_spam"))
    assert summary["tickets"]["tickets"] > 200
    assert sim.stats()["requests"] > 200  # several seconds of waiting on Freshdesk, 0.3 s allowed
    with psycopg.connect(warehouse_conn_env) as conn:
        assert conn.execute("SELECT count(*) FROM freshdesk_raw.tickets").fetchone()[0] == loaded
