"""Keep ``freshdesk.contacts`` and ``freshdesk.queue_interval_volume`` equal to the counting
rules applied to the raw mirror.

The incremental refresh consumes the dirty-ticket queue, derives those tickets' contacts again,
compares them with the stored ones, writes only the contacts that changed (a changed contact
is updated in place) and merges the difference (old contact -1, new contact +1) into exactly
the (interval, queue) cells they touched before and after the change.
Its cost follows the number of changed tickets, not the size of the warehouse. Neither
function commits: they run in the caller's transaction (READ COMMITTED), serialised with each
other by an advisory lock.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from freshdesk_provider.warehouse._db import callers_transaction, require_read_committed
from freshdesk_provider.warehouse.sql import load_sql

log = logging.getLogger(__name__)


@dataclass
class RefreshStats:
    """What one refresh or rebuild did."""

    #: tickets whose contacts were derived again
    tickets: int = 0
    contacts_removed: int = 0
    contacts_added: int = 0
    #: (interval, queue) rows of queue_interval_volume inserted, updated or deleted
    volume_rows_changed: int = 0
    full_rebuild: bool = False
    seconds: float = 0.0


def refresh_volumes(conn: psycopg.Connection[Any]) -> RefreshStats:
    """Derive again the contacts of the tickets marked dirty so far and update their volumes."""
    began = time.monotonic()
    stats = RefreshStats()
    with callers_transaction(conn):
        require_read_committed(conn, "refresh_volumes")
        _run(conn, "refresh/lock.sql")
        _run(conn, "refresh/create_work_tables.sql")
        stats.tickets = _run(conn, "refresh/consume_dirty_tickets.sql")
        stats.tickets += _run(conn, "refresh/consume_dirty_groups.sql")
        if stats.tickets:
            _run(conn, "refresh/derive_contacts.sql")
            _run(conn, "refresh/collect_old_contacts.sql")
            _run(conn, "refresh/mark_planning_cells.sql")
            stats.contacts_removed = _run(conn, "refresh/find_stale_contacts.sql")
            stats.contacts_added = _run(conn, "refresh/find_fresh_contacts.sql")
            if stats.contacts_removed or stats.contacts_added:
                cells = _run(conn, "refresh/net_deltas.sql")
                _run(conn, "refresh/delete_gone_contacts.sql")
                _run(conn, "refresh/upsert_fresh_contacts.sql")
                if cells:
                    _run(conn, "refresh/analyze_net.sql")
                    stats.volume_rows_changed = _run(conn, "refresh/merge_volumes.sql")
                    if stats.volume_rows_changed != cells:
                        # A cell losing contacts it does not have: volumes and contacts disagree.
                        raise RuntimeError(
                            f"{cells - stats.volume_rows_changed} queue_interval_volume cells lack contacts "
                            "that freshdesk.contacts holds; run rebuild_volumes() to rebuild them"
                        )
    stats.seconds = round(time.monotonic() - began, 3)
    log.info("Queue volume refresh: %s", stats)
    return stats


def rebuild_volumes(conn: psycopg.Connection[Any]) -> RefreshStats:
    """Derive every contact and every volume from the raw mirror again."""
    began = time.monotonic()
    stats = RefreshStats(full_rebuild=True)
    with callers_transaction(conn):
        require_read_committed(conn, "rebuild_volumes")
        _run(conn, "refresh/lock.sql")
        conn.execute(load_sql("rebuild/consume_all_dirty.sql"))
        _run(conn, "rebuild/truncate_derived.sql")
        stats.tickets = int((conn.execute(load_sql("rebuild/count_tickets.sql")).fetchone() or (0,))[0])
        stats.contacts_added = _run(conn, "rebuild/insert_contacts.sql")
        stats.volume_rows_changed = _run(conn, "rebuild/insert_volumes.sql")
        _run(conn, "rebuild/mark_planning_full.sql")
    stats.seconds = round(time.monotonic() - began, 3)
    log.info("Queue volume rebuild: %s", stats)
    return stats


#: the share of the mirror past which a full rebuild beats deriving the dirty tickets again
#: (measured on 200k tickets whose every contact moved queue: 10 % refresh 2.3 s, 30 % 7.7 s,
#: 100 % 24.8 s; a rebuild 3.9-5.3 s)
REBUILD_ABOVE_SHARE = 0.2
#: below this many tickets either is quick, and the refresh keeps BI reads unblocked
REBUILD_MIN_TICKETS = 50_000


def refresh_or_rebuild(
    conn: psycopg.Connection[Any],
    *,
    rebuild_above_share: float = REBUILD_ABOVE_SHARE,
    min_tickets: int = REBUILD_MIN_TICKETS,
) -> RefreshStats:
    """The incremental refresh, or a full rebuild when most of a large mirror is dirty."""
    dirty, tickets = conn.execute(load_sql("refresh/count_pending.sql")).fetchone() or (0, 0)
    if tickets >= min_tickets and dirty > rebuild_above_share * tickets:
        log.info("%d of %d tickets changed: rebuilding the queue volumes instead of refreshing", dirty, tickets)
        return rebuild_volumes(conn)
    return refresh_volumes(conn)


def _run(conn: psycopg.Connection[Any], statement: str) -> int:
    with conn.cursor() as cur:
        cur.execute(load_sql(statement))
        return max(cur.rowcount, 0)
