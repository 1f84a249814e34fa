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

Settings (environment): `FRESHDESK_INCREMENTAL_OVERLAP_MINUTES` (default 10),
`FRESHDESK_INCREMENTAL_INITIAL_LOOKBACK_HOURS` (first run without a watermark, default 24).
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.sql.operators.sql import SQLCheckOperator
from airflow.sdk import DAG

from freshdesk_provider import dag_settings
from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskIncrementalSyncOperator
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
) as dag:
    migrate = FreshdeskWarehouseMigrateOperator(task_id="migrate_warehouse")
    sync = FreshdeskIncrementalSyncOperator(
        task_id="sync_changes",
        overlap=dag_settings.incremental_overlap(),
        initial_lookback=dag_settings.incremental_initial_lookback(),
        outlets=[dag_settings.QUEUE_INTERVAL_VOLUME_ASSET],
    )
    check = SQLCheckOperator(
        task_id="check_queue_volumes",
        conn_id=dag_settings.WAREHOUSE_CONN_ID,
        sql="checks/queue_interval_volume_is_consistent.sql",
    )

    migrate >> sync >> check
