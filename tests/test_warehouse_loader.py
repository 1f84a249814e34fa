"""RawLoader on a real PostgreSQL: versions, conversation replacement, dirty marking, groups,
transactions and batching."""

from __future__ import annotations

import json
import tracemalloc
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from warehouse_support import conv, group, ticket, warehouse

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate


def stored_tickets(conn: psycopg.Connection[Any]) -> dict[int, dict[str, Any]]:
    rows = conn.execute("SELECT id, payload FROM freshdesk_raw.tickets").fetchall()
    return {r[0]: r[1] for r in rows}


def stored_conversations(conn: psycopg.Connection[Any]) -> dict[int, list[int]]:
    rows = conn.execute("SELECT ticket_id, array_agg(id ORDER BY id) FROM freshdesk_raw.conversations GROUP BY 1")
    return {r[0]: r[1] for r in rows.fetchall()}


def dirty(conn: psycopg.Connection[Any]) -> list[int]:
    rows = conn.execute("SELECT DISTINCT ticket_id FROM freshdesk_raw.dirty_tickets ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def clear_dirty(conn: psycopg.Connection[Any]) -> None:
    conn.execute("DELETE FROM freshdesk_raw.dirty_tickets")
    conn.execute("DELETE FROM freshdesk_raw.dirty_groups")


V1 = ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-01 11:00:00", group_id=1)
V2 = ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-01 12:00:00", group_id=2)
V1_CONVS = [conv(11, 1, "2024-03-01 10:10:00", incoming=True)]
V2_CONVS = [conv(11, 1, "2024-03-01 10:10:00", incoming=True), conv(12, 1, "2024-03-01 11:30:00", incoming=True)]


@pytest.mark.parametrize("order", ["old_then_new", "new_then_old"])
def test_an_older_version_never_overwrites_a_newer_one(warehouse_dsn: str, order: str) -> None:
    bundles = [(V1, V1_CONVS), (V2, V2_CONVS)]
    if order == "new_then_old":
        bundles.reverse()
    with warehouse(warehouse_dsn) as conn:
        for bundle in bundles:  # two separate runs
            RawLoader(conn).load([bundle])
            conn.commit()
        assert stored_tickets(conn) == {1: V2}
        assert stored_conversations(conn) == {1: [11, 12]}
        row = conn.execute("SELECT group_id, updated_at::text FROM freshdesk_raw.tickets").fetchone()
        assert row == (2, "2024-03-01 12:00:00+00")


def test_duplicates_within_one_load_keep_the_latest(warehouse_dsn: str) -> None:
    same_time_later_read = {**V2, "subject": "read last"}
    with warehouse(warehouse_dsn) as conn:
        stats = RawLoader(conn).load([(V2, V2_CONVS), (V1, V1_CONVS), (same_time_later_read, [V2_CONVS[1]])])
        assert (stats.tickets_received, stats.tickets_distinct, stats.tickets_written) == (3, 1, 1)
        assert stored_tickets(conn)[1]["subject"] == "read last"
        assert stored_conversations(conn) == {1: [12]}  # the chosen bundle's list


def test_conversations_are_replaced_only_with_an_applied_version(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(V2, V2_CONVS)])
        clear_dirty(conn)
        # An older version with fewer conversations: nothing changes, nothing is dirty.
        stats = loader.load([(V1, [])])
        assert stats.tickets_written == 0 and stats.conversations_deleted == 0
        assert stored_conversations(conn) == {1: [11, 12]} and dirty(conn) == []
        # The same version again with one conversation gone: it disappears.
        stats = loader.load([(V2, V2_CONVS[:1])])
        assert (stats.tickets_written, stats.conversations_deleted) == (0, 1)
        assert stored_conversations(conn) == {1: [11]} and dirty(conn) == [1]
        # An empty list is a ticket without conversations.
        V3 = {**V2, "updated_at": "2024-03-01T13:00:00Z"}
        loader.load([(V3, [])])
        assert stored_conversations(conn) == {}


