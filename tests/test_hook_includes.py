"""`include=stats` is an extra: a server that refuses it must not stop the ticket import."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from freshdesk_provider.hooks.freshdesk import FreshdeskHook


def test_a_refused_include_is_dropped_and_every_ticket_still_read(make_simulator, freshdesk_conn_env) -> None:
    sim = make_simulator(seed=51, tickets=400, days=10, refuse_ticket_list_includes=True)
    freshdesk_conn_env(sim)
    hook = FreshdeskHook()
    since = datetime.now(timezone.utc) - timedelta(days=11)
    expected = {tid for tid, t in sim.account.tickets.items() if not t.get("deleted") and not t.get("spam")}
    assert {t["id"] for t in hook.iter_tickets(since, include=("stats",))} == expected
    refused = sim.stats()["requests_by_status"].get(400, 0)
    assert refused == 1
    # remembered: the next walk does not ask again
    assert {t["id"] for t in hook.iter_tickets(since, include=("stats",))} == expected
    assert sim.stats()["requests_by_status"].get(400, 0) == refused


def test_stats_are_read_where_the_server_serves_them(make_simulator, freshdesk_conn_env) -> None:
    sim = make_simulator(seed=52, tickets=200, days=10)
    freshdesk_conn_env(sim)
    tickets = list(FreshdeskHook().iter_tickets(datetime.now(timezone.utc) - timedelta(days=11), include=("stats",)))
    assert tickets and all("stats" in t for t in tickets)
