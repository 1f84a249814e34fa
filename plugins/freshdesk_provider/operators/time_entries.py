"""Time entries and the planning measures built on them (handle time, response times).

**Why the global ``/time_entries`` walk.** The hourly import reads
``GET /time_entries?executed_after=<watermark - overlap>`` (Freshdesk's own filter, paginated,
100 entries a page): one API credit per 100 entries in the overlap window, whatever the number
of changed tickets. The alternative, ``GET /tickets/{id}/time_entries`` per changed ticket,
costs one credit per changed ticket every hour (hundreds), only to also see edits of old
entries. The walk's known blind spots: an entry logged later than ``overlap`` after its
``executed_at`` (backdated by more than the overlap, default 48 h), an edit of an entry older
than the overlap, and entries deleted in Freshdesk (kept as last seen). A backfill over a range
reads that range again and catches all but deletions.

The watermark is the largest ``executed_at`` loaded (stream ``time_entries`` in
``freshdesk_raw.sync_watermarks``), advanced in the same transaction as the entries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import BaseOperator

from freshdesk_provider import lineage
from freshdesk_provider.backfill_plan import parse_instant, parse_optional_instant
from freshdesk_provider.exceptions import FreshdeskAccessDenied, FreshdeskNotFound
from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.operators.warehouse_session import (
    DEFAULT_WAREHOUSE_CONN_ID,
    RetriesDeadlocks,
    RunRecords,
    context_run_id,
    recorded_runs,
    warehouse_transaction,
)
from freshdesk_provider.warehouse import sync_state
from freshdesk_provider.warehouse.time_entries import (
    TIME_ENTRIES_STREAM,
    claim_restored_tickets,
    load_time_entries,
    refresh_planning_measures,
)


class FreshdeskTimeEntriesToPostgresOperator(RetriesDeadlocks, BaseOperator):
    """Load Freshdesk time entries into ``freshdesk_raw.time_entries``.

    Without ``executed_after`` (the hourly sync) it reads from the ``time_entries`` watermark
    minus ``overlap`` (``initial_lookback`` on the first run) and advances the watermark. With
    ``executed_after`` (a backfill) it reads ``[executed_after, executed_before)``; such a read
    that reaches the present and starts at or before the watermark advances it too.
    """

    template_fields: Sequence[str] = ("executed_after", "executed_before")
    ui_color = "#e8daef"

    def __init__(
        self,
        *,
        executed_after: str | datetime | None = None,
        executed_before: str | datetime | None = None,
        overlap: timedelta = timedelta(hours=48),
        initial_lookback: timedelta = timedelta(days=1),
        freshdesk_conn_id: str = "freshdesk_default",
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.executed_after = executed_after
        self.executed_before = executed_before
        self.overlap = overlap
        self.initial_lookback = initial_lookback
        self.freshdesk_conn_id = freshdesk_conn_id
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        hook = FreshdeskHook(freshdesk_conn_id=self.freshdesk_conn_id)
        # A blank value (the backfill's cleared `end` field) is no bound, as for the slices.
        before = parse_optional_instant("executed_before", self.executed_before)
        with recorded_runs(self.postgres_conn_id, context=context, streams=(TIME_ENTRIES_STREAM,)) as runs:
            summary = self.run_transaction(
                lambda: self._load(hook, before, runs, context_run_id(context)), what="Time entries import"
            )
        self.log.info("Time entries loaded: %s; API: %s", summary, getattr(hook, "stats", {}))
        return summary

    def _load(self, hook: FreshdeskHook, before: datetime | None, runs: RunRecords, run_id: str) -> dict[str, Any]:
        with warehouse_transaction(self.postgres_conn_id) as conn:
            watermark = sync_state.get_watermark(conn, TIME_ENTRIES_STREAM)
            if self.executed_after:
                since = parse_instant("executed_after", self.executed_after)
                may_advance = before is None and (watermark is None or since <= watermark)
            elif watermark is None:
                since = datetime.now(timezone.utc) - self.initial_lookback
                may_advance = True
            else:
                since = watermark - self.overlap
                may_advance = True
            self.log.info(
                "Reading time entries executed from %s to %s",
                since.isoformat(),
                before.isoformat() if before else "now",
            )
            entries = self._entries_if_available(hook.iter_time_entries(since, before))
            loaded = load_time_entries(conn, entries)
            if may_advance:
                sync_state.advance_watermark(
                    conn,
                    TIME_ENTRIES_STREAM,
                    loaded.max_executed_at or watermark or since,
                    run_id=run_id,
                    rows_loaded=loaded.entries,
                )
            restored = self._reread_restored_tickets(hook, conn)
            summary = {"read_from": since.isoformat(), **loaded.as_dict(), **restored}
            runs.finish(conn, TIME_ENTRIES_STREAM, rows_loaded=loaded.entries, counts=summary)
        return summary

    def _reread_restored_tickets(self, hook: FreshdeskHook, conn: Any) -> dict[str, int]:
        """Read by ticket the time entries of tickets taken off spam or restored since the last
        run (the ticket load notes them): the list read by ``executed_at`` left them out while
        they were spam or deleted, and does not go back for them. Claimed in this transaction,
        so a failed run leaves them noted for the next."""
        ticket_ids = claim_restored_tickets(conn)
        if ticket_ids:
            self.log.info("Reading the time entries of %d tickets taken off spam or restored", len(ticket_ids))
        unreadable: list[int] = []

        def entries() -> Iterator[dict[str, Any]]:
            for ticket_id in ticket_ids:
                try:
                    # a whole ticket's entries or none of them: a 404 comes on its first page
                    yield from list(hook.iter_ticket_time_entries(ticket_id))
                except (FreshdeskNotFound, FreshdeskAccessDenied):
                    # spam or deleted again, or no time tracking: Freshdesk serves no entries
                    unreadable.append(ticket_id)

        # one load for them all: it writes in batches
        loaded = load_time_entries(conn, entries())
        return {
            "restored_tickets": len(ticket_ids),
            "restored_entries": loaded.entries,
            "restored_unreadable": len(unreadable),
        }

    def _entries_if_available(self, entries: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The entries, or none where the account has no time tracking.

        Freshdesk refuses ``/time_entries`` (403/404) on plans or accounts without time tracking.
        Handle time is an extra beside the contract's volumes: such an account loads no entries
        (the handle-time table then shows every ticket as without time entries) instead of
        failing the run. Only the first page decides; an error later in the walk still fails.
        """
        try:
            first = next(entries)
        except StopIteration:
            return iter(())
        except (FreshdeskNotFound, FreshdeskAccessDenied) as exc:
            self.log.warning("Freshdesk time entries are not available (%s): no time entries imported.", exc)
            return iter(())
        return itertools.chain([first], entries)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        return lineage.operator_lineage(
            freshdesk_conn_id=self.freshdesk_conn_id,
            endpoints=["time_entries"],
            postgres_conn_id=self.postgres_conn_id,
            output_tables=["freshdesk_raw.time_entries"],
        )


class FreshdeskRefreshPlanningMeasuresOperator(BaseOperator):
    """Bring ``freshdesk.queue_interval_handle_time`` and ``freshdesk.queue_interval_response_times``
    up to date in the cells that changed (run after the queue volumes are refreshed: both follow
    ``freshdesk.contacts``)."""

    ui_color = "#f5e6d3"

    def __init__(
        self,
        *,
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        outlets: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(outlets=list(outlets or []), **kwargs)
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context: Any) -> dict[str, int]:
        with warehouse_transaction(self.postgres_conn_id) as conn:
            summary = refresh_planning_measures(conn)
        self.log.info("Planning measures refreshed: %s", summary)
        return summary

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        return lineage.operator_lineage(
            freshdesk_conn_id=None,
            endpoints=(),
            postgres_conn_id=self.postgres_conn_id,
            input_tables=["freshdesk.contacts", "freshdesk_raw.tickets", "freshdesk_raw.time_entries"],
            output_tables=list(lineage.PLANNING_TABLES),
        )
