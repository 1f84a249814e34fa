"""Warehouse figures (a script that prints numbers, not a timed test).

1. Load throughput: RawLoader's COPY + set-based upsert against a plain executemany of
   row-at-a-time upserts, same synthetic tickets and conversations, in the same run (rows/s).
2. Refresh scaling: the time of an incremental refresh after 1,000 changed tickets on a
   warehouse of 10,000 tickets and on one of 1,000,000 (both built with generate_series in
   scratch databases, over the same date range), and their ratio. The incremental design aims
   at a ratio <= 1.5: the refresh should cost what changed, not what is stored. Two shapes of
   change: tickets spread evenly over the whole year of history (the worst case: every change
   lands on pages of its own), and tickets among the newest 5,000 (the shape of an hourly
   sync, which sees the tickets customers and agents are working on now). Each round runs as
   the hourly sync does: a checkpoint (an hour holds several), then one transaction that loads
   the changed tickets (not timed) and refreshes (timed, commit included). Both warehouses are
   built first and their rounds alternate, so that the machine's drift (a shared VM's speed
   changes from minute to minute) weighs on both sizes alike. Each round changes a different
   set of tickets, not the neighbours of the previous round's (whose pages that round has just
   rewritten): in an account, one hour's changed tickets are not the next hour's neighbours.
   ``--extra-sizes`` adds warehouses to the same alternation (e.g. 100,000 and 3,000,000
   tickets), to show how the time moves with the size beyond the issue's pair.

Usage: .venv/bin/python bench/bench_warehouse.py [--load-tickets 20000] [--small 10000]
       [--large 1000000] [--extra-sizes 100000,3000000] [--changed 1000] [--repeats 5]
       [--warm-os-cache] [--separate-load-transaction]
PostgreSQL: $FRESHDESK_TEST_PG_DSN, else scripts/ensure_postgres.py's choice. Scratch
databases are created beside it and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
os.environ.setdefault("FRESHDESK_SQL_DIR", str(PROJECT_ROOT / "include" / "sql"))

from ensure_postgres import dsn_for  # noqa: E402

from freshdesk_provider.warehouse.loader import RawLoader  # noqa: E402
from freshdesk_provider.warehouse.migrations import migrate  # noqa: E402
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_volumes  # noqa: E402
from freshdesk_provider.warehouse.sql import load_sql  # noqa: E402

GROUPS = 12
DAYS = 365


def admin_dsn() -> str:
    explicit = os.environ.get("FRESHDESK_TEST_PG_DSN")
    if explicit:
        return explicit
    from ensure_postgres import ensure_postgres

    return ensure_postgres()


@contextmanager
def scratch_database(admin: str, label: str) -> Iterator[str]:
    name = f"fdbench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dsn_for(name, admin)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def synthetic_bundles(n: int) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    bundles = []
    for i in range(1, n + 1):
        created = base + timedelta(seconds=DAYS * 86400 * i // n)
        requester = 1_000_000 + i
        ticket = {
            "id": i,
            "subject": f"Synthetic ticket {i} about an order that has not arrived",
            "description_text": "Hello, my order has not arrived yet. Could you check? " * 3,
            "group_id": None if i % 20 == 0 else 1 + (i * 7) % GROUPS,
            "requester_id": requester,
            "responder_id": 5000 + i % 12,
            "source": (1, 1, 1, 2, 3, 7, 9, 13)[i % 8],
            "status": 2,
            "priority": 1 + i % 4,
            "type": "Question",
            "tags": ["bench", f"t{i % 10}"],
            "custom_fields": {"cf_region": "EMEA", "cf_order_number": str(900000 + i)},
            "created_at": iso(created),
            "updated_at": iso(created + timedelta(hours=2)),
            "due_by": iso(created + timedelta(days=3)),
            "fr_due_by": iso(created + timedelta(days=1)),
            "is_escalated": False,
            "spam": False,
            "deleted": False,
        }
        conversations = [
            {
                "id": i * 4 + k,
                "ticket_id": i,
                "user_id": 5000 if k == 1 else requester,
                "body_text": "Thanks for getting back to me, here are the details you asked for. " * 2,
                "incoming": k == 0,
                "private": False,
                "source": 0,
                "support_email": "support@example.com",
                "to_emails": ["support@example.com"],
                "created_at": iso(created + timedelta(minutes=37 * (k + 1))),
                "updated_at": iso(created + timedelta(minutes=37 * (k + 1))),
            }
            for k in range(3)
        ]
        bundles.append((ticket, conversations))
    return bundles


def bench_load(admin: str, n: int) -> None:
    bundles = synthetic_bundles(n)
    rows = n + sum(len(c) for _, c in bundles)
    print(f"\n== Load throughput: {n:,} tickets + {rows - n:,} conversations = {rows:,} rows")

    with scratch_database(admin, "copy") as dsn, psycopg.connect(dsn) as conn:
        migrate(conn)
        began = time.perf_counter()
        stats = RawLoader(conn).load(bundles)
        conn.commit()
        copy_seconds = time.perf_counter() - began
        assert stats.tickets_written == n, stats
    print(f"COPY + set-based upsert (RawLoader.load): {copy_seconds:7.2f} s  {rows / copy_seconds:>10,.0f} rows/s")

    with scratch_database(admin, "rows") as dsn, psycopg.connect(dsn) as conn:
        migrate(conn)
        began = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(
                load_sql("bench/insert_ticket_row.sql"),
                (
                    {
                        **{k: t.get(k) for k in ("id", "group_id", "requester_id", "responder_id", "source",
                                                 "status", "priority", "spam", "deleted", "created_at",
                                                 "updated_at")},
                        "payload": json.dumps(t),
                    }
                    for t, _ in bundles
                ),
            )
            cur.executemany(
                load_sql("bench/insert_conversation_row.sql"),
                (
                    {
                        **{k: c.get(k) for k in ("id", "ticket_id", "user_id", "source", "incoming", "private",
                                                 "created_at", "updated_at")},
                        "payload": json.dumps(c),
                    }
                    for _, convs in bundles
                    for c in convs
                ),
            )
        conn.commit()
        rows_seconds = time.perf_counter() - began
    print(f"executemany row-by-row upserts:           {rows_seconds:7.2f} s  {rows / rows_seconds:>10,.0f} rows/s")
    print(f"COPY path speed-up: {rows_seconds / copy_seconds:.1f}x")


def build_warehouse(dsn: str, tickets: int) -> float:
    began = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        migrate(conn)
        params = {"tickets": tickets, "days": DAYS, "groups": GROUPS}
        conn.execute(load_sql("bench/generate_groups.sql"), params)
        conn.execute(load_sql("bench/generate_tickets.sql"), params)
        conn.execute(load_sql("bench/generate_conversations.sql"), params)
        rebuild_volumes(conn)
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(load_sql("bench/vacuum_analyze.sql"))
    return time.perf_counter() - began


#: how the changed tickets are chosen: (label, pool of tickets they are drawn from)
SCENARIOS = {
    "spread": "spread evenly over the whole history (worst case)",
    "recent": "among the newest 5,000 tickets (an hourly sync's shape)",
}
RECENT_POOL = 5_000
#: keeps the conversation ids each scenario adds apart
SCENARIO_IDS = {"spread": 0, "recent": 5_000_000_000}
#: round k takes the tickets at offset k * ROUND_STRIDE (mod the step) of the pool: a prime, so
#: successive rounds change tickets hours apart instead of the previous round's neighbours, and
#: no offset comes back before ``step`` rounds
ROUND_STRIDE = 397


def changed_bundles(
    conn: psycopg.Connection[Any], tickets: int, changed: int, round_no: int, scenario: str = "spread"
) -> list[Any]:
    """``changed`` tickets (spread over the warehouse, or among the newest), each moved to
    another group, a day newer, with one more customer message."""
    pool = tickets if scenario == "spread" else min(tickets, RECENT_POOL)
    step = max(1, pool // changed)
    rows = conn.execute(
        load_sql("bench/pick_changed_tickets.sql"),
        {"n": changed, "step": step, "offset": round_no * ROUND_STRIDE % step, "after_id": tickets - pool},
    ).fetchall()
    # 1..GROUPS-1 groups on, so every round is a real group change (no group: to group 2..12)
    group_shift = 1 + round_no % (GROUPS - 1)
    bundles = []
    for payload, ticket_id, group_id, requester_id, source, created_at, updated_at, conversations in rows:
        ticket = dict(payload)
        ticket.update(
            {
                "id": ticket_id,
                "group_id": 1 + ((group_id or 1) - 1 + group_shift) % GROUPS,
                "requester_id": requester_id,
                "source": source,
                "created_at": iso(created_at),
                "updated_at": iso(updated_at + timedelta(days=1)),
            }
        )
        convs = [dict(c) for c in conversations]
        new_at = iso(updated_at + timedelta(hours=12))
        convs.append(
            {"id": 10_000_000_000 + SCENARIO_IDS[scenario] + round_no * 10_000_000 + ticket_id, "ticket_id": ticket_id,
             "user_id": requester_id, "source": 0, "incoming": True, "private": False,
             "created_at": new_at, "updated_at": new_at}
        )
        bundles.append((ticket, convs))
    return bundles


def checkpoint(conn: psycopg.Connection[Any]) -> None:
    """A checkpoint, as the hour between two syncs holds several (checkpoint_timeout is 5
    minutes by default): every page the next transaction changes first writes a full-page
    image to the WAL, as it would in production. Needs superuser or pg_checkpoint."""
    try:
        conn.execute(load_sql("bench/checkpoint.sql"))
        conn.commit()
    except psycopg.errors.InsufficientPrivilege:
        conn.rollback()


def refresh_round(
    conn: psycopg.Connection[Any], tickets: int, changed: int, round_no: int, scenario: str,
    *, separate_load: bool = False,
) -> tuple[float, int]:
    """One round as the hourly sync runs it: after a checkpoint, one transaction loads the
    changed tickets (not timed) and refreshes (timed, with the commit). ``separate_load``: the
    load commits, then the checkpoint, then the refresh in a transaction of its own (the
    refresh then also prunes the row versions the load left behind). Returns the seconds and
    the WAL bytes the refresh wrote (the server's other databases are idle meanwhile), whose
    bulk is one full-page image per page it changes: the number of distinct pages."""
    bundles = changed_bundles(conn, tickets, changed, round_no, scenario)
    conn.commit()
    if separate_load:
        RawLoader(conn).load(bundles)
        conn.commit()
        checkpoint(conn)
    else:
        checkpoint(conn)
        RawLoader(conn).load(bundles)
    wal_before = conn.execute(load_sql("bench/wal_insert_lsn.sql")).fetchone()[0]
    began = time.perf_counter()
    stats = refresh_volumes(conn)
    conn.commit()
    seconds = time.perf_counter() - began
    wal_bytes = conn.execute(load_sql("bench/wal_bytes_since.sql"), {"since": wal_before}).fetchone()[0]
    conn.commit()
    assert stats.tickets == len(bundles), stats
    return seconds, int(wal_bytes)


def warm_os_cache(conn: psycopg.Connection[Any]) -> bool:
    """Read the relations a refresh touches into the operating system's page cache (not into
    shared buffers: pg_prewarm's 'read' mode), as on a database server whose memory holds its
    data. False when pg_prewarm (PostgreSQL's contrib) is missing or may not be created."""
    try:
        conn.execute(load_sql("bench/create_pg_prewarm.sql"))
        conn.execute(load_sql("bench/prewarm_os_cache.sql"))
    except psycopg.Error as exc:
        conn.rollback()
        print(f"  (no OS cache warm-up: {exc.diag.message_primary or exc})")
        return False
    conn.commit()
    return True


def bench_refresh(
    admin: str, small: int, large: int, changed: int, repeats: int, *, separate_load: bool = False,
    extra_sizes: tuple[int, ...] = (), warm_cache: bool = False,
) -> None:
    print(
        f"\n== Incremental refresh after {changed:,} changed tickets (each moved to another group, one more"
        f" customer reply; {repeats} rounds of different tickets per shape of change, the"
        f" {'two sizes' if not extra_sizes else 'sizes'} alternating; median and best)"
    )
    for scenario, label in SCENARIOS.items():
        print(f"  {scenario}: changed tickets {label}")
    if warm_cache:
        print("  every round starts with the warehouse's relations in the OS page cache (--warm-os-cache)")
    sizes = tuple(sorted({small, large, *extra_sizes}))
    with ExitStack() as stack:
        dsns = {size: stack.enter_context(scratch_database(admin, f"refresh{size}")) for size in sizes}
        for size in sizes:
            build_seconds = build_warehouse(dsns[size], size)
            with psycopg.connect(dsns[size]) as conn:
                contacts = conn.execute(load_sql("bench/count_contacts.sql")).fetchone()[0]
                cells = conn.execute(load_sql("bench/count_volume_rows.sql")).fetchone()[0]
            print(f"{size:>10,} tickets ({contacts:,} contacts, {cells:,} volume rows; built in {build_seconds:.0f} s)")
        conns = {size: stack.enter_context(psycopg.connect(dsns[size])) for size in sizes}
        for scenario in SCENARIOS:
            times: dict[int, list[float]] = {size: [] for size in sizes}
            wal: dict[int, list[int]] = {size: [] for size in sizes}
            for round_no in range(repeats):
                for size in sizes:
                    if warm_cache:
                        warm_cache = warm_os_cache(conns[size])
                    seconds, wal_bytes = refresh_round(
                        conns[size], size, changed, round_no, scenario, separate_load=separate_load
                    )
                    times[size].append(seconds)
                    wal[size].append(wal_bytes)
            for size in sizes:
                rounds = ", ".join(f"{t * 1000:.0f}" for t in times[size])
                print(
                    f"  {scenario:<6} {size:>9,} tickets: median {statistics.median(times[size]) * 1000:6.1f} ms,"
                    f" best {min(times[size]) * 1000:6.1f} ms, WAL {statistics.median(wal[size]) / 2**20:5.1f} MB"
                    f"  (rounds: {rounds} ms)"
                )
            # the pair first (bench/run.py reads the first median ratio of each scenario)
            for other in (large, *(size for size in sizes if size not in (small, large))):
                for label, pick in (("median", statistics.median), ("best", min)):
                    ratio = pick(times[other]) / pick(times[small])
                    verdict = "OK" if ratio <= 1.5 else "ABOVE TARGET"
                    print(
                        f"ratio {scenario} {other:,} / {small:,} tickets ({label}): {ratio:.2f}"
                        f" (target <= 1.5: {verdict})"
                    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load-tickets", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--extra-sizes", default="",
        help="more warehouse sizes (comma-separated tickets) measured in the same alternation, e.g."
        " 100000,3000000: how the refresh's time moves with the size beyond the issue's pair",
    )
    parser.add_argument(
        "--warm-os-cache", action="store_true",
        help="read the warehouse's relations into the OS page cache before each round (needs pg_prewarm)",
    )
    parser.add_argument(
        "--separate-load-transaction", action="store_true",
        help="commit the load and checkpoint before the refresh (the hourly sync loads and refreshes in one)",
    )
    args = parser.parse_args()
    admin = admin_dsn()
    with psycopg.connect(admin) as conn:
        version = conn.execute(load_sql("bench/server_version.sql")).fetchone()[0]
        shared_buffers = conn.execute(load_sql("bench/shared_buffers.sql")).fetchone()[0]
    print(f"PostgreSQL {version} at {conninfo_to_dict(admin).get('host')}, shared_buffers {shared_buffers},"
          f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    bench_load(admin, args.load_tickets)
    bench_refresh(
        admin, args.small, args.large, args.changed, args.repeats, separate_load=args.separate_load_transaction,
        extra_sizes=tuple(int(size) for size in args.extra_sizes.split(",") if size.strip()),
        warm_cache=args.warm_os_cache,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
