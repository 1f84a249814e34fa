"""docs/WAREHOUSE.md is the data dictionary BI users read: it must describe the schema the
migrations create today (regenerate it with scripts/data_dictionary.py after a migration)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_data_dictionary_matches_the_migrations(warehouse_dsn: str) -> None:
    import psycopg

    from freshdesk_provider.warehouse.migrations import migrate

    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
    check = subprocess.run(
        [sys.executable, "scripts/data_dictionary.py", "--dsn", warehouse_dsn, "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr + check.stdout
