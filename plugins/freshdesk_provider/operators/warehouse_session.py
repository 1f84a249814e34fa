"""One warehouse transaction per unit of work (it commits whole or not at all), and the run log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from airflow.providers.postgres.hooks.postgres import PostgresHook

from freshdesk_provider.warehouse import sync_state

DEFAULT_WAREHOUSE_CONN_ID = "freshdesk_warehouse"


@contextmanager
def warehouse_transaction(postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID) -> Iterator[Any]:
    """Yield a psycopg connection inside one transaction; commit on success, roll back on error.

    A task that fails half-way (Freshdesk outage, killed worker, broken network) therefore
    leaves the warehouse exactly as it was, and its retry starts from a clean state.
    """
    conn = PostgresHook(postgres_conn_id=postgres_conn_id).get_conn()
    try:
        conn.autocommit = False
        yield conn
        conn.commit()
    except BaseException:
        # the connection itself may be what broke: the original error is the one to report
        with suppress(Exception):
            conn.rollback()
        raise
    finally:
        conn.close()


def context_run_id(context: Any) -> str:
    """The Airflow run id of a task's context (``manual`` when run outside Airflow)."""
    return str(context.get("run_id") or "manual")


class RunRecords:
    """Rows of the warehouse's run log, one per stream (``freshdesk.sync_status`` reads them)."""

    def __init__(self, record_ids: dict[str, int]) -> None:
        self.record_ids = record_ids

    def finish(self, conn: Any, stream: str, *, rows_loaded: int, counts: dict[str, Any]) -> None:
        """Mark a stream's run successful; call it inside the data's transaction so both commit together."""
        sync_state.record_run_finish(conn, self.record_ids[stream], rows_loaded=rows_loaded, counts=counts)


@contextmanager
def recorded_runs(
    postgres_conn_id: str,
    *,
    context: Any,
    streams: Sequence[str],
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> Iterator[RunRecords]:
    """Log the runs' start in a transaction of their own, so that a run whose work is rolled back
    still shows up, with its error, in ``freshdesk.sync_status``."""
    ti = context.get("ti")
    dag_id = str(getattr(ti, "dag_id", None) or "unknown")
    run_id = context_run_id(context)
    with warehouse_transaction(postgres_conn_id) as conn:
        records = RunRecords(
            {
                stream: sync_state.record_run_start(
                    conn,
                    dag_id=dag_id,
                    run_id=run_id,
                    stream=stream,
                    window_start=window_start,
                    window_end=window_end,
                )
                for stream in streams
            }
        )
    try:
        yield records
    except BaseException as exc:
        # The warehouse may be what failed: recording the failure is best effort.
        with suppress(Exception), warehouse_transaction(postgres_conn_id) as conn:
            for record_id in records.record_ids.values():
                sync_state.record_run_failure(conn, record_id, exc)
        raise
