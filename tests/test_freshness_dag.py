"""Issue #7.3 end to end: the incremental DAG (dag.test) while Freshdesk answers only errors.
The sync fails, check_freshness still runs and fails with the stale message, the run fails."""

from __future__ import annotations

from types import SimpleNamespace

import psycopg
import pytest
from e2e_support import run_dag, task_states

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("airflow_db")]


def test_incremental_dag_flags_a_stopped_data_flow(
    make_simulator, freshdesk_conn_env, warehouse_conn_env, monkeypatch
) -> None:
    sim = make_simulator(seed=51, tickets=150, days=4)
    freshdesk_conn_env(sim)
    monkeypatch.setenv("FRESHDESK_RETRIES", "0")
    monkeypatch.setenv("FRESHDESK_FRESHNESS_MAX_LAG_MINUTES", "60")
    first = run_dag("freshdesk_incremental")
    states = task_states(first)
    assert str(first.state) == "success", states
    assert states["check_freshness"] == "success"
    assert states["sync_time_entries"] == states["refresh_planning_measures"] == "success"

    with psycopg.connect(warehouse_conn_env) as conn:  # two hours pass without a sync ...
        conn.execute(
            "UPDATE freshdesk_raw.sync_runs SET started_at = started_at - interval '2 hours', "
            "finished_at = finished_at - interval '2 hours'"
        )
    freshdesk_conn_env(SimpleNamespace(url=sim.url, api_key="revoked-key"))  # ... and Freshdesk refuses us
    second = run_dag("freshdesk_incremental")
    states = task_states(second)
    assert str(second.state) == "failed", states
    assert states["sync_changes"] == "failed"
    assert states["check_freshness"] == "failed", "the check must run, and fail, when the sync fails"
