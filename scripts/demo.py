"""The one-command demo (`make demo`) and the Airflow UI on the same data (`make airflow`).

`demo`: starts the Freshdesk simulator with a seeded account, picks a warehouse
($WAREHOUSE_DSN, else a local PostgreSQL, else an embedded one under .local/), sets the two
connections, runs `freshdesk_backfill` over the last 30 days and one `freshdesk_incremental`
with `airflow dags test`, and prints the busiest queues. Re-running it is harmless: the
import is idempotent.

`airflow`: `airflow standalone` with the DAGs, the provider, the `freshdesk_api` pool and both
connections ready, against the same simulator and warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from ensure_postgres import airflow_postgres_conn, dsn_for, ensure_postgres  # noqa: E402

DEMO_DATABASE = "freshdesk_demo"
BIN = Path(sys.executable).parent


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def simulator_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_simulator/stats", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_simulator(state_dir: Path, port: int, seed: int, tickets: int, days: int, api_key: str) -> str:
    """Start the simulator in the background (or reuse the demo's running one); return its URL."""
    known = read_state(state_dir).get("simulator")
    for url in (known, f"http://127.0.0.1:{port}" if port else None):
        if url and simulator_answers(url):
            step(f"Freshdesk simulator already running at {url}")
            return url
    step(f"Starting the Freshdesk simulator: {tickets} tickets over {days} days (seed {seed})")
    log_path = state_dir / "simulator.log"
    ready_file = state_dir / "simulator.ready.json"
    ready_file.unlink(missing_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                str(BIN / "python"), "-m", "freshdesk_provider.simulator",
                "--port", str(port), "--seed", str(seed), "--tickets", str(tickets),
                "--days", str(days), "--api-key", api_key, "--ready-file", str(ready_file),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this script, so `make airflow` can use it too
        )
    deadline = time.monotonic() + 300
    url = None
    while url is None:
        try:
            url = json.loads(ready_file.read_text())["url"]
        except (OSError, ValueError, KeyError):  # not written yet, or half written
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                tail = log_path.read_text()[-2000:]
                raise SystemExit(f"The simulator did not start (port {port} taken?); {log_path}:\n{tail}") from None
            time.sleep(0.2)
    (state_dir / "simulator.pid").write_text(str(proc.pid))
    write_state(state_dir, simulator=url)
    step(f"Simulator ready at {url} (pid {proc.pid}, log {log_path})")
    return url


def read_state(state_dir: Path) -> dict[str, str]:
    try:
        return json.loads((state_dir / "demo.json").read_text())
    except (OSError, ValueError):
        return {}


def write_state(state_dir: Path, **values: str) -> None:
    (state_dir / "demo.json").write_text(json.dumps({**read_state(state_dir), **values}, indent=2))


def warehouse_dsn(database: str) -> str:
    if os.environ.get("WAREHOUSE_DSN"):
        dsn = ensure_postgres()
        step(f"Warehouse: $WAREHOUSE_DSN ({conninfo_to_dict(dsn).get('dbname')})")
        return dsn
    admin = ensure_postgres()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    dsn = dsn_for(database, admin)
    params = conninfo_to_dict(dsn)
    step(f"Warehouse: database {database} on {params.get('host')}:{params.get('port', 5432)}")
    return dsn


def connections(sim_url: str, api_key: str, dsn: str) -> dict[str, dict[str, object]]:
    """The contract's two connections, in `airflow connections import` form."""
    return {
        "freshdesk_default": {"conn_type": "freshdesk", "host": sim_url, "password": api_key},
        "freshdesk_warehouse": airflow_postgres_conn(dsn),
    }


def airflow_env(state_dir: Path, port: int) -> dict[str, str]:
    # The connections live in Airflow's metadata database (see prepare_airflow), where the UI
    # and the REST API show them; variables from the user's shell would silently win over them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_FRESHDESK_")}
    env.update(
        {
            "AIRFLOW_HOME": str(state_dir / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            # Not plugins/: Airflow would import every module of the provider package there as a
            # plugin. The provider is installed in .venv; this folder is for real plugins (none).
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(state_dir / "airflow" / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "FRESHDESK_SQL_DIR": str(ROOT / "include" / "sql"),
            # Only on loopback: SimpleAuthManager keeps its password in plain text.
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return env


def airflow(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    result = subprocess.run(
        [str(BIN / "airflow"), *args],
        env=env,
        capture_output=quiet,
        text=True,
    )
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"`airflow {' '.join(args)}` failed with exit code {result.returncode}")


# What of `airflow dags test`'s output is worth showing as progress; the whole log goes to a file.
_TASK_DONE = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
_HOOK_DONE = re.compile(r"(Freshdesk \S+ .*?: done, [^;]*)")
_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception)\b.*:")
_RUN_STATE = re.compile(r"DagRun Finished: dag_id=(\S+),.*? state=(\w+)")


def run_dag(env: dict[str, str], log_dir: Path, dag_id: str, *args: str) -> None:
    """`airflow dags test` with a line per finished task; the full output goes to a log file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{dag_id}.log"
    began = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(BIN / "airflow"), "dags", "test", dag_id, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if match := _TASK_DONE.search(line):
                task, index = match.groups()
                label = task if index == "-1" else f"{task}[{index}]"
                print(f"    {time.monotonic() - began:5.0f}s  {label} done", flush=True)
            elif match := _HOOK_DONE.search(line):
                print(f"            {match.group(1)}", flush=True)
        code = proc.wait()
    text = log_path.read_text(errors="replace")
    states = _RUN_STATE.findall(text)
    failed = code != 0 or not states or states[-1][1] != "success"
    if failed:
        errors = [ln for ln in text.splitlines() if "[error" in ln or "ERROR" in ln or _EXCEPTION.match(ln)]
        sys.stderr.write("\n".join(errors[-20:]) + "\n")
        raise SystemExit(f"{dag_id} failed (exit code {code}); the full log is {log_path}")
    step(f"{dag_id} succeeded in {time.monotonic() - began:.0f}s (log {log_path})")


def prepare_airflow(env: dict[str, str], conns: dict[str, dict[str, object]]) -> None:
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    step("Preparing Airflow (SQLite metadata under the state dir): the freshdesk_api pool and both connections")
    airflow(env, "db", "migrate", quiet=True)
    airflow(env, "pools", "set", "freshdesk_api", "4", "Concurrent Freshdesk extraction slices", quiet=True)
    conn_file = home / "demo_connections.json"
    conn_file.touch(mode=0o600)
    conn_file.write_text(json.dumps(conns, indent=2))
    airflow(env, "connections", "import", "--overwrite", str(conn_file), quiet=True)


def summary(dsn: str, start: datetime) -> None:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT queue_name, sum(contacts) AS contacts FROM freshdesk.queue_interval_volume "
            "WHERE interval_start >= %s GROUP BY queue_name ORDER BY contacts DESC, queue_name LIMIT 10",
            (start,),
        ).fetchall()
        totals = conn.execute(
            "SELECT (SELECT count(*) FROM freshdesk_raw.tickets), (SELECT count(*) FROM freshdesk_raw.conversations), "
            "(SELECT count(*) FROM freshdesk.queue_interval_volume), "
            "(SELECT coalesce(sum(contacts), 0) FROM freshdesk.queue_interval_volume WHERE interval_start >= %s)",
            (start,),
        ).fetchone()
    print()
    print(f"Busiest queues since {start.date().isoformat()} (contacts):")
    width = max((len(r[0]) for r in rows), default=10)
    for name, contacts in rows:
        print(f"  {name:<{width}}  {contacts:>7}")
    print(f"  {'all queues':<{width}}  {totals[3]:>7}")
    print()
    print(f"Warehouse: {totals[0]} tickets and {totals[1]} conversations in freshdesk_raw; "
          f"{totals[2]} rows in freshdesk.queue_interval_volume")
    p = conninfo_to_dict(dsn)
    if p.get("host", "").startswith("/") or p.get("password"):
        print(f"  psql \"{dsn}\"")
    else:
        print(f"  psql -h {p.get('host')} -p {p.get('port', 5432)} -U {p.get('user')} {p['dbname']}")
    print("  tables: freshdesk.queue_interval_volume (15 min), views freshdesk.queue_volume_30m / _60m / _daily;")
    print("  every table and column: docs/WAREHOUSE.md")
    print("Open the Airflow UI on the same data:  make airflow")
    print("Stop the simulator when done:          make demo-stop")


def run_demo(args: argparse.Namespace) -> None:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    sim_url = start_simulator(state_dir, args.port, args.seed, args.tickets, args.days, args.api_key)
    dsn = warehouse_dsn(args.database)
    write_state(state_dir, dsn=dsn, api_key=args.api_key, database=args.database)
    env = airflow_env(state_dir, args.airflow_port)
    prepare_airflow(env, connections(sim_url, args.api_key, dsn))
    start = (datetime.now(timezone.utc) - timedelta(days=args.backfill_days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    step(f"Running freshdesk_backfill from {start.date().isoformat()} to now (airflow dags test)")
    run_dag(env, state_dir / "logs", "freshdesk_backfill", "-c", json.dumps({"start": start.isoformat()}))
    step("Running freshdesk_incremental once (from the watermark the backfill left)")
    run_dag(env, state_dir / "logs", "freshdesk_incremental")
    summary(dsn, start)
    print(f"Done in {time.monotonic() - began:.0f}s.")


def run_airflow_ui(args: argparse.Namespace) -> None:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    sim_url = start_simulator(state_dir, args.port, args.seed, args.tickets, args.days, args.api_key)
    dsn = warehouse_dsn(read_state(state_dir).get("database") or args.database)
    port = args.airflow_port
    env = airflow_env(state_dir, port)
    prepare_airflow(env, connections(sim_url, args.api_key, dsn))
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    write_state(state_dir, airflow_pid=str(os.getpid()), airflow_url=f"http://localhost:{port}")
    step(f"Starting airflow standalone on http://localhost:{port} (Ctrl-C stops it)")
    step(f"Log in as 'admin'; the password is printed below and kept in {passwords}")
    os.execve(str(BIN / "airflow"), [str(BIN / "airflow"), "standalone"], env)


def _terminate(pid: int, what: str) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # its own session: the process group has the same id
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            step(f"Stopped the {what} (pid {pid})")
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    step(f"Killed the {what} (pid {pid})")


def run_stop(args: argparse.Namespace) -> None:
    """Stop the simulator the demo left running (for `make airflow`)."""
    state_dir = Path(args.state_dir).resolve()
    pid_file = state_dir / "simulator.pid"
    if not pid_file.exists():
        step("No demo simulator to stop")
        return
    pid = int(pid_file.read_text())
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b"freshdesk_provider.simulator"  # no /proc: trust the pid file
    if b"freshdesk_provider.simulator" in cmdline:
        _terminate(pid, "Freshdesk simulator")
    else:
        step("The demo simulator is not running any more")
    pid_file.unlink(missing_ok=True)
    write_state(state_dir, simulator="")


def run_env(args: argparse.Namespace) -> None:
    """Print `export` lines that point the `airflow` CLI at the demo: eval "$(... demo.py env)"."""
    env = airflow_env(Path(args.state_dir).resolve(), args.airflow_port)
    for key, value in env.items():
        if key == "PATH" or key.startswith(("AIRFLOW", "FRESHDESK_")):
            print(f"export {key}={shlex.quote(value)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["demo", "airflow", "stop", "env"],
                        help="demo: run it all; airflow: the UI on the same data; stop: stop the simulator; "
                        "env: print exports for the airflow CLI")
    parser.add_argument("--state-dir", default=str(ROOT / ".local" / "demo"),
                        help="simulator log and pid, Airflow's home and the DAG logs (default .local/demo)")
    parser.add_argument("--port", type=int, default=8099, help="simulator port; 0 picks a free one")
    parser.add_argument("--airflow-port", type=int, default=int(os.environ.get("AIRFLOW_PORT", "8080")),
                        help="port of `airflow` (api-server and UI), default $AIRFLOW_PORT or 8080")
    parser.add_argument("--database", default=DEMO_DATABASE,
                        help=f"warehouse database created beside the local/embedded server's (default {DEMO_DATABASE});"
                        " ignored with $WAREHOUSE_DSN")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--backfill-days", type=int, default=30)
    parser.add_argument("--api-key", default="demo-api-key")
    args = parser.parse_args(argv)
    {"demo": run_demo, "airflow": run_airflow_ui, "stop": run_stop, "env": run_env}[args.command](args)


if __name__ == "__main__":
    main()
