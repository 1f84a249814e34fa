"""Where one backfill slice's RSS goes (issue #9, figure 6): importer data or the allocator.

Runs the real ``FreshdeskToPostgresOperator`` in this process (the simulator in its own, as in
bench/run.py, so its memory is not counted) and, every ``--every`` tickets loaded, prints the
process RSS next to glibc's view (``mallinfo2``: bytes in use vs free bytes the arenas keep) and
Python's live block count. RSS that grows while "in use" and the block count stay flat is freed
memory the allocator keeps, not data the importer holds. ``--trim`` calls ``malloc_trim(0)`` at
each checkpoint and prints the RSS after it; ``--tracemalloc N`` (frames) also prints the Python
allocation sites that grew between the first and the last checkpoint (slow: about 15x).

Usage: .venv/bin/python bench/memory_trace.py [--tickets 100000] [--every 10000] [--trim] [--tracemalloc 1]
Try ``MALLOC_ARENA_MAX=1`` in the environment to see the per-thread arenas' share.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import logging
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

MB = 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                     "keepcost")
    ]


def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        return libc
    except (OSError, AttributeError):  # not glibc >= 2.33
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000)
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) at each checkpoint")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES")
    args = parser.parse_args()

    from freshdesk_provider.operators.freshdesk_to_postgres import FreshdeskToPostgresOperator
    from freshdesk_provider.warehouse import loader as loader_module

    # progress lines (stdlib and Airflow's structlog loggers) would bury the table
    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    libc = _libc()
    snapshots: list[tuple[int, tracemalloc.Snapshot]] = []
    loaded = {"tickets": 0, "next": args.every}
    began = time.perf_counter()
    print("tickets  s     RSS MB  malloc: arenas  in use  free kept  Python blocks  threads  RSS after trim")

    def checkpoint(label: str) -> None:
        gc.collect()
        line = f"{label:>7} {time.perf_counter() - began:5.0f} {bench._rss_mb('VmRSS:'):8.1f}"
        if libc is not None:
            info = libc.mallinfo2()
            line += f"  {(info.arena + info.hblkhd) / MB:14.1f}  {info.uordblks / MB:6.1f}  {info.fordblks / MB:9.1f}"
        line += f"  {sys.getallocatedblocks():13d}  {threading.active_count():7d}"
        if args.trim and libc is not None:
            libc.malloc_trim(0)
            line += f"  {bench._rss_mb('VmRSS:'):14.1f}"
        print(line, flush=True)

    original_load = loader_module.RawLoader.load

    def load(self: Any, bundles: Any) -> Any:
        bundles = bundles if isinstance(bundles, list) else list(bundles)
        stats = original_load(self, bundles)
        loaded["tickets"] += len(bundles)
        if loaded["tickets"] >= loaded["next"]:
            loaded["next"] += args.every
            checkpoint(str(loaded["tickets"]))
            if args.tracemalloc:
                # only the first and the latest: the snapshots themselves are Python objects
                del snapshots[1:]
                snapshots.append((loaded["tickets"], tracemalloc.take_snapshot()))
        return stats

    loader_module.RawLoader.load = load  # type: ignore[method-assign]
    with (
        bench.simulator(tickets=args.tickets, **bench.SIM_DATA) as sim,
        bench.scratch_database(bench.admin_dsn(), "memtrace") as dsn,
    ):
        os.environ["AIRFLOW_CONN_FRESHDESK_DEFAULT"] = sim.conn()
        os.environ["AIRFLOW_CONN_FRESHDESK_WAREHOUSE"] = bench.warehouse_conn(dsn)
        if args.tracemalloc:
            tracemalloc.start(args.tracemalloc)
        began = time.perf_counter()
        checkpoint("start")
        op = FreshdeskToPostgresOperator(task_id="memory_trace", window_start="2000-01-01", advance_watermark=True)
        op.execute(context={"run_id": "memory_trace"})
        checkpoint("done")
    print(f"peak RSS (VmHWM) {bench._rss_mb('VmHWM:'):.1f} MB")
    if len(snapshots) >= 2:
        (first_n, first), (last_n, last) = snapshots[0], snapshots[-1]
        print(f"\nPython allocation sites that grew from {first_n:,} to {last_n:,} tickets (tracemalloc):")
        for stat in last.compare_to(first, "lineno")[:10]:
            print(f"  {stat.size_diff / 1024:+8.0f} KiB {stat.count_diff:+7d} blocks  {stat.traceback[0]}")
        print(f"traced in total: {sum(s.size for s in first.statistics('filename')) / MB:.1f} MB at {first_n:,}, "
              f"{sum(s.size for s in last.statistics('filename')) / MB:.1f} MB at {last_n:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
