"""The planning measures (handle time, response times) computed again only in the cells that
changed equal a full rebuild, over many random rounds of ticket changes, time entries and
volume rebuilds; and an hourly run recomputes only what changed."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from test_warehouse_incremental import World
from warehouse_support import warehouse

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_volumes
from freshdesk_provider.warehouse.time_entries import (
    load_time_entries,
    rebuild_planning_measures,
    refresh_planning_measures,
)

TABLES = ("freshdesk.queue_interval_handle_time", "freshdesk.queue_interval_response_times")


def snapshot(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in TABLES}


def with_stats(rng: Any, ticket: dict[str, Any]) -> dict[str, Any]:
    """A ticket as the list returns it with include=stats: responded, resolved, or neither."""
    created = ticket["created_at"]
    hour = f"{created[:11]}{(int(created[11:13]) + rng.randint(0, 9)) % 24:02d}{created[13:]}"
    stats = {"first_responded_at": rng.choice([None, created, hour]), "resolved_at": rng.choice([None, hour])}
    return {**ticket, "stats": stats} if rng.random() < 0.8 else ticket


@pytest.mark.parametrize("seed", [5, 20241125])
def test_per_cell_recomputation_equals_a_full_rebuild(warehouse_dsn: str, seed: int) -> None:
    world = World(seed)
    rng = world.rng
    next_entry = 1
    fulls = incrementals = 0
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        for n in range(40):
            loads = world.round()
            if n == 0 or rng.random() < 0.5:
                loader.load_groups(world.model_groups())
            entries = []
            for _ in range(rng.randint(0, 5)):
                if world.tickets:
                    entries.append({
                        "id": next_entry if rng.random() < 0.7 or next_entry == 1 else rng.randrange(1, next_entry),
                        "ticket_id": rng.choice(sorted(world.tickets)),
                        "time_spent": f"{rng.randint(0, 3):02d}:{rng.randint(0, 59):02d}",
                        "executed_at": world.tick(), "updated_at": world.tick(),
                    })
                    next_entry += 1
            time_entries_first = rng.random() < 0.5  # the backfill runs them beside the volume refresh
            if time_entries_first:
                load_time_entries(conn, entries)
            for bundles in loads:
                loader.load([(with_stats(rng, t), c) for t, c in bundles])
            if rng.random() < 0.1:
                rebuild_volumes(conn)
            else:
                refresh_volumes(conn)
            if not time_entries_first:
                load_time_entries(conn, entries)
            summary = refresh_planning_measures(conn)
            fulls += summary["full_rebuild"]
            incrementals += 1 - summary["full_rebuild"]
            conn.commit()
            incremental = snapshot(conn)
            rebuild_planning_measures(conn)
            assert snapshot(conn) == incremental, f"round {n}: {summary}"
            conn.rollback()  # carry on from the per-cell state
        assert fulls >= 2 and incrementals > 25
        assert sum(len(rows) for rows in incremental.values()) > 100


def test_an_hourly_run_recomputes_only_the_cells_that_changed(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        world = World(3)
        loader = RawLoader(conn)
        loader.load_groups(world.model_groups())
        for _ in range(30):
            for bundles in world.round():
                loader.load(bundles)
        refresh_volumes(conn)
        assert refresh_planning_measures(conn)["full_rebuild"] == 1  # never built
        conn.commit()
        assert refresh_planning_measures(conn) == {
            "full_rebuild": 0, "cells": 0, "handle_time_rows": 0, "response_time_rows": 0
        }
        cells = conn.execute("SELECT count(*) FROM freshdesk.queue_interval_handle_time").fetchone()[0]
        assert cells > 50
        # One ticket moves to another group and gets a time entry: its old and new cells only.
        tid = next(t for t, v in sorted(world.tickets.items()) if not v["deleted"] and not v["spam"])
        moved = {**world.tickets[tid], "group_id": 2 if world.tickets[tid]["group_id"] != 2 else 3,
                 "updated_at": "2030-01-01T00:00:00Z"}
        loader.load([(moved, None)])
        refresh_volumes(conn)
        entry = {"id": 1, "ticket_id": tid, "time_spent": "00:30", "updated_at": "2030-01-01T00:00:00Z"}
        load_time_entries(conn, [entry])
        summary = refresh_planning_measures(conn)
        assert summary["full_rebuild"] == 0 and summary["cells"] == 2
        row = conn.execute(
            "SELECT h.contacts_with_time_entries, h.handle_seconds FROM freshdesk.queue_interval_handle_time h"
            " JOIN freshdesk.contacts c ON c.interval_start = h.interval_start AND c.queue_name = h.queue_name"
            " WHERE c.ticket_id = %s AND c.conversation_id IS NULL", (tid,)
        ).fetchone()
        assert row == (1, 1800)
        conn.commit()
        incremental = snapshot(conn)
        rebuild_planning_measures(conn)
        assert snapshot(conn) == incremental
