"""Run a real, multi-process Airflow 3 cluster on this machine, shaped like docker-compose.yaml.

The components are the ones the compose file runs, as separate processes that only share
what the containers share (metadata database, Redis broker, JWT secret, execution API URL):
``airflow api-server``, ``scheduler``, ``dag-processor``, ``celery worker`` and ``triggerer``.
Tasks therefore really travel scheduler -> Redis -> Celery worker -> execution API, which
``airflow dags test`` never exercises.

Library::

    with AirflowCluster(extra_env={"AIRFLOW_CONN_FRESHDESK_DEFAULT": "..."}) as cluster:
        client = cluster.client()
        client.unpause("freshdesk_backfill")
        run_id = client.trigger("freshdesk_backfill", {"start": "2026-01-01"})
        client.wait_for_run("freshdesk_backfill", run_id, timeout=300)

CLI::

    python scripts/airflow_cluster.py up [--dags-folder DIR] [--env KEY=VALUE ...]
    python scripts/airflow_cluster.py run DAG_ID [--conf JSON] [--env KEY=VALUE ...]
    python scripts/airflow_cluster.py selfcheck   # proves a task runs on the Celery worker

`airflow_env()` is the single definition of the settings every deployment of this project
shares; tests/test_compose.py checks docker-compose.yaml against it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ensure_postgres import airflow_postgres_conn, dsn_for, ensure_postgres, sqlalchemy_url  # noqa: E402

ADMIN_USER = "admin"
FRESHDESK_POOL = "freshdesk_api"
FRESHDESK_POOL_DESCRIPTION = "Concurrent Freshdesk API extraction tasks (the hook paces requests per account)"
DEFAULT_POOL_SLOTS = 8
REDIS_URL = "redis://127.0.0.1:6379/0"

# Settings that must be identical wherever this project's Airflow runs (compose, this
# harness, a user's own deployment). Values are strings because they end up in environments.
AIRFLOW_POLICY_ENV: dict[str, str] = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    # SimpleAuthManager ships with airflow-core; FAB would need another provider pinned.
    "AIRFLOW__CORE__AUTH_MANAGER": ("airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"),
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    # Off by default in Airflow 3; the connection form's Test button and
    # POST /api/v2/connections/test need it.
    "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
    # The hourly incremental must not start importing before someone has configured it.
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
}

# Settings whose values depend on where the components run (hosts, paths, secrets).
TOPOLOGY_KEYS: tuple[str, ...] = (
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    "FRESHDESK_SQL_DIR",
)


# Why Airflow's plugins folder is NOT the repository's plugins/ directory: Airflow executes every
# .py file under its plugins folder as a top-level module named after the file (stem), so
# plugins/freshdesk_provider/simulator/__main__.py runs the simulator's CLI inside the scheduler
# (which then exits), and modules such as `config`, `models` or `sql` shadow real ones in
# sys.modules. The provider is an installed distribution (entry point), not an Airflow plugin,
# so nothing is lost; real Airflow plugins, if ever needed, get a folder of their own.


@dataclass(frozen=True)
class Topology:
    """Where one deployment's pieces are; the inputs of `airflow_env`."""

    metadata_db_url: str
    broker_url: str
    result_backend: str
    execution_api_url: str
    jwt_secret: str
    api_secret_key: str
    fernet_key: str
    dags_folder: str
    plugins_folder: str
    passwords_file: str
    sql_dir: str


def airflow_env(topology: Topology) -> dict[str, str]:
    """The environment every Airflow component of one deployment gets (compose or local)."""
    env = dict(AIRFLOW_POLICY_ENV)
    env.update(
        {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": topology.metadata_db_url,
            "AIRFLOW__CELERY__BROKER_URL": topology.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": topology.result_backend,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": topology.execution_api_url,
            # One secret for all components: the scheduler signs the task identity tokens
            # that the api-server's execution API verifies for the workers.
            "AIRFLOW__API_AUTH__JWT_SECRET": topology.jwt_secret,
            # Signs the requests the api-server sends to workers' log servers.
            "AIRFLOW__API__SECRET_KEY": topology.api_secret_key,
            "AIRFLOW__CORE__FERNET_KEY": topology.fernet_key,
            "AIRFLOW__CORE__DAGS_FOLDER": topology.dags_folder,
            "AIRFLOW__CORE__PLUGINS_FOLDER": topology.plugins_folder,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": topology.passwords_file,
            "FRESHDESK_SQL_DIR": topology.sql_dir,
        }
    )
    assert set(env) == set(AIRFLOW_POLICY_ENV) | set(TOPOLOGY_KEYS)
    return env


