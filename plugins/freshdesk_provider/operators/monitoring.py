"""The freshness and reconciliation check of the hourly sync.

It runs even when the sync failed (``trigger_rule="all_done"``), so a sync that keeps failing,
or one that "succeeds" without loading what Freshdesk has (a watermark that stopped moving),
turns into one loud, readable failure instead of silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from freshdesk_provider import lineage
from freshdesk_provider.exceptions import FreshdeskError
from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.operators.warehouse_session import DEFAULT_WAREHOUSE_CONN_ID, warehouse_transaction
from freshdesk_provider.warehouse.reconciliation import (
    compare_tickets,
    failed_since_success,
    stale_streams,
    stream_status,
)

DEFAULT_STREAMS = ("tickets", "tickets_deleted", "tickets_spam", "time_entries")


class FreshdeskWarehouseStaleError(FreshdeskError, AirflowFailException):
    """The warehouse is behind Freshdesk: no recent successful sync, or tickets missing. The task
    fails without retries: checking again minutes later finds the same, and the next hourly run
    checks again anyway."""


class FreshdeskFreshnessCheckOperator(BaseOperator):
    """Fail loudly when the warehouse is stale or disagrees with Freshdesk.

    1. **Freshness**: every stream in ``streams`` must have a successful sync within ``max_lag``
       (``freshdesk.sync_status``).
    2. **Reconciliation** (``reconcile_window`` > 0): the tickets Freshdesk lists as updated in
       ``[S - reconcile_window, S - settle)``, S being the start of the last successful
       ``tickets`` sync, must all be in the warehouse at that version or newer. Every such
       change happened before that sync started, so the sync must have loaded it. Costs one
       ticket-list walk of the window (1 credit per 100 tickets).

    More than ``max_mismatches`` missing or outdated tickets fail the task.
    """

    ui_color = "#fadbd8"

    def __init__(
        self,
        *,
        max_lag: timedelta = timedelta(hours=3),
        reconcile_window: timedelta = timedelta(hours=2),
        settle: timedelta = timedelta(minutes=1),
        max_mismatches: int = 0,
        streams: Sequence[str] = DEFAULT_STREAMS,
        freshdesk_conn_id: str = "freshdesk_default",
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        trigger_rule: str = "all_done",
        **kwargs: Any,
    ) -> None:
        super().__init__(trigger_rule=trigger_rule, **kwargs)
        self.max_lag = max_lag
        self.reconcile_window = reconcile_window
        self.settle = settle
        self.max_mismatches = max_mismatches
        self.streams = tuple(streams)
        self.freshdesk_conn_id = freshdesk_conn_id
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        now = datetime.now(timezone.utc)
        problems: list[str] = []
        summary: dict[str, Any] = {}
        with warehouse_transaction(self.postgres_conn_id) as conn:
            status = stream_status(conn, self.streams)
            stale = stale_streams(status, self.streams, self.max_lag, now)
            if stale:
                problems.append(
                    f"Freshdesk data is STALE: no successful sync within {self.max_lag} for: " + " | ".join(stale)
                )
            last = stream_status(conn, ["tickets"]).get("tickets", {}).get("last_success_started_at")
            if self.reconcile_window > timedelta(0) and last is not None:
                end = last - self.settle
                start = end - self.reconcile_window
                hook = FreshdeskHook(freshdesk_conn_id=self.freshdesk_conn_id)
                try:
                    result = compare_tickets(conn, hook.iter_tickets(start, until=end), start, end)
                except Exception as exc:  # Freshdesk down too: report it with the staleness
                    problems.append(f"Reconciliation with Freshdesk could not run: {type(exc).__name__}: {exc}")
                    result = None
                if result is not None:
                    summary["reconciliation"] = result.as_dict()
                    self.log.info("Reconciliation: %s", result.message())
                if result is not None and result.mismatches > self.max_mismatches:
                    problems.append(
                        "Freshdesk and the warehouse DISAGREE: "
                        + result.message()
                        + f" (allowed mismatches: {self.max_mismatches}). The hourly sync only reads on"
                        " from its watermark, so it will not go back for them: trigger freshdesk_backfill"
                        f' with {{"start": "{start:%Y-%m-%dT%H:%M:%SZ}", "end": "{end:%Y-%m-%dT%H:%M:%SZ}"}}'
                        " to import them"
                    )
            failing = failed_since_success(status)
        if problems:
            message = "\n".join(problems)
            self.log.error("%s", message)
            raise FreshdeskWarehouseStaleError(message)
        if failing:
            # Within max_lag a failed run is not staleness yet, but "fresh" alone would mislead.
            self.log.warning(
                "Warehouse is within the allowed lag (%s), but the latest sync failed for: %s",
                self.max_lag,
                " | ".join(failing),
            )
        else:
            self.log.info("Warehouse is fresh: %s", summary)
        return summary

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        return lineage.operator_lineage(
            freshdesk_conn_id=self.freshdesk_conn_id,
            endpoints=["tickets"],
            postgres_conn_id=self.postgres_conn_id,
            input_tables=["freshdesk.sync_status", "freshdesk_raw.tickets"],
        )
