"""docker-compose.yaml checked without a Docker engine.

The file is parsed and interpolated here the way Compose does it (with docker/.env.example),
and every Airflow command in it is parsed by Airflow 3.3.2's own CLI parser from the venv.
The settings shared with the local cluster harness come from scripts/airflow_cluster.py,
so the distributed test and the compose deployment cannot drift apart.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from airflow_cluster import AIRFLOW_POLICY_ENV, FRESHDESK_POOL, TOPOLOGY_KEYS, Topology, airflow_env

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / "docker" / ".env.example"
DOCKERFILE = ROOT / "docker" / "Dockerfile"

# The official Airflow 3 layout, plus the project's warehouse and simulator.
REQUIRED_SERVICES = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "warehouse",
    "freshdesk-simulator",
}
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "airflow-cli",
    "flower",
}
# Values the secrets in docker/.env.example are left empty for (compose refuses to start).
FILLED_SECRETS = {
    "AIRFLOW_JWT_SECRET": "jwt-secret-for-tests",
    "AIRFLOW_API_SECRET_KEY": "api-secret-for-tests",
    "AIRFLOW_FERNET_KEY": "fernet-key-for-tests",
    "AIRFLOW_ADMIN_PASSWORD": "admin-password-for-tests",
    "AIRFLOW_DB_PASSWORD": "db-password-for-tests",
    "WAREHOUSE_PASSWORD": "warehouse-password-for-tests",
    "FRESHDESK_API_KEY": "freshdesk-key-for-tests",
}

_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution (the subset this file uses), applied to every string."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name, colon, op, arg = m.groups()
        current = env.get(name)
        missing = current is None or (colon == ":" and current == "")
        if op == "?" and missing:
            raise KeyError(f"{name}: {arg}")
        if op == "-" and missing:
            return str(arg)
        return current or ""

    return _VAR.sub(sub, value)


def read_env_file(path: Path, *, uncomment_simulator: bool = False) -> dict[str, str]:
    """Dotenv as Compose reads it; optionally with the commented simulator block switched on."""
    env: dict[str, str] = {}
    in_simulator_block = False
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if "simulator" in line.lower() and line.startswith("# -----"):
            in_simulator_block = True
            continue
        if uncomment_simulator and in_simulator_block and re.match(r"#\s*[A-Z_]+=", line):
            line = line.lstrip("#").strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def resolved(uncomment_simulator: bool = False) -> dict[str, Any]:
    env = read_env_file(ENV_EXAMPLE, uncomment_simulator=uncomment_simulator)
    env.update({k: v for k, v in FILLED_SECRETS.items() if not env.get(k)})
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), env)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return resolved()


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_layout_follows_the_official_airflow_file(raw_compose: dict[str, Any]) -> None:
    services = raw_compose["services"]
    assert set(services) >= REQUIRED_SERVICES
    assert services["freshdesk-simulator"]["profiles"] == ["simulator"]
    assert services["flower"]["profiles"] == ["flower"]
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"] == {"context": ".", "dockerfile": "docker/Dockerfile"}, name
    # Scaling out (`--scale airflow-worker=N`) needs no fixed container name or host port.
    worker = services["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker
    for name in AIRFLOW_SERVICES - {"airflow-init", "airflow-cli"}:
        assert services[name].get("healthcheck"), f"{name} has no healthcheck"
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
    for name in ("postgres", "redis", "warehouse", "freshdesk-simulator"):
        assert services[name].get("healthcheck"), f"{name} has no healthcheck"
    # The warehouse is a server of its own, with its own volume, not Airflow's metadata DB.
    assert services["warehouse"]["volumes"] != services["postgres"]["volumes"]
    declared = set(raw_compose.get("volumes") or {})
    for name, svc in services.items():
        for vol in svc.get("volumes", []):
            source = vol.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


def test_every_airflow_service_shares_executor_broker_secret_and_api_url(compose: dict[str, Any]) -> None:
    services = compose["services"]
    seen: dict[str, set[str]] = {}
    for name in AIRFLOW_SERVICES:
        env = env_of(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
        assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379), name
        backend = env["AIRFLOW__CELERY__RESULT_BACKEND"]
        assert backend.startswith("db+postgresql") and urlsplit(backend).hostname == "postgres", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
        assert env["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"
        for key in (
            "AIRFLOW__API_AUTH__JWT_SECRET",
            "AIRFLOW__API__SECRET_KEY",
            "AIRFLOW__CORE__FERNET_KEY",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        ):
            seen.setdefault(key, set()).add(env[key])
    for key, values in seen.items():
        assert len(values) == 1, f"{key} differs between services: {values}"
    assert seen["AIRFLOW__API_AUTH__JWT_SECRET"] == {FILLED_SECRETS["AIRFLOW_JWT_SECRET"]}
    # The api-server answers on 8080 inside the network, where the execution API URL points.
    assert "api-server" in str(services["airflow-apiserver"]["command"])


def test_compose_env_is_the_harness_env_with_compose_topology(
    raw_compose: dict[str, Any], compose: dict[str, Any]
) -> None:
    """The distributed test runs airflow_env(); compose must set exactly the same settings."""
    common = env_of(raw_compose["services"]["airflow-scheduler"])
    compose_topology = Topology(
        metadata_db_url=common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        broker_url="redis://:@redis:6379/0",
        result_backend="db+" + common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        execution_api_url="http://airflow-apiserver:8080/execution/",
        jwt_secret="${AIRFLOW_JWT_SECRET:?set AIRFLOW_JWT_SECRET in docker/.env}",
        api_secret_key="${AIRFLOW_API_SECRET_KEY:?set AIRFLOW_API_SECRET_KEY in docker/.env}",
        fernet_key="${AIRFLOW_FERNET_KEY:?set AIRFLOW_FERNET_KEY in docker/.env}",
        dags_folder="/opt/airflow/dags",
        plugins_folder="/opt/airflow/airflow-plugins",
        passwords_file="/opt/airflow/config/simple_auth_manager_passwords.json",
        sql_dir="/opt/airflow/include/sql",
    )
    expected = airflow_env(compose_topology)
    assert {k: common.get(k) for k in expected} == expected
    # No Airflow setting in compose that the harness does not also run with.
    compose_airflow_keys = {k for k in common if k.startswith("AIRFLOW__")} | ({"FRESHDESK_SQL_DIR"} & set(common))
    assert compose_airflow_keys == set(AIRFLOW_POLICY_ENV) | set(TOPOLOGY_KEYS)
    meta = urlsplit(env_of(compose["services"]["airflow-scheduler"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (meta.scheme, meta.hostname, meta.path) == ("postgresql+psycopg", "postgres", "/airflow")
    # The passwords file and task logs live on volumes every Airflow container mounts.
    volumes = raw_compose["x-airflow-common"]["volumes"]
    assert "airflow-config:/opt/airflow/config" in volumes
    assert "airflow-logs:/opt/airflow/logs" in volumes


def test_connections_use_the_contract_ids(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in AIRFLOW_SERVICES:
        env = env_of(services[name])
        conns = {k for k in env if k.startswith("AIRFLOW_CONN_")}
        assert conns == {"AIRFLOW_CONN_FRESHDESK_DEFAULT", "AIRFLOW_CONN_FRESHDESK_WAREHOUSE"}, name
    env = env_of(services["airflow-worker"])
    freshdesk = json.loads(env["AIRFLOW_CONN_FRESHDESK_DEFAULT"])
    assert freshdesk == {
        "conn_type": "freshdesk",
        "host": "acme.freshdesk.com",
        "password": FILLED_SECRETS["FRESHDESK_API_KEY"],
        "extra": {},
    }
    warehouse = json.loads(env["AIRFLOW_CONN_FRESHDESK_WAREHOUSE"])
    wh_env = env_of(services["warehouse"])
    assert warehouse["conn_type"] == "postgres"
    assert warehouse["host"] == "warehouse" and warehouse["port"] == 5432
    assert (warehouse["login"], warehouse["password"], warehouse["schema"]) == (
        wh_env["POSTGRES_USER"],
        wh_env["POSTGRES_PASSWORD"],
        wh_env["POSTGRES_DB"],
    )


def test_simulator_variant_points_the_connection_at_the_simulator() -> None:
    compose = resolved(uncomment_simulator=True)
    services = compose["services"]
    freshdesk = json.loads(env_of(services["airflow-worker"])["AIRFLOW_CONN_FRESHDESK_DEFAULT"])
    # https, because the hook refuses plain http to non-loopback hosts; the certificate is self-signed
    assert freshdesk["host"] == "https://freshdesk-simulator:8099"
    assert freshdesk["extra"] == {"verify": False}
    command = list(services["freshdesk-simulator"]["command"])
    assert command[:3] == ["python", "-m", "freshdesk_provider.simulator"]
    assert "--tls" in command
    command.remove("--tls")
    args = dict(zip(command[3::2], command[4::2], strict=True))
    assert args["--api-key"] == freshdesk["password"]
    assert args["--port"] == "8099" and args["--host"] == "0.0.0.0"
    assert (args["--seed"], args["--tickets"], args["--days"]) == ("7", "20000", "90")
    assert read_env_file(ENV_EXAMPLE, uncomment_simulator=True)["COMPOSE_PROFILES"] == "simulator"


def test_simulator_command_matches_its_cli(raw_compose: dict[str, Any]) -> None:
    if not (ROOT / "plugins" / "freshdesk_provider" / "simulator" / "__main__.py").exists():
        pytest.skip("freshdesk_provider.simulator has no __main__ yet")
    out = subprocess.run(
        [sys.executable, "-m", "freshdesk_provider.simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    flags = [a for a in raw_compose["services"]["freshdesk-simulator"]["command"] if a.startswith("--")]
    for flag in flags:
        assert flag in out, f"simulator CLI has no {flag}:\n{out}"


def test_airflow_init_migrates_and_creates_the_pool(raw_compose: dict[str, Any]) -> None:
    init = raw_compose["services"]["airflow-init"]
    script = init["command"][-1]
    commands = [shlex.split(line) for line in airflow_lines(script)]
    assert ["db", "migrate"] in [c[1:3] for c in commands]
    pools = [c for c in commands if c[1:3] == ["pools", "set"]]
    assert len(pools) == 1 and pools[0][3] == FRESHDESK_POOL
    assert "FRESHDESK_API_POOL_SLOTS" in env_of(init)


def test_mounted_host_paths_exist(raw_compose: dict[str, Any]) -> None:
    mounts = {
        vol.split(":")[0]
        for svc in raw_compose["services"].values()
        for vol in svc.get("volumes", [])
        if vol.startswith((".", "/"))
    }
    assert {"./dags", "./plugins", "./include"} <= mounts
    for source in mounts:
        assert (ROOT / source).exists(), f"{source} is mounted but not in the repository"
    common = raw_compose["x-airflow-common"]["volumes"]
    assert {"./dags:/opt/airflow/dags", "./plugins:/opt/airflow/plugins", "./include:/opt/airflow/include"} <= set(
        common
    )


def test_env_example_defines_every_variable_and_env_is_ignored() -> None:
    # `$${X}` is the container's own variable, not compose's.
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_FILE.read_text()))
    documented = read_env_file(ENV_EXAMPLE, uncomment_simulator=True)
    assert used <= set(documented), f"not in docker/.env.example: {sorted(used - set(documented))}"
    # Secrets stay empty in the example, so nobody runs with a published value.
    example = read_env_file(ENV_EXAMPLE)
    for key in FILLED_SECRETS:
        assert example[key] == "", f"{key} must be empty in the example"
    ignored = subprocess.run(["git", "check-ignore", "-q", "docker/.env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, "docker/.env (secrets) must be git-ignored"
    tracked = subprocess.run(["git", "check-ignore", "-q", "docker/.env.example"], cwd=ROOT, check=False)
    assert tracked.returncode == 1


def test_dockerfile_builds_the_pinned_image() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG AIRFLOW_BASE_IMAGE=apache/airflow:3\.3\.2-python3\.11$", text, re.M)
    assert "FROM ${AIRFLOW_BASE_IMAGE}" in text
    assert "pip install --no-cache-dir -r /opt/freshdesk/requirements.txt" in text
    assert "-e /opt/airflow/plugins/freshdesk_provider" in text
    requirements = (ROOT / "requirements.txt").read_text()
    assert "apache-airflow==3.3.2" in requirements and "Python 3.11" in requirements
    for source in re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s", text, re.M):
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def airflow_lines(script: str) -> list[str]:
    """`airflow ...` invocations of a shell script, `$${VAR}` replaced by example values."""
    values = {"FRESHDESK_API_POOL_SLOTS": "4", "HOSTNAME": "container"}
    lines = []
    for line in script.splitlines():
        line = line.strip()
        line = re.sub(r"\$\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), line)
        if line.startswith("/entrypoint airflow "):
            lines.append(line.removeprefix("/entrypoint "))
        elif line.startswith("airflow "):
            lines.append(line)
    return lines


def service_airflow_commands(raw_compose: dict[str, Any]) -> dict[str, list[str]]:
    """Every Airflow CLI call compose makes: service commands, init script, healthchecks."""
    calls: dict[str, list[str]] = {}
    for name, svc in raw_compose["services"].items():
        if name not in AIRFLOW_SERVICES:
            continue
        command = svc.get("command")
        if name == "airflow-init":
            for i, line in enumerate(airflow_lines(command[-1])):
                calls[f"{name}#{i}"] = shlex.split(line)[1:]
        elif isinstance(command, str):
            # The image's entrypoint runs `airflow <command>`.
            calls[name] = shlex.split(command)
        test = (svc.get("healthcheck") or {}).get("test") or []
        if len(test) == 2 and test[0] == "CMD-SHELL":
            for line in airflow_lines(test[1]):
                calls[f"{name}:healthcheck"] = shlex.split(line)[1:]
    return calls


def test_service_commands_are_valid_airflow_cli(raw_compose: dict[str, Any], tmp_path: Path) -> None:
    """Each command parses with Airflow 3.3.2's own CLI parser, configured as compose runs it."""
    calls = service_airflow_commands(raw_compose)
    for needed in (
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "flower",
    ):
        assert needed in calls
    assert calls["airflow-worker"] == ["celery", "worker"]
    checker = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from airflow.cli.cli_parser import get_parser
        from airflow.providers.celery.executors.celery_executor import app  # the healthcheck's --app
        parser = get_parser()
        result = {}
        for name, argv in json.loads(sys.argv[1]).items():
            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err):
                    args = parser.parse_args(argv)
                result[name] = None if callable(getattr(args, "func", None)) else "no command"
            except SystemExit:
                result[name] = err.getvalue().strip()[-500:]
        print(json.dumps(result))
        """
    )
    env = {
        "PATH": str(Path(sys.executable).parent),
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'unused.db'}",
    }
    proc = subprocess.run(
        [sys.executable, "-c", checker, json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, (
        "could not load Airflow's CLI with the CeleryExecutor (the image would fail the same way):\n"
        + proc.stderr[-3000:]
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    bad = {name: f"airflow {' '.join(calls[name])}: {err}" for name, err in result.items() if err}
    assert not bad, bad
