"""One warehouse transaction per unit of work (it commits whole or not at all), and the run log."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from airflow.providers.postgres.hooks.postgres import PostgresHook

from freshdesk_provider.warehouse import sync_state
from freshdesk_provider.warehouse.sql import load_sql

DEFAULT_WAREHOUSE_CONN_ID = "freshdesk_warehouse"


@contextmanager
def warehouse_transaction(postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID) -> Iterator[Any]:
    """Yield a psycopg connection inside one transaction; commit on success, roll back on error.

    A task that fails half-way (Freshdesk outage, killed worker, broken network) therefore
    leaves the warehouse exactly as it was, and its retry starts from a clean state.
    """
    try:
        conn = PostgresHook(postgres_conn_id=postgres_conn_id).get_conn()
    except psycopg.OperationalError as exc:
        # psycopg names host and port only: say which Airflow connection to look at. Same type,
        # so the task still retries (a warehouse restarting is back minutes later).
        raise psycopg.OperationalError(
            f"could not connect to the warehouse of Airflow connection {postgres_conn_id!r}: {exc}"
        ) from exc
    try:
        conn.autocommit = True
        conn.execute(load_sql("common/no_idle_timeout.sql"))
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


T = TypeVar("T")

#: runs of one warehouse transaction when PostgreSQL keeps choosing it as a deadlock victim
DEADLOCK_ATTEMPTS = 3
#: a random pause in this range before running it again, in seconds
DEADLOCK_PAUSE_SECONDS = (0.5, 2.0)


def retry_deadlocks(
    transaction: Callable[[], T],
    *,
    log: Any,
    what: str,
    attempts: int = DEADLOCK_ATTEMPTS,
    pause_seconds: tuple[float, float] = DEADLOCK_PAUSE_SECONDS,
) -> T:
    """Run ``transaction`` (one whole warehouse transaction, from its first read) again when
    PostgreSQL aborts it as a deadlock victim; after ``attempts`` runs the deadlock is raised.

    The backfill and the hourly sync may run at the same time, and their transactions lock
    rows batch by batch (tickets also list by list), so they can lock the same rows in opposite
    orders. PostgreSQL then rolls one back whole and the other goes on and commits: running the
    victim again at once costs only its reads, where failing the task would wait for Airflow's
    retry. The random pause keeps the two from colliding in step again.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    attempt = 1
    while True:
        try:
            return transaction()
        except psycopg.errors.DeadlockDetected as exc:
            if attempt >= attempts:
                raise
            pause = random.uniform(*pause_seconds)
            log.warning(
                "%s was chosen by PostgreSQL as a deadlock victim against another warehouse "
                "transaction (attempt %d of %d, %s): it was rolled back, nothing of it was written. "
                "Running it again from the start in %.1f s.",
                what,
                attempt,
                attempts,
                exc.diag.message_primary or type(exc).__name__,
                pause,
            )
            time.sleep(pause)
            attempt += 1


class RetriesDeadlocks:
    """For operators whose unit of work is one warehouse transaction: :meth:`run_transaction`
    runs it again when PostgreSQL aborts it as a deadlock victim (:func:`retry_deadlocks`)."""

    deadlock_attempts: int = DEADLOCK_ATTEMPTS
    deadlock_pause_seconds: tuple[float, float] = DEADLOCK_PAUSE_SECONDS
    log: Any

    def run_transaction(self, transaction: Callable[[], T], *, what: str) -> T:
        return retry_deadlocks(
            transaction,
            log=self.log,
            what=what,
            attempts=self.deadlock_attempts,
            pause_seconds=self.deadlock_pause_seconds,
        )


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