def test_unreadable_conversations_keep_the_stored_ones(warehouse_dsn: str) -> None:
    deleted = {**V2, "updated_at": "2024-03-02T09:00:00Z", "deleted": True}
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(V2, V2_CONVS)])
        stats = loader.load([(deleted, None)])
        assert stats.tickets_written == 1 and stats.conversations_deleted == 0
        assert stored_conversations(conn) == {1: [11, 12]}
        assert conn.execute("SELECT deleted FROM freshdesk_raw.tickets").fetchone() == (True,)
        # A deleted ticket never seen before: stored, without conversations.
        loader.load([(ticket(2, "2024-03-01 10:00:00", deleted=True), None)])
        assert 2 in stored_tickets(conn) and 2 not in stored_conversations(conn)


def test_identical_reload_writes_and_marks_nothing(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        first = loader.load([(V2, V2_CONVS), (ticket(2, "2024-03-01 10:00:00"), [])])
        assert (first.tickets_written, first.conversations_written, first.tickets_marked_dirty) == (2, 2, 2)
        clear_dirty(conn)
        again = loader.load([(V2, V2_CONVS), (ticket(2, "2024-03-01 10:00:00"), [])])
        assert (again.tickets_written, again.conversations_written, again.tickets_marked_dirty) == (0, 0, 0)
        assert dirty(conn) == []
        # One edited conversation marks just its ticket.
        edited = [V2_CONVS[0], {**V2_CONVS[1], "body_text": "edited"}]
        stats = loader.load([(V2, edited), (ticket(2, "2024-03-01 10:00:00"), [])])
        assert (stats.conversations_written, stats.tickets_marked_dirty) == (1, 1)
        assert dirty(conn) == [1]


def test_typed_columns_and_full_payload(warehouse_dsn: str) -> None:
    t = ticket(
        7, "2024-03-01 10:00:00", updated_at="2024-03-01 10:30:00", group_id=None, requester_id=42, source=13,
        spam=True, custom_fields={"cf_note": "tab\there, newline\nhere, backslash \\ and \"quotes\""},
        tags=["ünïcödé", "emoji 🎧"], subject="NUL\x00 inside",
    )
    c = conv(70, 7, "2024-03-01 10:05:00", user_id=42, source=9, incoming=True, private=False)
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(t, [c])])
        row = conn.execute(
            "SELECT id, group_id, requester_id, source, status, priority, spam, deleted, created_at::text,"
            " updated_at::text, payload, loaded_at IS NOT NULL FROM freshdesk_raw.tickets"
        ).fetchone()
        crow = conn.execute(
            "SELECT id, ticket_id, user_id, source, incoming, private, created_at::text, payload"
            " FROM freshdesk_raw.conversations"
        ).fetchone()
    assert row[:10] == (
        7, None, 42, 13, 2, 1, True, False, "2024-03-01 10:00:00+00", "2024-03-01 10:30:00+00",
    )
    assert row[10] == {**t, "subject": "NUL inside"} and row[11] is True
    assert crow == (70, 7, 42, 9, True, False, "2024-03-01 10:05:00+00", c)


