"""Settings shared by the product's DAGs, overridable from the environment of the deployment."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.sdk import Asset

FRESHDESK_CONN_ID = "freshdesk_default"
WAREHOUSE_CONN_ID = "freshdesk_warehouse"
#: bounds how many backfill slices call Freshdesk at once (created by the project's setup)
FRESHDESK_POOL = "freshdesk_api"

#: updated whenever the queue volumes change; schedule BI refresh DAGs on it
QUEUE_INTERVAL_VOLUME_ASSET = Asset(
    name="freshdesk_queue_interval_volume",
    uri="freshdesk-warehouse://freshdesk_warehouse/freshdesk/queue_interval_volume",
    group="freshdesk",
)


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment (blank or unset: ``default``)."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def default_args() -> dict[str, Any]:
    return {
        "owner": "data-engineering",
        "retries": env_int("FRESHDESK_RETRIES", 3),
        "retry_delay": timedelta(seconds=env_int("FRESHDESK_RETRY_DELAY_SECONDS", 120)),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    }


def incremental_overlap() -> timedelta:
    return timedelta(minutes=env_int("FRESHDESK_INCREMENTAL_OVERLAP_MINUTES", 10))


def incremental_initial_lookback() -> timedelta:
    return timedelta(hours=env_int("FRESHDESK_INCREMENTAL_INITIAL_LOOKBACK_HOURS", 24))
