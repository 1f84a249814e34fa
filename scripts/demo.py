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
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from ensure_postgres import ensure_postgres  # noqa: E402

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
    """Start the simulator in the background (or reuse one already on the port); return its URL."""
    url = f"http://127.0.0.1:{port}"
    if port and simulator_answers(url):
        step(f"Freshdesk simulator already running at {url}")
        return url
    step(f"Starting the Freshdesk simulator: {tickets} tickets over {days} days (seed {seed})")
    log_path = state_dir / "simulator.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            str(BIN / "python"), "-m", "freshdesk_provider.simulator",
            "--port", str(port), "--seed", str(seed), "--tickets", str(tickets),
            "--days", str(days), "--api-key", api_key,
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,  # outlives this script, so `make airflow` can use it too
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    fields = dict(word.split("=", 1) for word in line.split() if "=" in word)
    if proc.poll() is not None or "url" not in fields:
        raise SystemExit(f"The simulator did not start; see {log_path}")
    url = fields["url"]
    (state_dir / "simulator.pid").write_text(str(proc.pid))
    step(f"Simulator ready at {url} (pid {proc.pid}, log {log_path})")
    return url


def warehouse_dsn() -> str:
    if os.environ.get("WAREHOUSE_DSN"):
        dsn = ensure_postgres()
        step(f"Warehouse: $WAREHOUSE_DSN ({conninfo_to_dict(dsn).get('dbname')})")
        return dsn
    admin = ensure_postgres()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DEMO_DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DEMO_DATABASE}"')
    params = conninfo_to_dict(admin)
    params["dbname"] = DEMO_DATABASE
    dsn = make_conninfo(**params)
    step(f"Warehouse: database {DEMO_DATABASE} on {params.get('host')}:{params.get('port', 5432)}")
    return dsn


def airflow_env(state_dir: Path, sim_url: str, api_key: str, dsn: str) -> dict[str, str]:
    p = conninfo_to_dict(dsn)
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(state_dir / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "FRESHDESK_SQL_DIR": str(ROOT / "include" / "sql"),
            "AIRFLOW_CONN_FRESHDESK_DEFAULT": json.dumps(
                {"conn_type": "freshdesk", "host": sim_url, "password": api_key}
            ),
            "AIRFLOW_CONN_FRESHDESK_WAREHOUSE": json.dumps(
                {
                    "conn_type": "postgres",
                    "host": p.get("host", "127.0.0.1"),
                    "port": int(p.get("port") or 5432),
                    "login": p.get("user"),
                    "password": p.get("password") or None,
                    "schema": p["dbname"],
                }
            ),
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


def prepare_airflow(env: dict[str, str]) -> None:
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    step("Preparing Airflow's metadata database and the freshdesk_api pool")
    airflow(env, "db", "migrate", quiet=True)
    airflow(env, "pools", "set", "freshdesk_api", "4", "Concurrent Freshdesk extraction slices", quiet=True)


def summary(dsn: str, start: datetime) -> None:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT queue_name, sum(contacts) AS contacts FROM freshdesk.queue_interval_volume "
            "WHERE interval_start >= %s GROUP BY queue_name ORDER BY contacts DESC, queue_name LIMIT 10",
            (start,),
        ).fetchall()
        totals = conn.execute(
            "SELECT (SELECT count(*) FROM freshdesk_raw.tickets), (SELECT count(*) FROM freshdesk_raw.conversations), "
            "(SELECT count(*) FROM freshdesk.queue_interval_volume)"
        ).fetchone()
    print()
    print(f"Busiest queues since {start.date().isoformat()} (contacts):")
    width = max((len(r[0]) for r in rows), default=10)
    for name, contacts in rows:
        print(f"  {name:<{width}}  {contacts:>7}")
    print()
    print(f"Warehouse: {totals[0]} tickets, {totals[1]} conversations in freshdesk_raw; "
          f"{totals[2]} rows in freshdesk.queue_interval_volume")
    p = conninfo_to_dict(dsn)
    print(f"  psql \"{dsn}\" -c 'SELECT * FROM freshdesk.queue_interval_volume ORDER BY interval_start DESC LIMIT 20'"
          if p.get("host", "").startswith("/") else
          f"  psql -h {p.get('host')} -p {p.get('port', 5432)} -U {p.get('user')} {p['dbname']}")
    print("Open the Airflow UI on the same data:  make airflow")


def run_demo(args: argparse.Namespace) -> None:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    sim_url = start_simulator(state_dir, args.port, args.seed, args.tickets, args.days, args.api_key)
    dsn = warehouse_dsn()
    env = airflow_env(state_dir, sim_url, args.api_key, dsn)
    (state_dir / "demo.json").write_text(json.dumps({"simulator": sim_url, "dsn": dsn, "api_key": args.api_key}))
    prepare_airflow(env)
    start = (datetime.now(timezone.utc) - timedelta(days=args.backfill_days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    step(f"Running freshdesk_backfill from {start.date().isoformat()} (airflow dags test)")
    airflow(env, "dags", "test", "freshdesk_backfill", "-c", json.dumps({"start": start.isoformat()}))
    step("Running freshdesk_incremental once")
    airflow(env, "dags", "test", "freshdesk_incremental")
    summary(dsn, start)
    print(f"Done in {time.monotonic() - began:.0f}s.")


def run_airflow_ui(args: argparse.Namespace) -> None:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    sim_url = start_simulator(state_dir, args.port, args.seed, args.tickets, args.days, args.api_key)
    dsn = warehouse_dsn()
    env = airflow_env(state_dir, sim_url, args.api_key, dsn)
    prepare_airflow(env)
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    step("Starting airflow standalone on http://localhost:8080 (Ctrl-C stops it)")
    step(f"Log in as 'admin'; the password is printed below and kept in {passwords}")
    os.execve(str(BIN / "airflow"), [str(BIN / "airflow"), "standalone"], env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["demo", "airflow"])
    parser.add_argument("--state-dir", default=str(ROOT / ".local" / "demo"))
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--backfill-days", type=int, default=30)
    parser.add_argument("--api-key", default="demo-api-key")
    args = parser.parse_args(argv)
    run_demo(args) if args.command == "demo" else run_airflow_ui(args)


if __name__ == "__main__":
    main()
