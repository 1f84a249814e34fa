"""
### Freshdesk incremental sync (hourly)

Reads every ticket (normal, deleted and spam) updated since the warehouse's own watermark,
minus a small overlap, re-reads the conversations of every changed ticket, loads them,
refreshes the affected 15-minute queue intervals and only then advances the watermark, all in
one warehouse transaction.

There are no params: a paused DAG, a Freshdesk outage or a missed hour is caught up by the next
successful run, because it resumes from the watermark, not from the schedule. It may run while
a `freshdesk_backfill` runs. When it succeeds it updates the Asset
`freshdesk_queue_interval_volume`: schedule BI refresh DAGs on it.

Then it imports time entries (`executed_after` = their watermark minus an overlap), rebuilds
the handle-time and response-time tables, and checks freshness: `check_freshness` runs even
when the sync failed and fails loudly when no sync succeeded within the allowed lag or when
tickets Freshdesk lists are missing from the warehouse. A DeadlineAlert (attached only when the
dag-processor parses this file: see `freshdesk_provider.alerts`) alerts when a run overruns.

Settings (environment): `FRESHDESK_INCREMENTAL_OVERLAP_MINUTES` (default 10),
`FRESHDESK_INCREMENTAL_INITIAL_LOOKBACK_HOURS` (first run without a watermark, default 24),
`FRESHDESK_INCLUDE_TICKET_STATS` (default true), `FRESHDESK_TIME_ENTRIES_OVERLAP_HOURS` (48),
`FRESHDESK_FRESHNESS_MAX_LAG_MINUTES` (180), `FRESHDESK_RECONCILE_WINDOW_MINUTES` (120; 0 off),
`FRESHDESK_INCREMENTAL_DEADLINE` (auto/always/never), `FRESHDESK_INCREMENTAL_DEADLINE_MINUTES` (180),
`FRESHDESK_ALERT_WEBHOOK_URL` (optional).
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.sql.operators.sql import SQLCheckOperator
from airflow.sdk import DAG

from freshdesk_provider import alerts, dag_settings
from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskIncrementalSyncOperator
from freshdesk_provider.operators.monitoring import FreshdeskFreshnessCheckOperator
from freshdesk_provider.operators.time_entries import (
    FreshdeskRefreshPlanningMeasuresOperator,
    FreshdeskTimeEntriesToPostgresOperator,
)
from freshdesk_provider.operators.warehouse import FreshdeskWarehouseMigrateOperator
from freshdesk_provider.warehouse.sql import sql_dir

with DAG(
    dag_id="freshdesk_incremental",
    description="Hourly import of what changed in Freshdesk since the warehouse's watermark",
    doc_md=__doc__,
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=dag_settings.default_args(),
    tags=["freshdesk", "warehouse", "incremental"],
    template_searchpath=[str(sql_dir())],
    # None under `dags test` / dag.test(): Airflow 3.3.2 crashes them on a DAG with a deadline
    # (apache/airflow#73428); see freshdesk_provider.alerts.
    deadline=alerts.incremental_deadline(),
) as dag:
    migrate = FreshdeskWarehouseMigrateOperator(task_id="migrate_warehouse")
    sync = FreshdeskIncrementalSyncOperator(
        task_id="sync_changes",
        overlap=dag_settings.incremental_overlap(),
        initial_lookback=dag_settings.incremental_initial_lookback(),
        outlets=[dag_settings.QUEUE_INTERVAL_VOLUME_ASSET],
        include_stats=alerts.include_ticket_stats(),
    )
    check = SQLCheckOperator(
        task_id="check_queue_volumes",
        conn_id=dag_settings.WAREHOUSE_CONN_ID,
        sql="checks/queue_interval_volume_is_consistent.sql",
    )

    time_entries = FreshdeskTimeEntriesToPostgresOperator(
        task_id="sync_time_entries",
        overlap=alerts.time_entries_overlap(),
        initial_lookback=dag_settings.incremental_initial_lookback(),
    )
    planning = FreshdeskRefreshPlanningMeasuresOperator(task_id="refresh_planning_measures")
    freshness = FreshdeskFreshnessCheckOperator(
        task_id="check_freshness",
        max_lag=alerts.freshness_max_lag(),
        reconcile_window=alerts.reconcile_window(),
    )  # trigger_rule all_done: it must speak up precisely when the sync fails

    # check_freshness must never be the only leaf: a leaf that succeeds after a failed sync would
    # mark the run successful. check_queue_volumes and refresh_planning_measures stay leaves, so a
    # failed sync still fails the run.
    migrate >> sync >> check
    sync >> time_entries >> planning
    time_entries >> freshness
