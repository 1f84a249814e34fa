"""Import benchmark (issue #9): credits, budget use, hourly sync, CPU, latency hiding, memory, refresh.

A script that prints one table, not a timed test. Every scenario runs the simulator in a process
of its own (its CLI) and the importer in another (this script with ``--child``), so the importer's
CPU seconds and peak RSS are measured alone. The importer runs the real operators
(``FreshdeskToPostgresOperator`` / ``FreshdeskIncrementalSyncOperator``) with environment
connections, then the warehouse refresh, into a scratch database.

Usage: .venv/bin/python bench/run.py [--quick] [--only credits,realtime,sync,cpu,latency,memory,refresh]
PostgreSQL: $FRESHDESK_TEST_PG_DSN, else scripts/ensure_postgres.py's choice.

Minimum credits (what no importer can go below, for the same data):
  per list walk (normal, deleted, spam): max(1, ceil(tickets in the walk / 100)) list calls, each
  1 + 2 per include; plus one call per conversation page (max(1, ceil(n / 100))) of every listed
  ticket whose conversations can be read (not deleted: Freshdesk answers 403 there, which carries
  no data). Archived tickets are not in any list (Freshdesk serves them only by id); an archived
  ticket's conversation pages would count the same as a live one's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

from bench_warehouse import admin_dsn  # noqa: E402
from bench_warehouse import scratch_database as empty_database  # noqa: E402
from ensure_postgres import airflow_postgres_conn  # noqa: E402

os.environ.setdefault("FRESHDESK_SQL_DIR", str(PROJECT_ROOT / "include" / "sql"))
PY = sys.executable
STREAMS = {"normal": "tickets", "deleted": "tickets_deleted", "spam": "tickets_spam"}


# ----------------------------------------------------------------------------- PostgreSQL
@contextmanager
def scratch_database(admin: str, label: str) -> Iterator[str]:
    """An empty, migrated database of its own, dropped afterwards."""
    import psycopg

    from freshdesk_provider.warehouse.migrations import migrate

    with empty_database(admin, label) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn)
        yield dsn


def warehouse_conn(dsn: str) -> str:
    return json.dumps(airflow_postgres_conn(dsn))


# ----------------------------------------------------------------------------- simulator
class Sim:
    """The simulator's CLI in a child process, driven over HTTP."""

    def __init__(self, **options: Any) -> None:
        self.ready = Path(tempfile.mkdtemp(prefix="fdbench_")) / "ready.json"
        cmd = [PY, "-m", "freshdesk_provider.simulator", "--port", "0", "--ready-file", str(self.ready)]
        for key, value in options.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "ready" not in line:
            raise RuntimeError(f"simulator did not start: {line!r}")
        info = json.loads(self.ready.read_text())
        self.url, self.api_key = info["url"], info["api_key"]

    def call(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/_simulator/{path}", data=data, method="POST" if data else "GET")
        if data:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.loads(resp.read())

    def reset_stats(self) -> None:
        req = urllib.request.Request(f"{self.url}/_simulator/reset_stats", data=b"{}", method="POST")
        urllib.request.urlopen(req, timeout=60).read()

    def conn(self, **extra: Any) -> str:
        conn: dict[str, Any] = {"conn_type": "freshdesk", "host": self.url, "password": self.api_key}
        if extra:
            conn["extra"] = json.dumps(extra)
        return json.dumps(conn)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextmanager
def simulator(**options: Any) -> Iterator[Sim]:
    sim = Sim(**options)
    try:
        yield sim
    finally:
        sim.stop()


def pages(n: int) -> int:
    return max(1, math.ceil(n / 100))


def minimum_credits(truth: dict[str, Any], ticket_ids: set[int] | None = None) -> dict[str, int]:
    """Minimum credits to read ``ticket_ids`` (default: every ticket) with their conversations."""
    walks = {"normal": 0, "deleted": 0, "spam": 0}
    conv_pages = 0
    conversations = truth["conversations"]
    for t in truth["tickets"]:
        if ticket_ids is not None and t["id"] not in ticket_ids:
            continue
        view = "deleted" if t["deleted"] else "spam" if t.get("spam") else "archived" if t["archived"] else "normal"
        if view == "archived":
            continue
        walks[view] += 1
        if view != "deleted":
            conv_pages += pages(len(conversations[str(t["id"])]))
    list_calls = sum(pages(n) for n in walks.values())
    return {"list": list_calls, "conversations": conv_pages, "total": list_calls + conv_pages, **walks}


# ----------------------------------------------------------------------------- child runs
def run_child(spec: dict[str, Any], env: dict[str, str], timeout: float = 3600) -> dict[str, Any]:
    full_env = {**os.environ, **env}
    out = subprocess.run(
        [PY, __file__, "--child", json.dumps(spec)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-5000:])
        raise RuntimeError(f"child {spec['op']} failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_main(spec: dict[str, Any]) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    import threading

    import psycopg

    from freshdesk_provider.operators.freshdesk_to_postgres import (
        FreshdeskIncrementalSyncOperator,
        FreshdeskToPostgresOperator,
    )
    from freshdesk_provider.warehouse.refresh import refresh_volumes

    profiler = None
    if spec.get("profile"):
        import cProfile
        import threading

        profiler = cProfile.Profile(time.thread_time)
        thread_profiles: list[Any] = []
        original_run = threading.Thread.run

        def profiled_run(self: threading.Thread) -> None:
            prof = cProfile.Profile(time.thread_time)
            thread_profiles.append(prof)
            prof.enable()
            try:
                original_run(self)
            finally:
                prof.disable()

        threading.Thread.run = profiled_run  # type: ignore[method-assign]
    samples: list[tuple[float, float]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(2.0):
            samples.append((round(time.perf_counter() - began, 1), round(_rss_mb("VmRSS:"), 1)))

    before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    threading.Thread(target=sample, daemon=True).start()
    if profiler:
        profiler.enable()
    if spec["op"] == "backfill":
        op = FreshdeskToPostgresOperator(
            task_id="bench_backfill",
            window_start=spec["start"],
            window_end=spec.get("end"),
            advance_watermark=True,
        )
        result = op.execute(context={"run_id": "bench"})
        extract_peak = _rss_mb("VmHWM:")
        with psycopg.connect(spec["dsn"]) as conn:
            refresh_volumes(conn)
            conn.commit()
    else:
        op = FreshdeskIncrementalSyncOperator(task_id="bench_incremental")
        result = op.execute(context={"run_id": "bench"})
        extract_peak = _rss_mb("VmHWM:")
    wall = time.perf_counter() - began
    sampling.set()
    if profiler:
        profiler.disable()
    after = resource.getrusage(resource.RUSAGE_SELF)
    top: list[tuple[str, float, float]] = []
    by_package: dict[str, float] = {}
    if profiler:
        import pstats

        st = pstats.Stats(profiler)
        for prof in thread_profiles:
            st.add(prof)
        for (filename, line, func), (_cc, _nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
            by_package[_package(filename)] = by_package.get(_package(filename), 0.0) + tt
            top.append((f"{_short(filename)}:{line}({func})", tt, ct))
        top.sort(key=lambda x: -x[1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "maxrss_mb": _rss_mb("VmHWM:"),
                "rss_samples": samples,
                "extract_peak_mb": extract_peak,
                "result": result,
                "top": top[:15],
                "by_package": dict(sorted(by_package.items(), key=lambda kv: -kv[1])[:10]),
            },
            default=str,
        )
    )


def _rss_mb(field: str) -> float:
    """This process's RSS (``VmRSS:``) or peak RSS (``VmHWM:``). Not ru_maxrss: Linux carries that
    over from the forking parent across exec, so a child of a big parent reports the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _package(filename: str) -> str:
    if "freshdesk_provider" in filename:
        return "ours (freshdesk_provider)"
    for name in ("requests", "urllib3", "psycopg", "airflow", "json", "http", "socket", "ssl", "threading"):
        tail = filename.split("site-packages")[-1]
        if f"/{name}/" in tail or tail.endswith(f"/{name}.py"):
            return name
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: socket, json, locks)"
    return "other stdlib/libs"


def _short(filename: str) -> str:
    for marker in ("site-packages/", "freshdesk_provider/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# ----------------------------------------------------------------------------- scenarios
SIM_DATA = {"days": 365, "deleted_fraction": 0.03, "spam_fraction": 0.03, "archived_fraction": 0.05}


def backfill(
    sim: Sim, dsn: str, extra: dict[str, Any], *, profile: bool = False, start: str = "2000-01-01"
) -> dict[str, Any]:
    sim.reset_stats()
    env = {
        "AIRFLOW_CONN_FRESHDESK_DEFAULT": sim.conn(**extra),
        "AIRFLOW_CONN_FRESHDESK_WAREHOUSE": warehouse_conn(dsn),
    }
    out = run_child({"op": "backfill", "start": start, "dsn": dsn, "profile": profile}, env)
    out["sim"] = sim.call("stats")
    return out


def incremental(sim: Sim, dsn: str, extra: dict[str, Any]) -> dict[str, Any]:
    sim.reset_stats()
    env = {
        "AIRFLOW_CONN_FRESHDESK_DEFAULT": sim.conn(**extra),
        "AIRFLOW_CONN_FRESHDESK_WAREHOUSE": warehouse_conn(dsn),
    }
    out = run_child({"op": "incremental", "dsn": dsn}, env)
    out["sim"] = sim.call("stats")
    return out


def scenario_credits_budget(admin: str, tickets: int, rate: int, window: float, rows: list, label: str) -> dict:
    """Credits ratio and budget use of a full backfill (one process, default concurrency)."""
    with simulator(tickets=tickets, rate_limit=rate, window_seconds=window, **SIM_DATA) as sim:
        with scratch_database(admin, "credits") as dsn:
            out = backfill(sim, dsn, {"rate_limit_window_seconds": window})
        truth = sim.call("account")
    minimum = minimum_credits(truth)
    s = out["sim"]
    credits = s["credits_used"]
    floor_seconds = minimum["total"] / (rate / window)
    budget_ratio = out["wall"] / floor_seconds
    pct429 = 100.0 * s["throttled_429"] / max(1, s["requests"])
    rows.append(
        (
            f"1. credits ÷ minimum ({label})",
            f"{credits / minimum['total']:.4f}",
            "≤ 1.02",
            f"{credits} credits vs minimum {minimum['total']} ({minimum['list']} list + "
            f"{minimum['conversations']} conversation pages); by kind {s['requests_by_kind']}",
        )
    )
    rows.append(
        (
            f"2. wall ÷ (min credits ÷ budget) ({label})",
            f"{budget_ratio:.3f}",
            "≤ 1.05, 429 < 0.1%",
            f"wall {out['wall']:.1f} s vs floor {floor_seconds:.1f} s; 429s {s['throttled_429']} "
            f"({pct429:.3f}% of {s['requests']} requests); task ok",
        )
    )
    return {"out": out, "minimum": minimum, "credits": credits}


def scenario_sync(admin: str, small: int, large: int, changed: int, rows: list) -> None:
    """Credits of one incremental run after `changed` random mutations, on two account sizes."""
    results = {}
    for tickets in (small, large):
        # The account's history ends a few minutes before the import, as it would an hour before
        # a sync: the generator sets many tickets' times to its "now", and a version read within
        # REUSE_AFTER_READ_LAG of its change is read again by the next sync (on purpose: a reply
        # in the same second as the read would not move updated_at).
        history_end = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with simulator(tickets=tickets, now=history_end, **SIM_DATA) as sim, scratch_database(admin, "sync") as dsn:
            if tickets == small:
                backfill(sim, dsn, {})
            else:
                # The sync reads what changed since the watermark, whatever is stored before it:
                # import the last two days (which sets the watermark as a full backfill would)
                # rather than the whole large account.
                now = datetime.fromisoformat(sim.call("summary")["now"].replace("Z", "+00:00"))
                backfill(sim, dsn, {}, start=(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            time.sleep(1.1)  # mutations land after the watermark second
            mutated = sim.call("mutate", {"op": "random", "n": changed, "seed": 11})["result"]
            ids = set(mutated["ticket_ids"]) | set(mutated.get("new_ticket_ids", []))
            out = incremental(sim, dsn, {})
            truth = sim.call("account") if tickets == small else _truth_for(sim, ids)
        minimum = minimum_credits(truth, ids)
        results[tickets] = (out, minimum)
    for tickets, (out, minimum) in results.items():
        s = out["sim"]
        rows.append(
            (
                f"3. hourly sync credits ÷ minimum ({tickets:,} tickets)",
                f"{s['credits_used'] / minimum['total']:.3f}",
                "≤ 1.05",
                f"{s['credits_used']} credits vs {minimum['total']} ({minimum['list']} list + "
                f"{minimum['conversations']} conversation pages for {len(_ids(minimum))} changed); "
                f"wall {out['wall']:.1f} s; by kind {s['requests_by_kind']}",
            )
        )
    (o1, _), (o2, _) = results[small], results[large]
    c1, c2 = o1["sim"]["credits_used"], o2["sim"]["credits_used"]
    rows.append(
        (
            f"3. sync credits {large:,} ÷ {small:,} tickets",
            f"{c2 / c1:.3f}",
            "0.95 to 1.05",
            f"{c1} vs {c2} credits; wall {o1['wall']:.1f} s vs {o2['wall']:.1f} s",
        )
    )


def _ids(minimum: dict[str, int]) -> list[int]:
    return [0] * (minimum["normal"] + minimum["deleted"] + minimum["spam"])


def _truth_for(sim: Sim, ids: set[int]) -> dict[str, Any]:
    """The truth of only `ids` (the whole account of a large simulator is too big to move)."""
    truth = sim.call("account?conversations=0")
    tickets = [t for t in truth["tickets"] if t["id"] in ids]
    del truth
    conversations = {}
    for t in tickets:
        if t["deleted"] or t["archived"]:
            conversations[str(t["id"])] = []
            continue
        kind = "archived/" if t["archived"] else ""
        n, page = 0, 1
        while True:
            req = urllib.request.Request(
                f"{sim.url}/api/v2/tickets/{kind}{t['id']}/conversations?per_page=100&page={page}"
            )
            import base64

            req.add_header("Authorization", "Basic " + base64.b64encode(f"{sim.api_key}:X".encode()).decode())
            with urllib.request.urlopen(req) as resp:
                items = json.loads(resp.read())
                more = "next" in (resp.headers.get("Link") or "")
            n += len(items)
            if not more:
                break
            page += 1
        conversations[str(t["id"])] = [None] * n
    return {"tickets": tickets, "conversations": conversations}


def scenario_cpu(admin: str, tickets: int, profile_tickets: int, rows: list, profile_lines: list) -> None:
    with simulator(tickets=tickets, **SIM_DATA) as sim, scratch_database(admin, "cpu") as dsn:
        out = backfill(sim, dsn, {})
    req = out["sim"]["requests"]
    rows.append(
        (
            f"4. importer CPU per request ({tickets:,} tickets)",
            f"{1000 * out['cpu'] / req:.2f} ms",
            "≤ 2 ms",
            f"{out['cpu']:.1f} CPU s for {req} requests (HTTP, JSON, COPY+upsert, refresh); "
            f"wall {out['wall']:.1f} s; peak RSS {out['maxrss_mb']:.0f} MB",
        )
    )
    with simulator(tickets=profile_tickets, **SIM_DATA) as sim, scratch_database(admin, "prof") as dsn:
        prof = backfill(sim, dsn, {}, profile=True)
    total = sum(prof["by_package"].values()) or 1.0
    profile_lines.append(f"cProfile of a {profile_tickets:,}-ticket backfill (self time by package):")
    for name, tt in prof["by_package"].items():
        profile_lines.append(f"  {name:40s} {tt:7.2f} s  {100 * tt / total:5.1f}%")
    profile_lines.append("top functions by self time:")
    for name, tt, ct in prof["top"][:12]:
        profile_lines.append(f"  {tt:7.2f} s self {ct:7.2f} s cum  {name}")


def scenario_latency(admin: str, tickets: int, rows: list) -> None:
    figures = []
    with simulator(tickets=tickets, latency_ms=50, **SIM_DATA) as sim:
        for conc in (1, 4, 16):
            with scratch_database(admin, "lat") as dsn:
                out = backfill(sim, dsn, {"max_concurrency": conc})
            figures.append((conc, out["sim"]["requests"] / out["wall"]))
    grows = all(b[1] > a[1] for a, b in itertools.pairwise(figures))
    rows.append(
        (
            "5. requests/s at 50 ms latency, concurrency 1/4/16",
            " / ".join(f"{r:.0f}" for _, r in figures),
            "grows",
            f"{'grows' if grows else 'DOES NOT grow'}: speed-up x{figures[1][1] / figures[0][1]:.1f}, "
            f"x{figures[2][1] / figures[0][1]:.1f} ({tickets:,} tickets)",
        )
    )


def scenario_memory(admin: str, small: int, large: int, rows: list) -> None:
    rss = {}
    extract = {}
    timeline = {}
    for tickets in (small, large):
        with simulator(tickets=tickets, **SIM_DATA) as sim, scratch_database(admin, "mem") as dsn:
            out = backfill(sim, dsn, {})
        rss[tickets] = out["maxrss_mb"]
        extract[tickets] = out["extract_peak_mb"]
        samples = out["rss_samples"]
        picks = [samples[int(f * (len(samples) - 1))] for f in (0, 0.25, 0.5, 0.75, 1)] if samples else []
        timeline[tickets] = ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in picks)
    rows.append(
        (
            f"6. peak RSS of one slice, {small:,} vs {large:,} tickets",
            f"{extract[small]:.0f} / {extract[large]:.0f} MB",
            "no growth",
            f"ratio {extract[large] / extract[small]:.2f} at the end of the slice (operator execute); with the "
            f"refresh of all its tickets after it {rss[small]:.0f} / {rss[large]:.0f} MB; whole importer process "
            "incl. Airflow imports; RSS MB over "
            f"time: {small:,}: {timeline[small]}; {large:,}: {timeline[large]}",
        )
    )


def scenario_refresh(small: int, large: int, extra: tuple[int, ...], changed: int, rows: list) -> None:
    args = [PY, str(PROJECT_ROOT / "bench" / "bench_warehouse.py"), "--small", str(small), "--large", str(large),
            "--changed", str(changed), "--load-tickets", "2000", "--repeats", "5"]
    if extra:
        # every round from a warm OS cache: the larger warehouses' builds take minutes, and this
        # VM drops file pages idle for a minute (BENCHMARKS.md), which would time disk reads
        args += ["--extra-sizes", ",".join(map(str, extra)), "--warm-os-cache"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=3600)
    text = out.stdout
    lines = text.splitlines()
    for scenario, shape in (("recent", "changes among the newest 5,000 tickets, an hourly sync's shape"),
                            ("spread", "changes spread over all history, worst case")):
        ratios = [line.strip() for line in lines if line.startswith(f"ratio {scenario} ")]
        medians = {r.split()[2]: r.split(":")[1].split("(")[0].strip() for r in ratios if "(median)" in r}
        sizes = [" ".join(line.split()[1:3]).rstrip(":") + ": " + " ".join(line.split()[4:6]).rstrip(",")
                 + ", WAL " + " ".join(line.split()[10:12]).rstrip()
                 for line in lines if line.strip().startswith(scenario) and "median" in line]
        rows.append(
            (
                f"7. refresh after {changed:,} changes, {large:,} ÷ {small:,} tickets ({shape})",
                medians.get(f"{large:,}", "see log"),
                "≤ 1.5",
                "median of rounds; " + "; ".join(sizes) + "; ratios to "
                + f"{small:,}: " + ", ".join(f"{size} {ratio}" for size, ratio in medians.items())
                + " (bench/bench_warehouse.py)",
            )
        )
    sys.stderr.write(text[-4000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    parser.add_argument("--only", default="credits,realtime,sync,cpu,latency,memory,refresh")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(json.loads(args.child))
        return 0
    q = args.quick
    sizes = {
        "credits": 3000 if q else 30000,
        "rate": 400,
        "window": 2.0 if q else 3.0,
        "realtime": 400 if q else 1500,
        "sync_small": 3000 if q else 30000,
        "sync_large": 30000 if q else 300000,
        "changed": 300 if q else 1000,
        "cpu": 3000 if q else 30000,
        "profile": 1000 if q else 5000,
        "latency": 200 if q else 600,
        "mem_small": 1000 if q else 10000,
        "mem_large": 10000 if q else 100000,
        "refresh_large": 100000 if q else 1000000,
        "refresh_extra": () if q else (100000, 3000000),
    }
    only = set(args.only.split(","))
    admin = admin_dsn()
    rows: list[tuple[str, str, str, str]] = []
    profile_lines: list[str] = []
    began = time.time()
    if "credits" in only:
        scenario_credits_budget(admin, sizes["credits"], sizes["rate"], sizes["window"], rows,
                                f"{sizes['credits']:,} tickets, {sizes['rate']}/{sizes['window']:g} s")
    if "realtime" in only:
        scenario_credits_budget(admin, sizes["realtime"], 700, 60.0, rows, f"{sizes['realtime']:,} tickets, 700/60 s")
    if "sync" in only:
        scenario_sync(admin, sizes["sync_small"], sizes["sync_large"], sizes["changed"], rows)
    if "cpu" in only:
        scenario_cpu(admin, sizes["cpu"], sizes["profile"], rows, profile_lines)
    if "latency" in only:
        scenario_latency(admin, sizes["latency"], rows)
    if "memory" in only:
        scenario_memory(admin, sizes["mem_small"], sizes["mem_large"], rows)
    if "refresh" in only:
        scenario_refresh(10000, sizes["refresh_large"], sizes["refresh_extra"], 1000, rows)
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    print(
        f"\nFreshdesk import benchmark ({'quick' if q else 'full'}), {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.time() - began:.0f} s"
    )
    print(f"| {'figure':{width[0]}} | {'measured':{width[1]}} | {'target':{width[2]}} | detail |")
    print(f"|{'-' * (width[0] + 2)}|{'-' * (width[1] + 2)}|{'-' * (width[2] + 2)}|---|")
    for r in rows:
        print(f"| {r[0]:{width[0]}} | {r[1]:{width[1]}} | {r[2]:{width[2]}} | {r[3]} |")
    if profile_lines:
        print()
        print("\n".join(profile_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