def test_values_the_typed_columns_cannot_hold_stay_in_the_payload_and_fail_nothing(warehouse_dsn: str) -> None:
    """A source past integer failed every load of its ticket, and so every later sync."""
    odd = ticket(
        8, "2024-03-01 10:00:00", group_id=2**63, requester_id="42", source=2**31, status="open",
        priority=2.5, spam="yes", deleted=0,
    )
    plain = ticket(9, "2024-03-01 10:00:00", group_id="7", source="3", status=2.0, spam=None)
    convs = [
        conv(80, 8, "2024-03-01 10:05:00", user_id=-(2**63) - 1, source=2**31, incoming="true", private=0),
        conv(81, 8, "2024-03-01 10:06:00", user_id="42", source=[1], incoming={"x": 1}, private="maybe"),
    ]
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(odd, convs), (plain, [])])
        tickets = conn.execute(
            "SELECT id, group_id, requester_id, source, status, priority, spam, deleted, payload"
            " FROM freshdesk_raw.tickets ORDER BY id"
        ).fetchall()
        conversations = conn.execute(
            "SELECT id, user_id, source, incoming, private, payload FROM freshdesk_raw.conversations ORDER BY id"
        ).fetchall()
    assert [r[:8] for r in tickets] == [
        (8, None, 42, None, None, None, True, False),
        (9, 7, 1000, 3, 2, 1, False, False),
    ]
    assert [r[8] for r in tickets] == [odd, plain]
    assert [r[:5] for r in conversations] == [(80, None, None, True, False), (81, 42, None, None, None)]
    assert [r[5] for r in conversations] == convs


def test_bad_input_is_refused_with_the_ticket_named(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        with pytest.raises(ValueError, match="without a usable id"):
            RawLoader(conn).load([({"subject": "no id"}, [])])
        conn.rollback()
        with pytest.raises(ValueError, match="ticket 5 has no updated_at"):
            RawLoader(conn).load([({**ticket(5, "2024-03-01 10:00:00"), "updated_at": None}, [])])
        conn.rollback()
        with pytest.raises(ValueError, match="conversation of ticket 5"):
            RawLoader(conn).load([(ticket(5, "2024-03-01 10:00:00"), [{"body_text": "x"}])])


def test_input_streams_in_bounded_memory(warehouse_dsn: str) -> None:
    """50,000 tickets with 100,000 conversations from a generator: the loader holds a COPY buffer,
    never the input."""
    body = "A customer message of a realistic length, repeated. " * 20

    def bundles() -> Any:
        for i in range(1, 50_001):
            t = ticket(i, "2024-03-01 10:00:00", description_text=body)
            yield t, [conv(i * 10 + k, i, "2024-03-01 10:05:00", incoming=True, body_text=body) for k in range(2)]

    with warehouse(warehouse_dsn) as conn:
        tracemalloc.start()
        try:
            stats = RawLoader(conn).load(bundles())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (stats.tickets_written, stats.conversations_written) == (50_000, 100_000)
    # The input is ~170 MB of JSON; what the loader holds at once stays far below.
    assert peak < 8 * 1024 * 1024, peak


def test_load_never_commits_and_several_loads_share_a_transaction(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(V1, V1_CONVS)])
        loader.load([(ticket(2, "2024-03-01 10:00:00"), [])])
        loader.load([])
        assert set(stored_tickets(conn)) == {1, 2}
        conn.rollback()
        assert stored_tickets(conn) == {}
        assert dirty(conn) == []


def test_autocommit_connection_loads_atomically(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        migrate(conn)
        RawLoader(conn).load([(V2, V2_CONVS)])
        RawLoader(conn).load_groups([group(1, "Support")])
    with psycopg.connect(warehouse_dsn) as other:
        assert stored_conversations(other) == {1: [11, 12]}
        assert other.execute("SELECT count(*) FROM freshdesk_raw.groups").fetchone() == (1,)


def test_a_conversation_moving_to_another_ticket_dirties_both(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(ticket(1, "2024-03-01 10:00:00"), [conv(11, 1, "2024-03-01 10:10:00", incoming=True)])])
        loader.load([(ticket(2, "2024-03-01 10:00:00"), [])])
        clear_dirty(conn)
        # Freshdesk merged ticket 1 into 2: the conversation is now listed under 2.
        loader.load([(ticket(2, "2024-03-01 10:00:00", updated_at="2024-03-01 12:00:00"),
                      [conv(11, 2, "2024-03-01 10:10:00", incoming=True)])])
        assert stored_conversations(conn) == {2: [11]}
        assert dirty(conn) == [1, 2]