class ClusterError(RuntimeError):
    """The cluster could not start, a component died, or a run did not succeed."""


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec_fn giving the child SIGTERM when the thread that started it dies (Linux).

    Covers what stop() cannot: the caller killed with SIGKILL (CI timeout, OOM) would otherwise
    leave a scheduler and a worker running against a dropped database. libc is loaded here, in
    the parent: the child only makes one system call between fork and exec.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_redis(url: str = REDIS_URL, timeout: float = 10.0) -> None:
    """Make sure the broker answers; start a throwaway local redis-server when it does not.

    A redis-server started here is daemonized and left running, like the shared PostgreSQL:
    it holds no state worth keeping (no persistence) and other clusters may be using it.
    """
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    if answers():
        return
    server = shutil.which("redis-server")
    if not server:
        raise ClusterError(f"Redis does not answer at {url} and redis-server is not installed")
    port = str(client.connection_pool.connection_kwargs.get("port", 6379))
    subprocess.run(
        [server, "--port", port, "--save", "", "--appendonly", "no", "--daemonize", "yes"],
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers():
            return
        time.sleep(0.2)
    raise ClusterError(f"redis-server was started but does not answer at {url}")


def postgres_conn_json(dsn: str) -> str:
    """An AIRFLOW_CONN_* value (JSON form) for a psycopg DSN, e.g. the test warehouse."""
    return json.dumps(airflow_postgres_conn(dsn))


@dataclass
class Component:
    name: str
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class AirflowCluster:
    """A local CeleryExecutor cluster in a temporary AIRFLOW_HOME with its own metadata DB.

    Everything it starts runs in its own process group and is stopped by `stop()` (also
    on exceptions when used as a context manager), and the metadata database is dropped.
    """

    dags_folder: Path = PROJECT_ROOT / "dags"
    # None: an empty folder in the cluster's home (see the note above Topology).
    plugins_folder: Path | None = None
    sql_dir: Path = PROJECT_ROOT / "include" / "sql"
    extra_env: Mapping[str, str] = field(default_factory=dict)
    worker_concurrency: int = 8
    pool_slots: int = DEFAULT_POOL_SLOTS
    triggerer: bool = True
    broker_url: str = REDIS_URL
    admin_dsn: str | None = None
    keep_home: bool = False
    startup_timeout: float = 120.0

    def __post_init__(self) -> None:
        self._admin_dsn = self.admin_dsn or ensure_postgres()
        self.name = f"afc{uuid.uuid4().hex[:10]}"
        self.home = Path(tempfile.mkdtemp(prefix=f"airflow-cluster-{self.name}-"))
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.admin_password = secrets.token_urlsafe(16)
        self.components: list[Component] = []
        self._metadata_db: str | None = None
        self._env: dict[str, str] = {}
        self.startup_seconds = 0.0
        (self.home / "plugins").mkdir()
        # `python -m airflow` of this interpreter: the components run exactly the
        # packages the caller (pytest, the CLI) runs, whatever venv that is.
        self._airflow = [sys.executable, "-m", "airflow"]

    # ----------------------------------------------------------------- environment
    def topology(self) -> Topology:
        from cryptography.fernet import Fernet

        assert self._metadata_db, "the metadata database is created by start()"
        meta_dsn = dsn_for(self._metadata_db, self._admin_dsn)
        return Topology(
            metadata_db_url=sqlalchemy_url(meta_dsn),
            broker_url=self.broker_url,
            result_backend="db+" + sqlalchemy_url(meta_dsn),
            execution_api_url=f"{self.api_url}/execution/",
            jwt_secret=secrets.token_urlsafe(32),
            api_secret_key=secrets.token_urlsafe(32),
            fernet_key=Fernet.generate_key().decode(),
            dags_folder=str(self.dags_folder),
            plugins_folder=str(self.plugins_folder or self.home / "plugins"),
            passwords_file=str(self.home / "simple_auth_manager_passwords.json"),
            sql_dir=str(self.sql_dir),
        )

    def _local_env(self) -> dict[str, str]:
        """Settings only a many-clusters-on-one-host setup needs (compose has one per host)."""
        return {
            # Redis is shared with whatever else runs here: a queue of our own keeps another
            # cluster's worker from taking our tasks.
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.name,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "AIRFLOW__API__BASE_URL": f"{self.api_url}/",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            # Parse new DAG files within seconds, not the 5-minute default.
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        }

    def env(self) -> dict[str, str]:
        # Drop the caller's Airflow settings and connections (pytest's conftest points at its
        # own metadata DB): the cluster runs with airflow_env() plus `extra_env` only.
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_")}
        venv_bin = str(Path(sys.executable).parent)
        base["PATH"] = venv_bin + os.pathsep + base.get("PATH", "")
        base["AIRFLOW_HOME"] = str(self.home)
        base.update(self._env)
        base.update(self.extra_env)
        return base

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> AirflowCluster:
        started = time.monotonic()
        try:
            ensure_redis(self.broker_url)
            self._create_metadata_db()
            shared, local = airflow_env(self.topology()), self._local_env()
            # Local tuning must never change a setting compose shares (see test_compose).
            assert not set(shared) & set(local), set(shared) & set(local)
            self._env = shared | local
            Path(self._env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).write_text(
                json.dumps({ADMIN_USER: self.admin_password})
            )
            self._cli("db", "migrate")
            self._cli("pools", "set", FRESHDESK_POOL, str(self.pool_slots), FRESHDESK_POOL_DESCRIPTION)
            self._spawn(
                "api-server", "api-server", "--host", "127.0.0.1", "--port", str(self.api_port), "--workers", "1"
            )
            self._spawn("scheduler", "scheduler")
            self._spawn("dag-processor", "dag-processor")
            self._spawn(
                "celery-worker",
                "celery",
                "worker",
                "--celery-hostname",
                f"{self.name}@%h",
                "--queues",
                self.name,
                "--concurrency",
                str(self.worker_concurrency),
                "--without-mingle",
                "--without-gossip",
            )
            if self.triggerer:
                self._spawn("triggerer", "triggerer")
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def __enter__(self) -> AirflowCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, grace: float = 20.0) -> None:
        """Stop every process group started here, then drop the metadata database."""
        # Workers first so that nothing picks up new tasks while the rest goes away.
        for comp in sorted(self.components, key=lambda c: c.name != "celery-worker"):
            if comp.process and comp.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(comp.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for comp in self.components:
            if not comp.process:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                comp.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Task processes forked by the worker share its group; take them down too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(comp.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                comp.process.wait(timeout=5)
        self.components.clear()
        if self._metadata_db:
            import psycopg

            with contextlib.suppress(psycopg.Error), psycopg.connect(self._admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._metadata_db}" WITH (FORCE)')
            self._metadata_db = None
        if not self.keep_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def _create_metadata_db(self) -> None:
        import psycopg

        name = f"airflow_meta_{self.name}"
        with psycopg.connect(self._admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._metadata_db = name

    def _cli(self, *args: str) -> None:
        result = subprocess.run([*self._airflow, *args], env=self.env(), capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise ClusterError(
                f"airflow {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}"
                f"\n{result.stderr[-3000:]}"
            )

    def _spawn(self, name: str, *args: str) -> None:
        log_path = self.home / "logs" / f"{name}.out"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        comp = Component(name=name, argv=[*self._airflow, *args], log_path=log_path)
        with log_path.open("wb") as out:
            # A session of its own: stop() signals the whole group, including the
            # api-server's uvicorn workers and the worker's task processes.
            comp.process = subprocess.Popen(
                comp.argv,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent_hook(),
            )
        self.components.append(comp)

    def check_alive(self) -> None:
        for comp in self.components:
            if comp.process and comp.process.poll() is not None:
                raise ClusterError(
                    f"{comp.name} exited with {comp.process.returncode}; last output:\n{comp.log_tail()}"
                )

    def _wait_ready(self) -> None:
        """Wait until the api-server reports every job healthy and the worker has said ready."""
        deadline = time.monotonic() + self.startup_timeout
        wanted = {"metadatabase", "scheduler", "dag_processor"} | ({"triggerer"} if self.triggerer else set())
        last: object = None
        worker = next(c for c in self.components if c.name == "celery-worker")
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                resp = requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=5)
                last = resp.json() if resp.ok else resp.text
                healthy = resp.ok and all(
                    (last.get(k) or {}).get("status") == "healthy"  # type: ignore[union-attr]
                    for k in wanted
                )
            except requests.RequestException as exc:
                last, healthy = repr(exc), False
            if healthy and " ready." in worker.log_tail(200):
                return
            time.sleep(1)
        raise ClusterError(
            f"cluster not ready after {self.startup_timeout:.0f}s; last health: {last}\n" + self.diagnostics()
        )

    def diagnostics(self, lines: int = 40) -> str:
        return "\n".join(
            f"----- {c.name} (last {lines} lines of {c.log_path})\n{c.log_tail(lines)}" for c in self.components
        )

    def worker_pid(self) -> int:
        worker = next(c for c in self.components if c.name == "celery-worker")
        assert worker.process
        return worker.process.pid

    def client(self) -> AirflowClient:
        return AirflowClient(self.api_url, ADMIN_USER, self.admin_password, cluster=self)


class AirflowClient:
    """The REST calls a user makes in the UI: log in, unpause, trigger with conf, watch."""

    def __init__(self, base_url: str, username: str, password: str, cluster: AirflowCluster | None = None):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.cluster = cluster
        resp = self.session.post(
            f"{self.base_url}/auth/token", json={"username": username, "password": password}, timeout=30
        )
        if resp.status_code not in (200, 201):
            raise ClusterError(f"POST /auth/token -> {resp.status_code}: {resp.text}")
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        resp = self.session.request(method, f"{self.base_url}{path}", **kwargs)
        if not resp.ok:
            raise ClusterError(f"{method} {path} -> {resp.status_code}: {resp.text[:2000]}")
        return resp

    def import_errors(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/api/v2/importErrors").json().get("import_errors", []))

    def wait_for_dag(self, dag_id: str, timeout: float = 90.0) -> dict[str, Any]:
        """Wait until the dag-processor has serialized `dag_id`; fail fast on import errors."""
        deadline = time.monotonic() + timeout
        while True:
            if self.cluster:
                self.cluster.check_alive()
            resp = self.session.get(f"{self.base_url}/api/v2/dags/{dag_id}", timeout=30)
            if resp.ok:
                return dict(resp.json())
            errors = self.import_errors()
            if errors:
                text = "\n".join(f"{e.get('filename')}:\n{e.get('stack_trace')}" for e in errors)
                raise ClusterError(f"DAG {dag_id!r} not loaded; import errors:\n{text}")
            if time.monotonic() > deadline:
                raise ClusterError(f"DAG {dag_id!r} did not appear within {timeout:.0f}s")
            time.sleep(1)

    def unpause(self, dag_id: str) -> None:
        self.request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        # The UI's trigger form sends logical_date null for a manual run.
        resp = self.request(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": dict(conf or {})}
        )
        return str(resp.json()["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()["state"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 300.0, poll: float = 2.0) -> str:
        """Wait for a terminal state; raise with task states and logs unless it is success."""
        deadline = time.monotonic() + timeout
        state = "unknown"
        while time.monotonic() < deadline:
            if self.cluster:
                self.cluster.check_alive()
            state = self.run_state(dag_id, run_id)
            if state in ("success", "failed"):
                break
            time.sleep(poll)
        if state != "success":
            report = self.failure_report(dag_id, run_id)
            if self.cluster:
                report += "\n" + self.cluster.diagnostics()
            raise ClusterError(f"run {dag_id}/{run_id} ended {state!r} (timeout {timeout:.0f}s)\n{report}")
        return state

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = self.request(
                "GET",
                f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                params={"limit": 100, "offset": len(out)},
            ).json()
            out.extend(page["task_instances"])
            if not page["task_instances"] or len(out) >= page["total_entries"]:
                return out

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
        resp = self.session.get(
            f"{self.base_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"map_index": map_index, "full_content": "true"},
            headers={"Accept": "text/plain"},
            timeout=30,
        )
        return resp.text if resp.ok else f"<log unavailable: {resp.status_code} {resp.text[:300]}>"

    def failure_report(self, dag_id: str, run_id: str, log_chars: int = 4000) -> str:
        try:
            tis = self.task_instances(dag_id, run_id)
        except ClusterError as exc:
            return f"<task instances unavailable: {exc}>"
        lines = ["task instances:"]
        for ti in sorted(tis, key=lambda t: (t["task_id"], t.get("map_index", -1))):
            lines.append(f"  {ti['task_id']}[{ti.get('map_index', -1)}] {ti.get('state')} try={ti.get('try_number')}")
        for ti in tis:
            if ti.get("state") in ("failed", "up_for_retry", "upstream_failed") and ti.get("try_number"):
                if ti.get("state") == "upstream_failed":
                    continue
                log = self.task_log(dag_id, run_id, ti["task_id"], ti["try_number"], ti.get("map_index", -1))
                lines.append(f"----- log of {ti['task_id']}[{ti.get('map_index', -1)}]:\n{log[-log_chars:]}")
        return "\n".join(lines)


# --------------------------------------------------------------------- CLI
_PROBE_DAG = '''
"""Written by `airflow_cluster.py selfcheck` into a temporary DAGs folder: proves the path
scheduler -> Redis -> Celery worker -> execution API with the project's pool and conf."""
import json, os
import pendulum
import psutil
from airflow.sdk import DAG, task

with DAG("cluster_probe", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False):
    @task(pool="freshdesk_api")
    def probe(params=None, dag_run=None):
        me = psutil.Process()
        report = {
            "conf": dag_run.conf,
            "pid": me.pid,
            "ancestors": [p.pid for p in me.parents()],
            "cmdlines": [" ".join(p.cmdline()) for p in me.parents()],
        }
        with open(dag_run.conf["out"], "w") as fh:
            json.dump(report, fh)
        return report["pid"]

    probe()
'''


def selfcheck() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="airflow-cluster-probe-"))
    try:
        dags = tmp / "dags"
        dags.mkdir()
        (dags / "cluster_probe.py").write_text(textwrap.dedent(_PROBE_DAG))
        out = tmp / "probe.json"
        t0 = time.monotonic()
        with AirflowCluster(dags_folder=dags, worker_concurrency=2) as cluster:
            print(f"cluster up in {cluster.startup_seconds:.1f}s at {cluster.api_url}")
            client = cluster.client()
            client.wait_for_dag("cluster_probe")
            client.unpause("cluster_probe")
            t1 = time.monotonic()
            run_id = client.trigger("cluster_probe", {"out": str(out), "hello": "world"})
            client.wait_for_run("cluster_probe", run_id, timeout=120)
            print(f"run {run_id} succeeded in {time.monotonic() - t1:.1f}s")
            report = json.loads(out.read_text())
            worker_pid = cluster.worker_pid()
            if worker_pid not in report["ancestors"]:
                print(f"task did NOT run under the Celery worker (pid {worker_pid}): {report}")
                return 1
            tis = client.task_instances("cluster_probe", run_id)
            print(
                f"task ran under the Celery worker pid {worker_pid}; conf seen: {report['conf']}; "
                f"ti: {[(t['task_id'], t['state'], t.get('queue'), t.get('pool')) for t in tis]}"
            )
        print(f"total {time.monotonic() - t0:.1f}s (including shutdown)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--env wants KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "run"):
        p = sub.add_parser(name)
        p.add_argument("--dags-folder", type=Path, default=PROJECT_ROOT / "dags")
        p.add_argument(
            "--env",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="extra environment, e.g. AIRFLOW_CONN_FRESHDESK_DEFAULT='{...}'",
        )
        p.add_argument("--worker-concurrency", type=int, default=8)
        p.add_argument("--no-triggerer", action="store_true")
        if name == "run":
            p.add_argument("dag_id")
            p.add_argument("--conf", default="{}", help="JSON conf for the run")
            p.add_argument("--timeout", type=float, default=600)
    sub.add_parser("selfcheck", help="run a probe DAG on the Celery worker through the REST API")
    args = parser.parse_args(argv)

    if args.command == "selfcheck":
        return selfcheck()

    cluster = AirflowCluster(
        dags_folder=args.dags_folder.resolve(),
        extra_env=_parse_env(args.env),
        worker_concurrency=args.worker_concurrency,
        triggerer=not args.no_triggerer,
    )
    # SIGTERM as well as Ctrl-C must reach stop(), or the components outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with cluster:
        if args.command == "up":
            print(f"Airflow at {cluster.api_url}  user {ADMIN_USER}  password {cluster.admin_password}")
            print(f"AIRFLOW_HOME {cluster.home}; Ctrl-C stops everything")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    cluster.check_alive()
                    time.sleep(2)
            return 0
        client = cluster.client()
        client.wait_for_dag(args.dag_id)
        client.unpause(args.dag_id)
        run_id = client.trigger(args.dag_id, json.loads(args.conf))
        client.wait_for_run(args.dag_id, run_id, timeout=args.timeout)
        print(f"{args.dag_id} {run_id}: success")
        return 0


if __name__ == "__main__":
    sys.exit(main())
