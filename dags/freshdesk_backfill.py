"""
### Freshdesk backfill (the initial import)

Imports every Freshdesk ticket **updated** in `[start, end)`, with all its conversations,
including deleted and spam tickets, so every ticket **created** in the range and every
customer reply in it is counted in `freshdesk.queue_interval_volume`.

**Params**
- `start` (required): a date (`2026-01-01`) or ISO datetime (`2026-01-01T06:00:00Z`), inclusive;
  UTC unless an offset is given.
- `end` (optional): exclusive; default now.
- `slice_hours` (optional): size of the parallel extraction slices on the `updated_at` axis;
  default about an eighth of the range.

**How it runs**: the range is validated and cut into slices before any API call; slices are
extracted in parallel (the `freshdesk_api` pool bounds how many call Freshdesk at once, and the
hook's rate limiter keeps the account's per-minute budget); each slice loads in one warehouse
transaction, so a failed slice retries alone and the warehouse never shows half a slice. Then the
queue volumes of the affected intervals are refreshed and checked. Re-running any task, or the
whole run, gives identical tables.
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.sql.operators.sql import SQLCheckOperator
from airflow.sdk import DAG, Param, task

from freshdesk_provider import alerts, dag_settings
from freshdesk_provider.backfill_plan import plan_slices
from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskToPostgresOperator
from freshdesk_provider.operators.time_entries import (
    FreshdeskRefreshPlanningMeasuresOperator,
    FreshdeskTimeEntriesToPostgresOperator,
)
from freshdesk_provider.operators.warehouse import (
    FreshdeskGroupsToPostgresOperator,
    FreshdeskRefreshQueueVolumesOperator,
    FreshdeskWarehouseMigrateOperator,
)
from freshdesk_provider.warehouse.sql import sql_dir

with DAG(
    dag_id="freshdesk_backfill",
    description="Initial import of Freshdesk tickets and conversations for a date range",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    default_args=dag_settings.default_args(),
    tags=["freshdesk", "warehouse", "backfill"],
    template_searchpath=[str(sql_dir())],
    params={
        "start": Param(
            type="string",
            minLength=10,
            title="Start (inclusive)",
            description="First date or instant to import, e.g. 2026-01-01 or 2026-01-01T06:00:00Z (UTC).",
        ),
        "end": Param(
            None,
            type=["null", "string"],
            title="End (exclusive)",
            description="Import up to this date or instant; empty means now.",
        ),
        "slice_hours": Param(
            None,
            # a string too ("24"), as CLI and REST callers often send one; plan_slices validates it
            type=["null", "integer", "string"],
            minimum=1,
            title="Slice size (hours)",
            description="Hours of updated_at per parallel extraction slice; empty: about 1/8 of the range.",
        ),
    },
    render_template_as_native_obj=False,
) as dag:

    @task(task_id="plan_slices")
    def plan(params: dict | None = None) -> list[dict]:
        """Validate the params and cut the range into slices (no API call)."""
        params = params or {}
        return plan_slices(params.get("start"), params.get("end"), params.get("slice_hours"))

    slices = plan()
    migrate = FreshdeskWarehouseMigrateOperator(task_id="migrate_warehouse")
    groups = FreshdeskGroupsToPostgresOperator(task_id="mirror_groups")
    extract = FreshdeskToPostgresOperator.partial(
        task_id="extract_slice",
        pool=dag_settings.FRESHDESK_POOL,
        include_stats=alerts.include_ticket_stats(),
        map_index_template="{{ task.window_start }} to {{ task.window_end or 'now' }}",
    ).expand_kwargs(slices)
    refresh = FreshdeskRefreshQueueVolumesOperator(
        task_id="refresh_queue_volumes", outlets=[dag_settings.QUEUE_INTERVAL_VOLUME_ASSET]
    )
    check = SQLCheckOperator(
        task_id="check_queue_volumes",
        conn_id=dag_settings.WAREHOUSE_CONN_ID,
        sql="checks/queue_interval_volume_is_consistent.sql",
    )

    time_entries = FreshdeskTimeEntriesToPostgresOperator(
        task_id="extract_time_entries",
        executed_after="{{ params.start }}",
        executed_before="{{ params.end or '' }}",
        pool=dag_settings.FRESHDESK_POOL,
    )
    planning = FreshdeskRefreshPlanningMeasuresOperator(task_id="refresh_planning_measures")

    slices >> migrate >> [groups, extract, time_entries]
    [groups, extract] >> refresh >> check
    [refresh, time_entries] >> planning
