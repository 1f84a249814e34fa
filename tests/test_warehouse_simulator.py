"""A whole simulated Freshdesk account straight through RawLoader (no HTTP needed), and a
round of realistic mutations: queue_interval_volume must equal contact_truth row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from contact_truth import expected_volumes
from warehouse_support import assert_volumes, read_volumes, warehouse

from freshdesk_provider.warehouse.loader import Bundle, RawLoader
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_volumes

simulator = pytest.importorskip("freshdesk_provider.simulator")
if not hasattr(simulator, "FreshdeskSimulator"):
    pytest.skip("freshdesk_provider.simulator has no FreshdeskSimulator yet", allow_module_level=True)


def bundles(account: Any, ticket_ids: list[int], *, deleted_unreadable: bool) -> Iterator[Bundle]:
    """What the hook would deliver; a deleted ticket's conversations answer 403 (None)."""
    for ticket_id in ticket_ids:
        ticket = account.tickets[ticket_id]
        unreadable = deleted_unreadable and ticket["deleted"]
        yield ticket, None if unreadable else account.conversations[ticket_id]


def truth(account: Any) -> Any:
    return expected_volumes(account.groups, account.tickets, account.conversations)


def test_simulated_account_and_its_mutations(warehouse_dsn: str, make_simulator: Callable[..., Any]) -> None:
    sim = make_simulator(seed=11, tickets=3000, days=60)
    account = sim.account
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load_groups(list(account.groups.values()))
        stats = loader.load(bundles(account, sorted(account.tickets), deleted_unreadable=False))
        refresh_volumes(conn)
        conn.commit()
        assert stats.tickets_written == len(account.tickets)
        expected = truth(account)
        assert_volumes(read_volumes(conn), expected)
        queues = {q for _, q in expected}
        # The account exercises the interesting rules, or this test proves little.
        assert any(q.startswith("Unknown group/source") for q in queues)
        assert any(q.startswith("No group ") for q in queues)
        assert any(q.startswith("Group ") for q in queues)

        changes = account.random_mutations(600, seed=5)
        changed = sorted(set(changes["ticket_ids"]) | set(changes["new_ticket_ids"]))
        loader.load_groups(list(account.groups.values()))
        loader.load(bundles(account, changed, deleted_unreadable=True))
        refresh = refresh_volumes(conn)
        conn.commit()
        assert refresh.tickets >= len(changed)
        assert_volumes(read_volumes(conn), truth(account))

        incremental = read_volumes(conn)
        rebuild_volumes(conn)
        assert read_volumes(conn) == incremental
        conn.rollback()


def test_loading_the_account_twice_changes_nothing(warehouse_dsn: str, make_simulator: Callable[..., Any]) -> None:
    sim = make_simulator(seed=3, tickets=800, days=30)
    account = sim.account
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load_groups(list(account.groups.values()))
        loader.load(bundles(account, sorted(account.tickets), deleted_unreadable=False))
        refresh_volumes(conn)
        conn.commit()
        before = read_volumes(conn)
        again = loader.load(bundles(account, sorted(account.tickets), deleted_unreadable=True))
        assert (again.tickets_written, again.conversations_written, again.tickets_marked_dirty) == (0, 0, 0)
        assert refresh_volumes(conn).tickets == 0
        assert read_volumes(conn) == before == truth(account)
        with psycopg.connect(warehouse_dsn) as other:
            assert other.execute("SELECT count(*) FROM freshdesk_raw.tickets").fetchone() == (len(account.tickets),)
