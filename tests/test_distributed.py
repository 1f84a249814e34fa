"""Both DAGs on a real multi-process Airflow (api-server, scheduler, dag-processor, Celery
worker, triggerer; Redis broker; PostgreSQL metadata DB), driven only through the REST API
the UI uses, against the simulator over HTTP and a fresh warehouse database.

This is what `dag.test()` cannot show: the DAGs parse in the dag-processor, tasks are
serialized, queued through Redis into the `freshdesk_api` pool, run in Celery worker
processes that only know the connections from their environment, and report back through
the execution API. Expected counts come from the simulator's truth (tests/contact_truth.py).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from airflow_cluster import AirflowCluster, postgres_conn_json

pytestmark = [pytest.mark.distributed, pytest.mark.timeout(480)]


def _freshdesk_conn_json(sim: Any) -> str:
    import json

    return json.dumps({"conn_type": "freshdesk", "host": sim.url, "password": sim.api_key})


def _assert_matches(dsn: str, sim: Any, view: Any, start: datetime) -> dict[Any, Any]:
    from e2e_support import diff, in_range, tickets_updated_since, warehouse_volumes

    account = sim.account
    imported = tickets_updated_since(account, start)
    view.observe(account, imported)
    actual = warehouse_volumes(dsn)
    # Every contact of the account from `start` on, by the contract's rules.
    expected = in_range(view.expected(account, account.tickets), start)
    assert in_range(actual, start) == expected, diff(in_range(actual, start), expected)
    assert expected, "the comparison must not be vacuous"
    return expected


def test_backfill_then_incremental_on_a_celery_cluster_through_rest(make_simulator, warehouse_dsn) -> None:
    from e2e_support import ImporterView

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    sim = make_simulator(seed=23, tickets=3000, days=45)
    now = datetime.now(timezone.utc)
    # Aligned to an hour so that the first compared 15-minute interval lies wholly in range.
    start = (now - timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    view = ImporterView()

    cluster = AirflowCluster(
        extra_env={
            "AIRFLOW_CONN_FRESHDESK_DEFAULT": _freshdesk_conn_json(sim),
            "AIRFLOW_CONN_FRESHDESK_WAREHOUSE": postgres_conn_json(warehouse_dsn),
            "FRESHDESK_RETRY_DELAY_SECONDS": "1",
        },
        worker_concurrency=4,
        pool_slots=4,
    )
    with cluster:
        timings["cluster_start"] = cluster.startup_seconds
        client = cluster.client()
        for dag_id in ("freshdesk_backfill", "freshdesk_incremental"):
            client.wait_for_dag(dag_id)

        # As the UI does: unpause, then trigger with the form's conf.
        t = time.monotonic()
        client.unpause("freshdesk_backfill")
        run_id = client.trigger("freshdesk_backfill", {"start": start.isoformat(), "slice_hours": 24 * 7})
        client.wait_for_run("freshdesk_backfill", run_id, timeout=240)
        timings["backfill"] = time.monotonic() - t
        tis = client.task_instances("freshdesk_backfill", run_id)
        extract = [ti for ti in tis if ti["task_id"] == "extract_slice"]
        assert len(extract) >= 4, "30 days in 7-day slices must fan out"
        assert {ti["pool"] for ti in extract} == {"freshdesk_api"}
        assert {ti["queue"] for ti in tis} == {cluster.name}, "every task went through the Celery queue"
        before = _assert_matches(warehouse_dsn, sim, view, start)

        sim.account.random_mutations(120, seed=5)
        t = time.monotonic()
        # Unpausing lets the scheduler add its own hourly run too; both import the same
        # changes (max_active_runs=1 runs them one after the other), ours must succeed.
        client.unpause("freshdesk_incremental")
        run_id = client.trigger("freshdesk_incremental", {})
        client.wait_for_run("freshdesk_incremental", run_id, timeout=180)
        timings["incremental"] = time.monotonic() - t
        after = _assert_matches(warehouse_dsn, sim, view, start)
        assert after != before, "the mutations must have changed the expected volumes"
    timings["total"] = time.monotonic() - t0
    print("distributed timings (s):", {k: round(v, 1) for k, v in timings.items()})
