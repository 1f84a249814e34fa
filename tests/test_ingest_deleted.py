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


def test_a_ticket_deleted_after_it_was_listed(
    make_simulator, freshdesk_conn_env, warehouse_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Listed live, deleted before its conversations are read (403): the ticket loads, the run
    goes on, and the task log names it instead of passing it over in silence."""
    sim = make_simulator(seed=43, tickets=200, days=5, deleted_fraction=0.0, spam_fraction=0.0)
    freshdesk_conn_env(sim)
    victim = next(tid for tid, convs in sorted(sim.account.conversations.items()) if convs)

    class RacingHook(FreshdeskHook):
        def iter_tickets(self, *args, **kwargs):
            for ticket in super().iter_tickets(*args, **kwargs):
                if ticket["id"] == victim:
                    sim.account.delete_ticket(victim)
                yield ticket

    with psycopg.connect(warehouse_dsn) as conn, caplog.at_level("WARNING", logger="freshdesk_provider.ingest"):
        migrate(conn)
        stats = ingest_window(
            RacingHook(),
            RawLoader(conn),
            updated_since=datetime.now(timezone.utc) - timedelta(days=6),
            streams=("tickets",),
        )
        conn.commit()
        stored_victim = conn.execute(
            "SELECT deleted, (SELECT count(*) FROM freshdesk_raw.conversations WHERE ticket_id = %s) "
            "FROM freshdesk_raw.tickets WHERE id = %s",
            (victim, victim),
        ).fetchone()
    live = stats.streams["tickets"]
    assert live.tickets == 200
    assert live.unreadable_conversations == 1
    assert live.conversations_reused == 0
    assert stored_victim == (False, 0), "listed live, loaded as listed; its conversations were never readable"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"e.g. ids {victim}" in w and "1 listed tickets" in w for w in warnings), warnings
