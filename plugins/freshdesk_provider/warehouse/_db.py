"""Transaction helpers shared by the warehouse modules (internal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from freshdesk_provider.warehouse.sql import load_sql


@contextmanager
def callers_transaction(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Run in the caller's transaction, never committing it.

    ``conn.transaction()`` would COMMIT at the end of the block on an idle non-autocommit
    connection, so it is only used in autocommit mode, where there is no caller transaction
    and the work must still be atomic (temporary tables, transaction-level advisory locks).
    """
    if conn.autocommit:
        with conn.transaction():
            yield
    else:
        yield


def require_read_committed(conn: psycopg.Connection[Any], what: str) -> None:
    """Refuse snapshot isolation where statements must see what committed while they waited.

    Under REPEATABLE READ a refresh that waited for another one's lock would still read the
    data as it was before that refresh committed, and apply its deltas to stale numbers.
    """
    level = conn.execute(load_sql("common/transaction_isolation.sql")).fetchone()
    if level is None or level[0] != "read committed":
        raise RuntimeError(
            f"{what} needs READ COMMITTED isolation (the PostgreSQL default), "
            f"the connection uses {level[0] if level else 'an unknown level'}"
        )
