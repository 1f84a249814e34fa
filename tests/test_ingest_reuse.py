"""The incremental run's overlap keeps the stored conversations of tickets listed in the version
the warehouse holds, but only versions read well after their updated_at: Freshdesk's
timestamps have whole seconds, so a reply added in the same second as a read leaves the
listed version as it was."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg

from freshdesk_provider.hooks.freshdesk import FreshdeskHook, parse_timestamp
from freshdesk_provider.ingest import REUSE_AFTER_READ_LAG, IngestStats, ingest_window
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate


def _sync(dsn: str, since: datetime, *, reuse: bool) -> IngestStats:
    with psycopg.connect(dsn) as conn:
        stats = ingest_window(
            FreshdeskHook(),
            RawLoader(conn),
            updated_since=since,
            streams=("tickets",),
            reuse_stored_conversations=reuse,
        )
        conn.commit()
    return stats


def _stored_conversation_ids(dsn: str, ticket_id: int) -> set[int]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id FROM freshdesk_raw.conversations WHERE ticket_id = %s", (ticket_id,)).fetchall()
    return {row[0] for row in rows}


def _live_ticket(sim: Any) -> int:
    account = sim.account
    return next(
        tid
        for tid, t in sorted(account.tickets.items())
        if not t["deleted"] and not t.get("spam") and not account.is_archived(tid) and account.conversations[tid]
    )


def test_a_reply_in_the_same_second_as_the_read_is_not_lost(make_simulator, freshdesk_conn_env, warehouse_dsn) -> None:
    sim = make_simulator(seed=24, tickets=200, days=5, deleted_fraction=0.0, spam_fraction=0.0)
    freshdesk_conn_env(sim)
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        migrate(conn)
    _sync(warehouse_dsn, datetime.now(timezone.utc) - timedelta(days=6), reuse=False)
    account = sim.account
    ticket_id = _live_ticket(sim)
    # Hold the account's clock on one second: every change below gets the same updated_at.
    with account.lock:
        account._last_clock = account.clock() + 60
    account.add_conversation(ticket_id, kind="agent_reply")
    second = parse_timestamp(account.tickets[ticket_id]["updated_at"])
    since = second - timedelta(minutes=10)

    _sync(warehouse_dsn, since, reuse=True)  # reads the ticket at that second
    reply = account.add_conversation(ticket_id, kind="customer_email")
    assert parse_timestamp(account.tickets[ticket_id]["updated_at"]) == second, "the listed version does not move"
    _sync(warehouse_dsn, since, reuse=True)

    assert reply["id"] in _stored_conversation_ids(warehouse_dsn, ticket_id)
    assert _stored_conversation_ids(warehouse_dsn, ticket_id) == {c["id"] for c in account.conversations[ticket_id]}


def test_versions_read_well_after_their_change_are_reused(make_simulator, freshdesk_conn_env, warehouse_dsn) -> None:
    # The account's clock runs behind the warehouse's by more than the margin: the changes below
    # are "an hour ago" by the time the syncs read them, as in an hourly sync.
    behind = REUSE_AFTER_READ_LAG + timedelta(minutes=5)
    sim = make_simulator(
        seed=25, tickets=200, days=5, deleted_fraction=0.0, spam_fraction=0.0,
        now=(datetime.now(timezone.utc) - behind).replace(microsecond=0),
    )
    freshdesk_conn_env(sim)
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        migrate(conn)
    _sync(warehouse_dsn, datetime.now(timezone.utc) - timedelta(days=6), reuse=False)
    ticket_id = _live_ticket(sim)
    sim.account.add_conversation(ticket_id, kind="customer_email")
    since = parse_timestamp(sim.account.tickets[ticket_id]["updated_at"]) - timedelta(minutes=10)

    first = _sync(warehouse_dsn, since, reuse=True)
    sim.reset_stats()
    again = _sync(warehouse_dsn, since, reuse=True)

    # the changed ticket is read; the others in the window were read by the backfill, settled
    assert first.streams["tickets"].conversations_reused == first.streams["tickets"].tickets - 1
    assert again.streams["tickets"].tickets == first.streams["tickets"].tickets >= 1
    assert again.streams["tickets"].conversations_reused == again.streams["tickets"].tickets
    assert sim.stats()["requests_by_kind"].get("conversations", 0) == 0
    assert _stored_conversation_ids(warehouse_dsn, ticket_id) == {c["id"] for c in sim.account.conversations[ticket_id]}
