"""The incremental path against the truth: many seeded random load + refresh rounds (each equal
to contact_truth and to a full rebuild), concurrent loads and refreshes, and a cost guard (the
refresh reads by index only)."""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from contact_truth import expected_volumes
from warehouse_support import assert_volumes, conv, derived_volumes, group, read_volumes, ticket, warehouse

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_volumes
from freshdesk_provider.warehouse.sql import load_sql

Bundle = tuple[dict[str, Any], list[dict[str, Any]] | None]

GROUP_NAMES = ["Support", 'Équipe "Nord"', "O'Brien & Co", "Billing", "Ops/Infra", "Tier 2"]
TICKET_SOURCES = [1, 1, 1, 2, 3, 7, 9, 13, 0, 14, 99]
CONVERSATION_SOURCES = [0, 0, 0, 5, 6, 7, 8, 9, 10, 11, 1, 3, 42]
REQUESTERS = [1000, 1001, 1002, 1003]
AGENT = 5000


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    """A small Freshdesk account that changes at random, and a model of what the warehouse
    must hold after loading what the world sends (the loader's documented semantics)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = datetime(2024, 3, 10, tzinfo=timezone.utc)
        self.groups: dict[int, str] = {i + 1: name for i, name in enumerate(GROUP_NAMES[:4])}
        self.next_group = 5
        self.gone_groups: list[int] = []
        self.tickets: dict[int, dict[str, Any]] = {}
        self.convs: dict[int, list[dict[str, Any]]] = {}
        self.history: list[Bundle] = []  # older versions, delivered late
        self.next_ticket = 1
        self.next_conv = 1
        # the model of the warehouse
        self.stored_tickets: dict[int, dict[str, Any]] = {}
        self.stored_convs: dict[int, list[dict[str, Any]]] = {}
        self.stored_groups: dict[int, dict[str, Any]] = {}

    # -- time
    def tick(self) -> str:
        self.clock += timedelta(seconds=self.rng.randint(1, 90))
        return iso(self.clock)

    def moment(self) -> str:
        """A contact time, often exactly on an interval boundary or a second before one."""
        base = datetime(2024, 3, 1, tzinfo=timezone.utc) + timedelta(minutes=15 * self.rng.randrange(4 * 24 * 3))
        offset = self.rng.choice([0, 0, -1, 1, self.rng.randrange(900)])
        return iso(base + timedelta(seconds=offset))

    # -- mutations of the world
    def any_group_id(self) -> int | None:
        r = self.rng.random()
        if r < 0.1:
            return None
        if r < 0.15:
            return 77  # never existed
        if r < 0.2 and self.gone_groups:
            return self.rng.choice(self.gone_groups)
        return self.rng.choice(sorted(self.groups)) if self.groups else None

    def new_conversation(self, ticket_id: int) -> dict[str, Any]:
        t = self.tickets[ticket_id]
        requester = t["requester_id"]
        kind = self.rng.choice(
            ["customer", "customer", "customer", "portal", "agent", "agent", "private_note", "public_note",
             "private_incoming", "other_user"]
        )
        cid = self.next_conv
        self.next_conv += 1
        at = self.moment()
        when = f"{at[:10]} {at[11:19]}"
        source = self.rng.choice(CONVERSATION_SOURCES)
        if kind == "customer":
            c = conv(cid, ticket_id, when, user_id=requester, source=source, incoming=True)
        elif kind == "portal":
            c = conv(cid, ticket_id, when, user_id=requester, source=source, incoming=False)
        elif kind == "agent":
            c = conv(cid, ticket_id, when, user_id=AGENT, source=0, incoming=False)
        elif kind == "private_note":
            c = conv(cid, ticket_id, when, user_id=AGENT, source=2, private=True)
        elif kind == "public_note":
            c = conv(cid, ticket_id, when, user_id=requester, source=2)
        elif kind == "private_incoming":
            c = conv(cid, ticket_id, when, user_id=requester, source=0, incoming=True, private=True)
        else:  # someone cc'd writes: neither incoming nor the requester
            c = conv(cid, ticket_id, when, user_id=self.rng.choice(REQUESTERS), source=source, incoming=False)
        return c

    def add_ticket(self) -> int:
        tid = self.next_ticket
        self.next_ticket += 1
        at = self.moment()
        self.tickets[tid] = {
            **ticket(
                tid, f"{at[:10]} {at[11:19]}", group_id=self.any_group_id(), requester_id=self.rng.choice(REQUESTERS),
                source=self.rng.choice(TICKET_SOURCES), deleted=self.rng.random() < 0.05,
                spam=self.rng.random() < 0.05,
            ),
            "updated_at": self.tick(),
        }
        self.convs[tid] = [self.new_conversation(tid) for _ in range(self.rng.randint(0, 4))]
        return tid

    def change_ticket(self, tid: int) -> None:
        t = self.tickets[tid]
        self.history.append((copy.deepcopy(t), copy.deepcopy(self.convs[tid])))
        op = self.rng.choice(
            ["reply", "reply", "reply", "remove_conversation", "move", "move", "delete", "restore", "spam", "unspam",
             "source", "requester", "status"]
        )
        if op == "reply":
            self.convs[tid].append(self.new_conversation(tid))
        elif op == "remove_conversation" and self.convs[tid]:
            self.convs[tid].pop(self.rng.randrange(len(self.convs[tid])))
        elif op == "move":
            t["group_id"] = self.any_group_id()
        elif op in ("delete", "restore"):
            t["deleted"] = op == "delete"
        elif op in ("spam", "unspam"):
            t["spam"] = op == "spam"
        elif op == "source":
            t["source"] = self.rng.choice(TICKET_SOURCES)
        elif op == "requester":
            t["requester_id"] = self.rng.choice(REQUESTERS)
        else:
            t["status"] = self.rng.choice([2, 3, 4, 5])
        t["updated_at"] = self.tick()

    def change_groups(self) -> None:
        op = self.rng.choice(["rename", "remove", "back", "add"])
        if op == "rename" and self.groups:
            gid = self.rng.choice(sorted(self.groups))
            self.groups[gid] = self.rng.choice(GROUP_NAMES) + self.rng.choice(["", " 2", " (new)"])
        elif op == "remove" and len(self.groups) > 1:
            gid = self.rng.choice(sorted(self.groups))
            del self.groups[gid]
            self.gone_groups.append(gid)
        elif op == "back" and self.gone_groups:
            gid = self.gone_groups.pop(self.rng.randrange(len(self.gone_groups)))
            self.groups[gid] = self.rng.choice(GROUP_NAMES)
        else:
            self.groups[self.next_group] = self.rng.choice(GROUP_NAMES) + f" {self.next_group}"
            self.next_group += 1

    def round(self) -> list[list[Bundle]]:
        """Mutate the world; return the loads (lists of bundles) that deliver the changes."""
        changed = {self.add_ticket() for _ in range(self.rng.randint(0, 6))}
        for _ in range(self.rng.randint(0, 8)):
            if self.tickets:
                tid = self.rng.choice(sorted(self.tickets))
                self.change_ticket(tid)
                changed.add(tid)
        if self.rng.random() < 0.3:
            self.change_groups()
        bundles: list[Bundle] = []
        for tid in sorted(changed):
            t = self.tickets[tid]
            unreadable = t["deleted"] and self.rng.random() < 0.8  # Freshdesk answers 403
            bundles.append((copy.deepcopy(t), None if unreadable else copy.deepcopy(self.convs[tid])))
        for _ in range(self.rng.randint(0, 3)):  # late, older versions
            if self.history:
                bundles.append(self.rng.choice(self.history))
        if bundles and self.rng.random() < 0.3:  # the same ticket twice in one load
            bundles.append(self.rng.choice(bundles))
        self.rng.shuffle(bundles)
        cut = sorted(self.rng.sample(range(len(bundles) + 1), k=min(len(bundles) + 1, self.rng.randint(0, 2))))
        loads, start = [], 0
        for c in [*cut, len(bundles)]:
            loads.append(bundles[start:c])
            start = c
        return [load for load in loads if load] or [[]]

    # -- the model of the warehouse
    def model_load(self, bundles: list[Bundle]) -> None:
        chosen: dict[int, Bundle] = {}
        for t, c in bundles:
            if t["id"] not in chosen or t["updated_at"] >= chosen[t["id"]][0]["updated_at"]:
                chosen[t["id"]] = (t, c)
        for tid, (t, c) in chosen.items():
            stored = self.stored_tickets.get(tid)
            if stored is None or t["updated_at"] >= stored["updated_at"]:
                self.stored_tickets[tid] = t
                if c is not None:
                    self.stored_convs[tid] = c

    def model_groups(self) -> list[dict[str, Any]]:
        read = [group(gid, name) for gid, name in sorted(self.groups.items())]
        self.stored_groups = {g["id"]: g for g in read}
        return read

    def expected(self) -> Any:
        return expected_volumes(self.stored_groups, self.stored_tickets, self.stored_convs)


def contacts_match_derivation(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM (SELECT * FROM freshdesk.contacts EXCEPT ALL"
        "                              SELECT * FROM freshdesk_raw.contacts_derived) a)"
        "     + (SELECT count(*) FROM (SELECT * FROM freshdesk_raw.contacts_derived EXCEPT ALL"
        "                              SELECT * FROM freshdesk.contacts) b)"
    ).fetchone()
    return row is not None and row[0] == 0


@pytest.mark.parametrize("seed", [20240301, 7])
def test_random_incremental_rounds_equal_truth_and_a_full_rebuild(warehouse_dsn: str, seed: int) -> None:
    world = World(seed)
    rounds = 50
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        refreshed_rounds = 0
        for n in range(rounds):
            loads = world.round()
            if n == 0 or world.rng.random() < 0.7:
                loader.load_groups(world.model_groups())
            for bundles in loads:
                loader.load(bundles)
                world.model_load(bundles)
            if n < rounds - 1 and world.rng.random() < 0.15:
                conn.commit()  # refresh later: the dirty marks wait for the next one
                continue
            refresh_volumes(conn)
            conn.commit()
            refreshed_rounds += 1
            expected = world.expected()
            actual = read_volumes(conn)
            assert_volumes(actual, expected)
            assert contacts_match_derivation(conn), f"round {n}: freshdesk.contacts differs from the derivation"
            rebuild_volumes(conn)
            assert_volumes(read_volumes(conn), actual)
            conn.rollback()  # keep the incremental state for the next round
        assert refreshed_rounds > rounds // 2
        assert conn.execute("SELECT count(*) FROM freshdesk_raw.dirty_tickets").fetchone() == (0,)
    assert len(world.stored_tickets) > 100 and sum(v[3] for v in expected.values()) > 200


def _waiting_for_advisory_lock(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()
        return int(row[0]) if row else 0


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


GROUPS = [group(1, "Support"), group(2, "Billing")]


def _bundle(tid: int, updated: str = "2024-03-01 12:00:00", group_id: int = 1) -> Bundle:
    return (
        ticket(tid, "2024-03-01 10:00:00", updated_at=updated, group_id=group_id),
        [conv(tid * 100, tid, "2024-03-01 10:20:00", incoming=True)],
    )


def test_a_second_refresh_waits_for_the_first(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as a, psycopg.connect(warehouse_dsn) as b:
        RawLoader(a).load_groups(GROUPS)
        first = [_bundle(i) for i in range(1, 6)]
        RawLoader(a).load(first)
        a.commit()
        # b moves ticket 3 to another group (not committed yet), a loads another ticket, and
        # both refresh: a first, holding the refresh lock until it commits.
        second = [_bundle(3, "2024-03-01 13:00:00", group_id=2), *[_bundle(i) for i in range(6, 9)]]
        RawLoader(b).load(second)
        RawLoader(a).load([_bundle(9, group_id=2)])
        assert refresh_volumes(a).tickets == 6  # 1-5 committed, 9 its own

        def refresh_b() -> Any:
            stats = refresh_volumes(b)
            b.commit()
            return stats

        thread, outcome = _in_thread(refresh_b)
        _wait_until(lambda: _waiting_for_advisory_lock(warehouse_dsn) == 1)
        assert thread.is_alive()
        a.commit()
        thread.join(timeout=30)
        assert not isinstance(outcome[0], BaseException), outcome
        assert outcome[0].tickets == 4
        bundles = [*first, _bundle(9, group_id=2), *second]
        tickets = {t["id"]: t for t, _ in bundles}  # the later bundle of ticket 3 wins
        convs = {t["id"]: c for t, c in bundles}
        assert tickets[3]["group_id"] == 2
        assert_volumes(read_volumes(a), expected_volumes({g["id"]: g for g in GROUPS}, tickets, convs))


def test_marks_of_a_load_in_flight_survive_a_concurrent_refresh(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as loader_conn, psycopg.connect(warehouse_dsn) as refresher:
        RawLoader(loader_conn).load([_bundle(1)])
        loader_conn.commit()
        RawLoader(loader_conn).load([_bundle(1, "2024-03-01 13:00:00", group_id=2), _bundle(2)])  # not committed
        stats = refresh_volumes(refresher)  # sees ticket 1's first version only
        refresher.commit()
        assert stats.tickets == 1
        loader_conn.commit()
        pending = loader_conn.execute("SELECT DISTINCT ticket_id FROM freshdesk_raw.dirty_tickets ORDER BY 1")
        assert [r[0] for r in pending.fetchall()] == [1, 2]
        refresh_volumes(refresher)
        refresher.commit()
        tickets = {1: _bundle(1, "2024-03-01 13:00:00", group_id=2)[0], 2: _bundle(2)[0]}
        convs = {1: _bundle(1)[1], 2: _bundle(2)[1]}
        assert_volumes(read_volumes(refresher), expected_volumes({}, tickets, convs))


@pytest.mark.parametrize("first_version", ["newer_first", "older_first"])
def test_concurrent_loads_of_one_ticket_keep_the_newest(warehouse_dsn: str, first_version: str) -> None:
    newer = (ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-01 13:00:00", group_id=2),
             [conv(11, 1, "2024-03-01 10:20:00", incoming=True), conv(12, 1, "2024-03-01 12:50:00", incoming=True)])
    older = (ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-01 12:00:00", group_id=1),
             [conv(11, 1, "2024-03-01 10:20:00", incoming=True)])
    one, two = (newer, older) if first_version == "newer_first" else (older, newer)
    with warehouse(warehouse_dsn) as a, psycopg.connect(warehouse_dsn) as b:
        RawLoader(a).load([one])  # holds ticket 1's row lock until a commits

        def load_b() -> Any:
            stats = RawLoader(b).load([two])
            refresh_volumes(b)
            b.commit()
            return stats

        thread, outcome = _in_thread(load_b)
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for the row lock
        refresh_volumes(a)
        a.commit()
        thread.join(timeout=30)
        assert not isinstance(outcome[0], BaseException), outcome
        row = a.execute("SELECT group_id, updated_at FROM freshdesk_raw.tickets").fetchone()
        convs = a.execute("SELECT array_agg(id ORDER BY id) FROM freshdesk_raw.conversations").fetchone()
        assert row is not None and row[0] == 2 and convs == ([11, 12],)
        refresh_volumes(a)
        a.commit()
        assert_volumes(read_volumes(a), expected_volumes({}, {1: newer[0]}, {1: newer[1]}))


def test_parallel_loaders_and_refreshers_converge(warehouse_dsn: str) -> None:
    """Threads load overlapping tickets in random versions and refresh, all at once."""
    workers, rounds = 4, 6
    versions: dict[int, list[Bundle]] = {}
    rng = random.Random(99)
    for tid in range(1, 41):
        versions[tid] = []
        for v in range(workers):
            updated = f"2024-03-02 10:{v * 10 + rng.randrange(10):02d}:00"
            t = ticket(tid, f"2024-03-01 {rng.randrange(24):02d}:{rng.choice([0, 14, 15, 59]):02d}:00",
                       updated_at=updated, group_id=rng.choice([1, 2, None]), deleted=rng.random() < 0.1)
            cs = [conv(tid * 100 + k, tid, f"2024-03-01 {rng.randrange(24):02d}:30:00", incoming=True)
                  for k in range(rng.randint(0, 3))]
            versions[tid].append((t, cs))
    with warehouse(warehouse_dsn) as setup:
        RawLoader(setup).load_groups(GROUPS)
        setup.commit()
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        wrng = random.Random(w)
        try:
            with psycopg.connect(warehouse_dsn) as conn:
                barrier.wait()
                for _ in range(rounds):
                    tids = wrng.sample(sorted(versions), 15)
                    RawLoader(conn).load([versions[t][wrng.randrange(workers)] for t in sorted(tids)])
                    refresh_volumes(conn)
                    conn.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with psycopg.connect(warehouse_dsn) as conn:
        refresh_volumes(conn)
        conn.commit()
        stored = {r[0]: r[1] for r in conn.execute("SELECT id, payload FROM freshdesk_raw.tickets").fetchall()}
        tickets, convs = {}, {}
        for tid, payload in stored.items():
            newest = max((b for b in versions[tid] if b[0]["updated_at"] <= payload["updated_at"]),
                         key=lambda b: b[0]["updated_at"])
            # Whatever version a thread loaded last, the stored one is the newest any thread loaded.
            assert payload == newest[0]
            tickets[tid], convs[tid] = newest
        assert_volumes(read_volumes(conn), expected_volumes({g["id"]: g for g in GROUPS}, tickets, convs))
        assert_volumes(read_volumes(conn), derived_volumes(conn))


def test_refresh_and_load_read_by_index_only(warehouse_dsn: str) -> None:
    """Cost guard: on a warehouse of 20,000 tickets, loading and refreshing a handful of changed
    tickets scans none of the big tables."""
    big = ("freshdesk_raw.tickets", "freshdesk_raw.conversations", "freshdesk.contacts",
           "freshdesk.queue_interval_volume")
    with warehouse(warehouse_dsn) as conn:
        params = {"tickets": 20_000, "days": 90, "groups": 12}
        for name in ("generate_groups", "generate_tickets", "generate_conversations"):
            conn.execute(load_sql(f"bench/{name}.sql"), params)
        rebuild_volumes(conn)
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")

    def seq_scans(conn: psycopg.Connection[Any]) -> dict[str, int]:
        # Counts of this backend not yet flushed to pg_stat_user_tables: hence a new
        # connection for each step measured.
        rows = conn.execute("SELECT schemaname || '.' || relname, seq_scan FROM pg_stat_xact_user_tables")
        return {name: n for name, n in rows.fetchall() if name in big and n}

    changed = [
        (ticket(tid, "2024-02-01 10:00:00", updated_at="2024-06-01 10:00:00", group_id=3, requester_id=7),
         [conv(10_000_000 + tid, tid, "2024-02-01 10:10:00", user_id=7)])
        for tid in (5, 5000, 12_345, 19_999)
    ]
    with psycopg.connect(warehouse_dsn) as conn:
        RawLoader(conn).load(changed)
        assert seq_scans(conn) == {}
    with psycopg.connect(warehouse_dsn) as conn:
        stats = refresh_volumes(conn)
        assert stats.tickets == 4 and stats.contacts_added >= 8
        assert seq_scans(conn) == {}
    with psycopg.connect(warehouse_dsn) as conn:
        # A removed group re-derives its 1,600 tickets: a plan of its own choosing, still right.
        RawLoader(conn).load_groups([group(g, f"Team {g}") for g in range(1, 12)])
        refresh = refresh_volumes(conn)
        assert refresh.tickets > 1000
        assert all(conn.execute(load_sql("checks/queue_interval_volume_is_consistent.sql")).fetchone())
        assert_volumes(read_volumes(conn), derived_volumes(conn))


def test_a_refresh_refuses_volumes_that_disagree_with_contacts(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([_bundle(1), _bundle(2)])
        refresh_volumes(conn)
        conn.commit()
        # Someone edits the volumes by hand: a cell loses its row, another its count.
        conn.execute("DELETE FROM freshdesk.queue_interval_volume WHERE queue_kind = 'Replies'")
        conn.commit()
        RawLoader(conn).load([_bundle(1, "2024-03-01 13:00:00", group_id=2)])
        with pytest.raises(RuntimeError, match="run rebuild_volumes"):
            refresh_volumes(conn)
        conn.rollback()
        rebuild_volumes(conn)
        # Or a count too low: two contacts leave a cell that claims one.
        conn.execute("UPDATE freshdesk.queue_interval_volume SET contacts = 1 WHERE contacts = 2")
        conn.commit()
        RawLoader(conn).load([_bundle(1, "2024-03-01 13:00:00", group_id=2), _bundle(2, "2024-03-01 13:00:00", 2)])
        with pytest.raises(psycopg.errors.CheckViolation):
            refresh_volumes(conn)
        conn.rollback()
        rebuild_volumes(conn)
        conn.commit()
        assert_volumes(read_volumes(conn), derived_volumes(conn))


def test_a_refresh_writes_only_what_changed(warehouse_dsn: str) -> None:
    """A group change updates the ticket's contacts in place (same pages, no new index entries)
    and merges only their old and new cells; a status-only change writes nothing derived."""
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load_groups(GROUPS)
        RawLoader(conn).load([_bundle(i) for i in range(1, 6)])
        rebuild_volumes(conn)
        conn.commit()

    def writes(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, int, int, int]]:
        rows = conn.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE schemaname = 'freshdesk' AND relname IN ('contacts', 'queue_interval_volume')"
        )
        return {name: (ins, upd, hot, dele) for name, ins, upd, hot, dele in rows.fetchall()}

    with psycopg.connect(warehouse_dsn) as conn:
        RawLoader(conn).load([_bundle(3, "2024-03-01 13:00:00", group_id=2)])
        conn.commit()
        stats = refresh_volumes(conn)
        # Ticket 3's two contacts move from group 1's two cells (each holding 5) to two new cells.
        assert (stats.contacts_removed, stats.contacts_added, stats.volume_rows_changed) == (2, 2, 4)
        ins, upd, hot, dele = writes(conn)["contacts"]
        assert (ins, upd, dele) == (0, 2, 0) and hot == 2
        assert writes(conn)["queue_interval_volume"] == (2, 2, 2, 0)
        conn.commit()
        assert_volumes(read_volumes(conn), derived_volumes(conn))
    with psycopg.connect(warehouse_dsn) as conn:
        status_only = _bundle(4, "2024-03-01 14:00:00")
        status_only[0]["status"] = 4
        RawLoader(conn).load([status_only])
        stats = refresh_volumes(conn)
        assert stats.tickets == 1 and stats.volume_rows_changed == 0
        assert set(writes(conn).values()) <= {(0, 0, 0, 0)}
