"""One warehouse transaction per unit of work: it commits whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from airflow.providers.postgres.hooks.postgres import PostgresHook

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
