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
