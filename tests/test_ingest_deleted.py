"""Deleted tickets' conversations: one probe per walk where Freshdesk refuses them (403), every
one read where a server serves them (their replies then count in the Unknown queues)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.ingest import ingest_window
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate


@pytest.mark.parametrize("readable", [False, True])
def test_deleted_tickets_conversations(make_simulator, freshdesk_conn_env, warehouse_dsn: str, readable: bool) -> None:
    sim = make_simulator(
        seed=41, tickets=600, days=10, deleted_fraction=0.05, deleted_conversations_readable=readable
    )
    freshdesk_conn_env(sim)
    deleted = {tid for tid, t in sim.account.tickets.items() if t.get("deleted") and not sim.account.is_archived(tid)}
    with_conversations = {tid for tid in deleted if sim.account.conversations.get(tid)}
    assert len(deleted) > 5 and with_conversations
    sim.reset_stats()
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        stats = ingest_window(
            FreshdeskHook(),
            RawLoader(conn),
            updated_since=datetime.now(timezone.utc) - timedelta(days=11),
            streams=("tickets_deleted",),
        )
        conn.commit()
        stored = conn.execute(
            "SELECT count(*) FROM freshdesk_raw.conversations v JOIN freshdesk_raw.tickets t ON t.id = v.ticket_id "
            "WHERE t.deleted"
        ).fetchone()[0]
    assert stats.streams["tickets_deleted"].tickets == len(deleted)
    conversation_reads = sim.stats()["requests_by_kind"].get("conversations", 0)
    if readable:
        assert stored == sum(len(sim.account.conversations[tid]) for tid in deleted)
        assert conversation_reads >= len(deleted)
    else:
        assert stored == 0
        assert conversation_reads == 1, "one probe, then no credit spent on 403s"
