"""A server that ignores order_by=updated_at must not make the ticket walk lose tickets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from freshdesk_provider.exceptions import FreshdeskPaginationError
from freshdesk_provider.hooks.freshdesk import FreshdeskHook, parse_timestamp


def _visible_ids(sim, since: datetime, until: datetime | None) -> set[int]:
    account = sim.account
    return {
        tid
        for tid, t in account.tickets.items()
        if not t.get("deleted")
        and not t.get("spam")
        and not account.is_archived(tid)
        and since <= parse_timestamp(t["updated_at"]) < (until or datetime.max.replace(tzinfo=timezone.utc))
    }


def _bulk_update_newest(sim, count: int) -> datetime:
    """Give the `count` newest-created listed tickets one same updated_at second (a bulk action
    on the "newest first" view) and return that second."""
    account = sim.account
    with account.lock:
        # clock() never goes below _last_clock: pushing it ahead keeps the whole burst in one second.
        account._last_clock = account.clock() + 60
        newest = sorted(_visible_ids(sim, datetime.min.replace(tzinfo=timezone.utc), None))[-count:]
        stamps = {account.update_ticket(tid, priority=4)["updated_at"] for tid in newest}
    assert len(stamps) == 1, stamps
    return parse_timestamp(stamps.pop())


def test_unordered_first_page_of_one_second_does_not_restart_past_older_tickets(
    make_simulator, freshdesk_conn_env
) -> None:
    # created_at desc puts the bulk-updated tickets first: a whole page of one second looks
    # ordered, and a keyset restart from that second would drop every older update.
    sim = make_simulator(seed=21, tickets=400, days=10, ignore_ticket_order=True, bulk_update_size=0)
    freshdesk_conn_env(sim)
    _bulk_update_newest(sim, 150)
    since = datetime.now(timezone.utc) - timedelta(days=11)
    read = {t["id"] for t in FreshdeskHook().iter_tickets(since)}
    assert read == _visible_ids(sim, since, None)


def test_unordered_first_page_of_one_second_does_not_stop_at_until(make_simulator, freshdesk_conn_env) -> None:
    sim = make_simulator(seed=21, tickets=400, days=10, ignore_ticket_order=True, bulk_update_size=0)
    freshdesk_conn_env(sim)
    bulk_second = _bulk_update_newest(sim, 150)
    since = datetime.now(timezone.utc) - timedelta(days=11)
    read = {t["id"] for t in FreshdeskHook().iter_tickets(since, until=bulk_second)}
    expected = _visible_ids(sim, since, bulk_second)
    assert expected
    assert read == expected


def test_unordered_lists_are_read_whole_and_filtered_to_the_window(make_simulator, freshdesk_conn_env) -> None:
    sim = make_simulator(seed=21, tickets=1200, days=20, ignore_ticket_order=True)
    freshdesk_conn_env(sim)
    now = datetime.now(timezone.utc)
    since, until = now - timedelta(days=12), now - timedelta(days=4)
    hook = FreshdeskHook()
    read = [t["id"] for t in hook.iter_tickets(since, until=until)]
    assert set(read) == _visible_ids(sim, since, until)
    assert len(read) == len(set(read))
    open_ended = {t["id"] for t in hook.iter_tickets(since)}
    assert open_ended == _visible_ids(sim, since, None)


def test_unordered_lists_past_the_page_cap_fail_clearly(make_simulator, freshdesk_conn_env) -> None:
    sim = make_simulator(seed=22, tickets=1200, days=20, ignore_ticket_order=True, page_cap=3)
    freshdesk_conn_env(sim)
    hook = FreshdeskHook(page_cap=3)
    with pytest.raises(FreshdeskPaginationError, match="out of updated_at order"):
        list(hook.iter_tickets(datetime.now(timezone.utc) - timedelta(days=19)))
