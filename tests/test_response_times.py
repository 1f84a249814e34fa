"""Issue #7.2: ticket stats imported with include=stats (a switch), and
freshdesk.queue_interval_response_times equal to percentiles computed from the simulator's truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import timezone

import psycopg
import pytest
from contact_truth import parse_time
from planning_support import backfill, days_ago, imported_tickets, percentile_cont, ticket_queue


def _stats(sim, ticket_id: int) -> dict:
    account = sim.account
    with account.lock:
        return account._tickets[ticket_id].stats()


def expected_response_times(sim, tickets: dict) -> dict:
    cells: dict = {}
    samples: dict = defaultdict(lambda: ([], []))
    for tid, ticket in tickets.items():
        key = ticket_queue(ticket, sim.account.groups)
        cell = cells.setdefault(key[:2], [key[2], key[3], 0])
        cell[2] += 1
        stats = _stats(sim, tid)
        created = parse_time(ticket["created_at"])
        first, resolved = samples[key[:2]]
        if stats["first_responded_at"]:
            first.append(max(0.0, (parse_time(stats["first_responded_at"]) - created).total_seconds()))
        done = stats["resolved_at"] or stats["closed_at"]
        if ticket["status"] in (4, 5) and done:
            resolved.append(max(0.0, (parse_time(done) - created).total_seconds()))
    out = {}
    for key, (group, source, contacts) in cells.items():
        first, resolved = samples[key]
        out[key] = (
            group,
            source,
            contacts,
            contacts,  # every ticket was read with stats
            len(first),
            percentile_cont(first, 0.5),
            percentile_cont(first, 0.9),
            len(resolved),
            percentile_cont(resolved, 0.5),
            percentile_cont(resolved, 0.9),
        )
    return out


def read_response_times(dsn: str) -> dict:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT interval_start, queue_name, group_name, source_name, contacts, contacts_with_stats, "
            "first_responses, first_response_p50_seconds, first_response_p90_seconds, resolutions, "
            "resolution_p50_seconds, resolution_p90_seconds FROM freshdesk.queue_interval_response_times"
        ).fetchall()
    return {(r[0].astimezone(timezone.utc), r[1]): tuple(r[2:]) for r in rows}


def test_response_time_percentiles_match_the_account(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=33, tickets=600, days=12)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = days_ago(20)
    backfill(start, include_stats=True)
    assert sim.stats()["requests_by_kind"].get("tickets_list", 0) > 0

    expected = expected_response_times(sim, imported_tickets(sim.account, start))
    actual = read_response_times(dsn)
    assert set(actual) == set(expected)
    for key, row in expected.items():
        assert actual[key][:5] == row[:5], key
        assert actual[key][7] == row[7], key
        for got, want in zip(actual[key][5:], row[5:], strict=True):
            assert (got is None) == (want is None), key
            if want is not None:
                assert got == pytest.approx(want, abs=1e-6), key
    assert any(r[4] > 0 for r in actual.values()), "no first responses: the test proves little"
    assert any(r[7] > 0 for r in actual.values()), "no resolutions: the test proves little"


def test_without_the_switch_tickets_have_no_stats_and_no_percentiles(
    make_simulator, freshdesk_conn_env, warehouse_conn_env
) -> None:
    sim = make_simulator(seed=34, tickets=150, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10), include_stats=False)
    rows = read_response_times(warehouse_conn_env)
    assert rows
    assert all(r[3] == 0 and r[4] == 0 and r[5] is None and r[7] == 0 for r in rows.values())
