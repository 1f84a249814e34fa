"""Shared fixtures: a real PostgreSQL (one fresh database per test), the Freshdesk simulator
over real HTTP, and an Airflow home whose metadata database is PostgreSQL too.

Environment is set before anything imports Airflow, so every test sees the same config.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
sys.path.insert(0, str(PROJECT_ROOT / "tests"))

from ensure_postgres import airflow_postgres_conn, dsn_for, ensure_postgres, sqlalchemy_url  # noqa: E402

PG_ADMIN_DSN = os.environ.get("FRESHDESK_TEST_PG_DSN") or ensure_postgres()
os.environ["FRESHDESK_TEST_PG_DSN"] = PG_ADMIN_DSN

AIRFLOW_HOME = PROJECT_ROOT / ".local" / "airflow-test"
AIRFLOW_META_DB = "freshdesk_test_airflow_meta"


def _dsn_for(database: str, dsn: str = PG_ADMIN_DSN) -> str:
    return dsn_for(database, dsn)


os.environ.setdefault("AIRFLOW_HOME", str(AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(PROJECT_ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", sqlalchemy_url(_dsn_for(AIRFLOW_META_DB)))
os.environ.setdefault("FRESHDESK_SQL_DIR", str(PROJECT_ROOT / "include" / "sql"))
# Short retry delays so that retried tasks under dag.test() do not sleep for minutes.
os.environ.setdefault("FRESHDESK_RETRY_DELAY_SECONDS", "1")


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    return PG_ADMIN_DSN


@pytest.fixture
def fresh_database() -> Iterator[Callable[[], str]]:
    """Factory of empty databases, dropped when the test ends."""
    created: list[str] = []

    def make() -> str:
        name = f"fdtest_{uuid.uuid4().hex[:12]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _dsn_for(name)

    yield make
    for name in created:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def warehouse_dsn(fresh_database: Callable[[], str]) -> str:
    """DSN of an empty database of its own for this test."""
    return fresh_database()


@pytest.fixture
def warehouse_conn_env(warehouse_dsn: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the contract's `freshdesk_warehouse` connection at this test's database."""
    import json


    monkeypatch.setenv("AIRFLOW_CONN_FRESHDESK_WAREHOUSE", json.dumps(airflow_postgres_conn(warehouse_dsn)))
    return warehouse_dsn


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., object]]:
    """Factory of running simulators (real HTTP on 127.0.0.1), stopped when the test ends."""
    from freshdesk_provider.simulator import FreshdeskSimulator, SimulatorConfig

    started: list[FreshdeskSimulator] = []

    def make(**config: object) -> FreshdeskSimulator:
        sim = FreshdeskSimulator(SimulatorConfig(**config))
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def freshdesk_conn_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Point the contract's `freshdesk_default` connection at a simulator."""
    import json

    def point_at(sim: object, **extra: object) -> None:
        conn = {
            "conn_type": "freshdesk",
            "host": sim.url,  # type: ignore[attr-defined]
            "password": sim.api_key,  # type: ignore[attr-defined]
        }
        if extra:
            conn["extra"] = json.dumps(extra)
        monkeypatch.setenv("AIRFLOW_CONN_FRESHDESK_DEFAULT", json.dumps(conn))

    return point_at


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """Airflow's metadata database (PostgreSQL), migrated once per session."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (AIRFLOW_META_DB,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{AIRFLOW_META_DB}"')
    AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
