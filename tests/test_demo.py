"""`make demo`'s entry point, run as users run it, on a small account.

scripts/demo.py is started as a subprocess exactly as the Makefile does, on the default warehouse
path (no $WAREHOUSE_DSN: the local or embedded PostgreSQL) with a database of its own, a free
simulator port and a temporary state directory, so it never touches the real demo's database,
simulator or Airflow home. Then `demo.py stop` stops the simulator the demo leaves running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "scripts" / "demo.py"

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_demo_runs_end_to_end_on_a_small_account_and_stops_its_simulator(tmp_path: Path) -> None:
    state_dir = tmp_path / "demo"
    database = f"freshdesk_demo_test_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_DSN" and not k.startswith("AIRFLOW")}
    common = ["--state-dir", str(state_dir), "--database", database]
    demo = [sys.executable, str(DEMO), "demo", "--tickets", "400", "--days", "20", "--backfill-days", "10",
            "--port", "0", *common]
    dsn = None
    try:
        result = subprocess.run(demo, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)
        state = json.loads((state_dir / "demo.json").read_text())
        dsn = state.get("dsn")
        out = result.stdout
        assert result.returncode == 0, out[-4000:] + result.stderr[-4000:]
        for line in (
            "==> Simulator ready at http://127.0.0.1:",
            f"==> Warehouse: database {database} on ",
            "==> freshdesk_backfill succeeded",
            "==> freshdesk_incremental succeeded",
            "Busiest queues since ",
            "Warehouse: ",
            "Open the Airflow UI on the same data:  make airflow",
            "Done in ",
        ):
            assert line in out, f"missing {line!r} in:\n{out}"
        assert ":8099" not in state["simulator"], "--port 0 must pick a free port"
        assert conninfo_to_dict(dsn)["dbname"] == database
        with psycopg.connect(dsn) as conn:
            volume_rows, contacts = conn.execute(
                "SELECT count(*), coalesce(sum(contacts), 0) FROM freshdesk.queue_interval_volume"
            ).fetchone()
            tickets = conn.execute("SELECT count(*) FROM freshdesk_raw.tickets").fetchone()[0]
        assert volume_rows > 0 and contacts > 0 and tickets > 0
        assert f"Warehouse: {tickets} tickets and " in out
        assert f"{volume_rows} rows in freshdesk.queue_interval_volume" in out
        # The summary's top queue is a real queue with its real count.
        first = out.split("(contacts):\n", 1)[1].splitlines()[0]
        assert first.split()[-1].isdigit() and int(first.split()[-1]) > 0
    finally:
        pid_file = state_dir / "simulator.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        stop = subprocess.run([sys.executable, str(DEMO), "stop", *common], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        if dsn:
            admin = make_conninfo(**{**conninfo_to_dict(dsn), "dbname": "postgres"})
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert "Stopped the Freshdesk simulator" in stop.stdout
    assert pid is not None and not _pid_alive(pid)