def test_load_groups_marks_what_changes_queue_names(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(ticket(i, "2024-03-01 10:00:00", group_id=g), []) for i, g in enumerate([1, 2, 3, 4, None], 1)])
        clear_dirty(conn)

        def group_round(groups: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
            clear_dirty(conn)
            assert loader.load_groups(groups) == len({g["id"] for g in groups})
            marked = conn.execute("SELECT group_id FROM freshdesk_raw.dirty_groups ORDER BY 1").fetchall()
            return [r[0] for r in marked], dirty(conn)

        assert group_round([group(1, "A"), group(2, "B"), group(3, "C")]) == ([1, 2, 3], [1, 2, 3])  # new
        assert group_round([group(1, "A"), group(2, "B"), group(3, "C")]) == ([], [])  # unchanged
        assert group_round([group(1, "A"), {**group(2, "B"), "description": "x"}, group(3, "C")]) == ([], [])
        assert group_round([group(1, "A2"), group(3, "C")]) == ([1, 2], [1, 2])  # renamed, removed
        assert group_round([group(1, "A2"), group(3, "C")]) == ([], [])  # still removed: nothing new
        assert group_round([group(1, "A2"), group(2, "B"), group(3, "C"), group(3, "C2")]) == ([2, 3], [2, 3])
        rows = conn.execute("SELECT id, name, removed_at IS NULL, payload FROM freshdesk_raw.groups ORDER BY 1")
        assert rows.fetchall() == [
            (1, "A2", True, group(1, "A2")),
            (2, "B", True, group(2, "B")),
            (3, "C2", True, group(3, "C2")),
        ]
        assert group_round([]) == ([1, 2, 3], [1, 2, 3])  # an empty full read removes all


def test_an_older_read_of_the_groups_never_overwrites_a_newer_one(warehouse_dsn: str) -> None:
    # A backfill read GET /groups before an hourly sync did, and commits after it.
    older, newer = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc), datetime(2026, 5, 1, 12, 5, tzinfo=timezone.utc)
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load([(ticket(i, "2024-03-01 10:00:00", group_id=i), []) for i in (1, 2, 3)])
        loader.load_groups([group(1, "A"), group(2, "B"), group(3, "C")], read_at=older - timedelta(hours=1))
        conn.commit()
        assert loader.load_groups([group(1, "A2"), group(3, "C")], read_at=newer) == 2  # renamed, removed
        conn.commit()
        clear_dirty(conn)

        def stored() -> list[tuple[Any, ...]]:
            return conn.execute(
                "SELECT id, name, removed_at IS NOT NULL FROM freshdesk_raw.groups ORDER BY id"
            ).fetchall()

        after_newer = stored()
        assert after_newer == [(1, "A2", False), (2, "B", True), (3, "C", False)]
        assert loader.load_groups([group(1, "A"), group(2, "B"), group(3, "C")], read_at=older) == 3
        assert stored() == after_newer  # the stale read is skipped whole
        assert dirty(conn) == [] and conn.execute("SELECT count(*) FROM freshdesk_raw.dirty_groups").fetchone() == (0,)
        assert conn.execute("SELECT read_at FROM freshdesk_raw.groups_read").fetchone() == (newer,)
        # The same read again, or a later one, applies as usual.
        loader.load_groups([group(1, "A2"), group(3, "C")], read_at=newer)
        assert stored() == after_newer
        loader.load_groups([group(1, "A3"), group(2, "B"), group(3, "C")], read_at=newer + timedelta(minutes=1))
        assert stored() == [(1, "A3", False), (2, "B", False), (3, "C", False)]
        assert dirty(conn) == [1, 2]


def test_stored_payloads_round_trip_json(warehouse_dsn: str) -> None:
    weird = ticket(9, "2024-03-01 10:00:00", description="line1\r\nline2 \\N \\. |", numbers=[1.5, 10**18, None])
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(weird, [])])
        (payload,) = conn.execute("SELECT payload::text FROM freshdesk_raw.tickets").fetchone()
    assert json.loads(payload) == weird
