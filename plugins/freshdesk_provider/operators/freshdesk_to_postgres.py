"""Operators that copy Freshdesk tickets and conversations into the warehouse's raw mirror."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import BaseOperator

from freshdesk_provider import lineage
from freshdesk_provider.backfill_plan import parse_instant
from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.ingest import DEFAULT_BATCH_SIZE, TICKET_STREAMS, IngestStats, ingest_window
from freshdesk_provider.operators.warehouse_session import (
    DEFAULT_WAREHOUSE_CONN_ID,
    RetriesDeadlocks,
    RunRecords,
    context_run_id,
    recorded_runs,
    warehouse_transaction,
)
from freshdesk_provider.warehouse import sync_state
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.refresh import refresh_volumes


class FreshdeskToPostgresOperator(RetriesDeadlocks, BaseOperator):
    """Load every ticket updated in ``[window_start, window_end)`` with all its conversations.

    One run is one warehouse transaction, so the warehouse never shows half a window and a
    retry starts clean. ``window_end=None`` reads up to the present; such a window that starts
    at or before the incremental watermark may advance it (``advance_watermark=True``), so the
    hourly sync after a backfill reads only what changed since. ``created_before`` (the end of
    a backfill's range, when that is in the past) leaves out tickets created at or after it:
    the watermark then moves no further than it, so the hourly sync imports the rest.
    """

    template_fields: Sequence[str] = ("window_start", "window_end", "created_before")
    ui_color = "#d6eaf8"

    def __init__(
        self,
        *,
        window_start: str | datetime,
        window_end: str | datetime | None = None,
        created_before: str | datetime | None = None,
        streams: Sequence[str] = tuple(TICKET_STREAMS),
        advance_watermark: bool = False,
        freshdesk_conn_id: str = "freshdesk_default",
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        batch_size: int = DEFAULT_BATCH_SIZE,
        include_stats: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.include_stats = include_stats
        # ticket stats feed the response times; 2 more credits per ticket-list page
        self._include: tuple[str, ...] = ("stats",) if include_stats else ()
        unknown = set(streams) - set(TICKET_STREAMS)
        if unknown:
            raise ValueError(f"unknown streams {sorted(unknown)}; known: {sorted(TICKET_STREAMS)}")
        self.window_start = window_start
        self.window_end = window_end
        self.created_before = created_before
        self.streams = tuple(streams)
        self.advance_watermark = advance_watermark
        self.freshdesk_conn_id = freshdesk_conn_id
        self.postgres_conn_id = postgres_conn_id
        self.batch_size = batch_size

    def execute(self, context: Any) -> dict[str, Any]:
        start = parse_instant("window_start", self.window_start)
        end = parse_instant("window_end", self.window_end) if self.window_end else None
        if end is not None and end <= start:
            raise ValueError(f"window_end {end.isoformat()} must be after window_start {start.isoformat()}")
        created_before = parse_instant("created_before", self.created_before) if self.created_before else None
        hook = FreshdeskHook(freshdesk_conn_id=self.freshdesk_conn_id)
        window_text = f"Window {start.isoformat()} to {end.isoformat() if end else 'now'}"
        if created_before is not None:
            window_text += f" (tickets created before {created_before.isoformat()})"
        # Retried inside the run log, so that its records end as the last attempt did.
        with recorded_runs(
            self.postgres_conn_id, context=context, streams=self.streams, window_start=start, window_end=end
        ) as runs:
            stats = self.run_transaction(
                lambda: self._load_window(hook, runs, start, end, created_before, context_run_id(context)),
                what=window_text,
            )
        self.log.info(
            "%s loaded: %d tickets, %d conversations%s; API: %s",
            window_text,
            stats.tickets,
            stats.conversations,
            f"; {stats.created_after_range} created later left out" if created_before else "",
            getattr(hook, "stats", {}),
        )
        window = {"window_start": start.isoformat(), "window_end": end.isoformat() if end else None}
        return {**window, **stats.as_dict()}

    def _load_window(
        self,
        hook: FreshdeskHook,
        runs: RunRecords,
        start: datetime,
        end: datetime | None,
        created_before: datetime | None,
        run_id: str,
    ) -> IngestStats:
        with warehouse_transaction(self.postgres_conn_id) as conn:
            stats = ingest_window(
                hook,
                RawLoader(conn),
                updated_since=start,
                until=end,
                streams=self.streams,
                batch_size=self.batch_size,
                include=self._include,
                created_before=created_before,
            )
            if self.advance_watermark and end is None:
                self._advance_watermarks(conn, stats, start, created_before, run_id)
            for stream, stream_stats in stats.streams.items():
                runs.finish(conn, stream, rows_loaded=stream_stats.tickets, counts=stream_stats.as_dict())
        return stats

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Freshdesk ticket lists and conversations in, the raw mirror out (OpenLineage optional)."""
        return lineage.operator_lineage(
            freshdesk_conn_id=self.freshdesk_conn_id,
            endpoints=["tickets", "tickets/{id}/conversations"],
            postgres_conn_id=self.postgres_conn_id,
            output_tables=list(lineage.RAW_TICKET_TABLES),
        )

    def _advance_watermarks(
        self, conn: Any, stats: IngestStats, read_from: datetime, created_before: datetime | None, run_id: str
    ) -> None:
        for stream, stream_stats in stats.streams.items():
            current = sync_state.get_watermark(conn, stream)
            # Only a read that connects to the watermark may move it: a backfill that started
            # after it would otherwise hide the gap from the incremental sync.
            if current is not None and read_from > current:
                self.log.info(
                    "Not advancing %s watermark %s: this window starts later, at %s",
                    stream,
                    current.isoformat(),
                    read_from.isoformat(),
                )
                continue
            # Everything updated before created_before was loaded (a ticket is created before it
            # is updated); past it, only part: the hourly sync reads on from there.
            new = created_before or stream_stats.max_updated_at or read_from
            sync_state.advance_watermark(conn, stream, new, run_id=run_id, rows_loaded=stream_stats.tickets)


class FreshdeskIncrementalSyncOperator(RetriesDeadlocks, BaseOperator):
    """The hourly sync: everything changed since the warehouse's own watermarks, in one transaction.

    For each ticket list (normal, deleted, spam) it reads tickets updated since that stream's
    watermark minus ``overlap``, re-reads every changed ticket's conversations, loads them,
    refreshes the affected queue intervals and only then advances the watermarks, all in one
    transaction: a failure anywhere leaves the warehouse and its watermarks as they were, and
    the next run catches up whatever was missed (a paused DAG, an outage, a missed hour).
    """

    ui_color = "#d6eaf8"

    def __init__(
        self,
        *,
        overlap: timedelta = timedelta(minutes=10),
        initial_lookback: timedelta = timedelta(days=1),
        streams: Sequence[str] = tuple(TICKET_STREAMS),
        freshdesk_conn_id: str = "freshdesk_default",
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        batch_size: int = DEFAULT_BATCH_SIZE,
        outlets: Sequence[Any] | None = None,
        include_stats: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(outlets=list(outlets or []), **kwargs)
        self.include_stats = include_stats
        # ticket stats feed the response times; 2 more credits per ticket-list page
        self._include: tuple[str, ...] = ("stats",) if include_stats else ()
        self.overlap = overlap
        self.initial_lookback = initial_lookback
        self.streams = tuple(streams)
        self.freshdesk_conn_id = freshdesk_conn_id
        self.postgres_conn_id = postgres_conn_id
        self.batch_size = batch_size

    def execute(self, context: Any) -> dict[str, Any]:
        run_id = context_run_id(context)
        hook = FreshdeskHook(freshdesk_conn_id=self.freshdesk_conn_id)
        with recorded_runs(self.postgres_conn_id, context=context, streams=self.streams) as runs:
            # Inside the run log, so that a rejected API key shows in freshdesk.sync_status too.
            groups_read_at = datetime.now(timezone.utc)
            groups = hook.get_groups()
            summary = self.run_transaction(
                lambda: self._sync_transaction(hook, groups, groups_read_at, runs, run_id), what="Incremental sync"
            )
        self.log.info("Incremental sync done: %s; API: %s", summary, getattr(hook, "stats", {}))
        return summary

    def _sync_transaction(
        self,
        hook: FreshdeskHook,
        groups: list[dict[str, Any]],
        groups_read_at: datetime,
        runs: RunRecords,
        run_id: str,
    ) -> dict[str, Any]:
        # A fresh summary per attempt: only the one that commits is reported.
        summary: dict[str, Any] = {}
        with warehouse_transaction(self.postgres_conn_id) as conn:
            self._sync(hook, conn, groups, groups_read_at, runs, run_id, summary)
        return summary

    def _sync(
        self,
        hook: FreshdeskHook,
        conn: Any,
        groups: list[dict[str, Any]],
        groups_read_at: datetime,
        runs: RunRecords,
        run_id: str,
        summary: dict[str, Any],
    ) -> None:
        loader = RawLoader(conn)
        loader.load_groups(groups, read_at=groups_read_at)
        for stream in self.streams:
            watermark = sync_state.get_watermark(conn, stream)
            if watermark is None:
                since = datetime.now(timezone.utc) - self.initial_lookback
                self.log.warning(
                    "No %s watermark yet: reading only tickets updated since %s. Their contacts before then "
                    "count, but nobody else's: run freshdesk_backfill first for complete history.",
                    stream,
                    since.isoformat(timespec="seconds"),
                )
            else:
                since = watermark - self.overlap
            stats = ingest_window(
                hook,
                loader,
                updated_since=since,
                streams=(stream,),
                batch_size=self.batch_size,
                include=self._include,
                # the overlap re-lists tickets already read at this version: keep their conversations
                reuse_stored_conversations=True,
            )
            stream_stats = stats.streams[stream]
            new_watermark = stream_stats.max_updated_at or watermark or since
            sync_state.advance_watermark(conn, stream, new_watermark, run_id=run_id, rows_loaded=stream_stats.tickets)
            summary[stream] = {"read_from": since.isoformat(), **stream_stats.as_dict()}
            runs.finish(conn, stream, rows_loaded=stream_stats.tickets, counts=summary[stream])
        summary["refresh"] = str(refresh_volumes(conn))

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Freshdesk groups, ticket lists and conversations in; raw mirror and volumes out."""
        return lineage.operator_lineage(
            freshdesk_conn_id=self.freshdesk_conn_id,
            endpoints=["groups", "tickets", "tickets/{id}/conversations"],
            postgres_conn_id=self.postgres_conn_id,
            output_tables=["freshdesk_raw.groups", *lineage.RAW_TICKET_TABLES, *lineage.VOLUME_TABLES],
        )
