"""Provider registration: Airflow discovers the distribution, the `freshdesk` connection type
and its form, and the package imports the same way when only plugins/ is on sys.path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from freshdesk_provider.get_provider_info import get_provider_info

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLUGINS = PROJECT_ROOT / "plugins"
AIRFLOW = Path(sys.executable).parent / "airflow"


def airflow_cli(*args: str) -> str:
    result = subprocess.run(
        [str(AIRFLOW), *args], capture_output=True, text=True, env=os.environ.copy(), timeout=300
    )
    assert result.returncode == 0, f"airflow {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def json_output(stdout: str) -> object:
    # Tolerate log lines printed before the JSON document.
    start = min(i for i in (stdout.find("["), stdout.find("{")) if i >= 0)
    return json.loads(stdout[start:])


def test_provider_info_matches_airflow_schema() -> None:
    import airflow
    import jsonschema

    schema_dir = Path(airflow.__file__).parent
    info = get_provider_info()
    jsonschema.validate(info, json.loads((schema_dir / "provider_info.schema.json").read_text()))
    # Airflow validates the form's field behaviour with its own schema, after renaming the keys.
    behaviour = info["connection-types"][0]["ui-field-behaviour"]
    jsonschema.validate(
        {k.replace("-", "_"): v for k, v in behaviour.items()},
        json.loads((schema_dir / "customized_form_field_behaviours.schema.json").read_text()),
    )


def test_package_name_is_the_distribution_name() -> None:
    (ep,) = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value == "freshdesk_provider.get_provider_info:get_provider_info"
    ]
    assert ep.dist is not None
    assert ep.dist.name == get_provider_info()["package-name"] == "airflow-provider-freshdesk"


def test_connection_type_and_form() -> None:
    info = get_provider_info()
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == "freshdesk"
    assert conn_type["hook-class-name"] == "freshdesk_provider.hooks.freshdesk.FreshdeskHook"
    assert conn_type["hook-name"] == "Freshdesk"
    fields = conn_type["conn-fields"]
    assert set(fields) == {"rate_limit_per_minute", "max_concurrency"}
    assert fields["rate_limit_per_minute"]["schema"]["type"] == ["integer", "null"]
    assert fields["max_concurrency"]["schema"]["type"] == ["integer", "null"]
    assert fields["max_concurrency"]["schema"]["default"] == 8
    for spec in fields.values():
        assert spec["label"] and spec["description"]
    behaviour = conn_type["ui-field-behaviour"]
    assert {"schema", "port", "login", "extra"} <= set(behaviour["hidden-fields"])
    assert behaviour["relabeling"] == {"host": "Freshdesk domain", "password": "API key"}
    assert behaviour["placeholders"]["host"] == "acme.freshdesk.com"
    # Every listed module exists (operators are listed only once they are written).
    import importlib.util

    for section in ("hooks", "operators"):
        for entry in info.get(section, []):
            for module in entry["python-modules"]:
                assert importlib.util.find_spec(module) is not None, module


def test_providers_manager_builds_the_form_from_provider_info() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManager()
    assert "airflow-provider-freshdesk" in manager.providers
    # Workers resolve hooks through the task SDK's manager.
    hook = ProvidersManagerTaskRuntime().hooks["freshdesk"]
    assert hook is not None
    assert hook.hook_class_name == "freshdesk_provider.hooks.freshdesk.FreshdeskHook"
    assert hook.connection_id_attribute_name == "freshdesk_conn_id"
    (meta,) = [m for m in manager.iter_connection_type_hook_ui_metadata() if m.connection_type == "freshdesk"]
    assert meta.hook_name == "Freshdesk"
    assert meta.field_behaviour is not None
    assert meta.field_behaviour["relabeling"]["password"] == "API key"
    assert "extra__freshdesk__rate_limit_per_minute" in meta.field_behaviour["placeholders"]
    widgets = manager.connection_form_widgets
    assert widgets["extra__freshdesk__max_concurrency"].field["value"] == 8
    assert widgets["extra__freshdesk__rate_limit_per_minute"].field["schema"]["title"]


def test_connection_get_hook_returns_freshdesk_hook() -> None:
    from airflow.sdk import Connection

    from freshdesk_provider.hooks.freshdesk import FreshdeskHook

    conn = Connection(conn_id="fd_get_hook", conn_type="freshdesk", host="acme.freshdesk.com", password="k" * 20)
    hook = conn.get_hook()
    assert isinstance(hook, FreshdeskHook)
    assert hook.freshdesk_conn_id == "fd_get_hook"


def test_cli_lists_the_provider_and_its_hook() -> None:
    providers = json_output(airflow_cli("providers", "list", "-o", "json"))
    assert "airflow-provider-freshdesk" in {p["package_name"] for p in providers}
    hooks = json_output(airflow_cli("providers", "hooks", "-o", "json"))
    (hook,) = [h for h in hooks if h["connection_type"] == "freshdesk"]
    assert hook["class"] == "freshdesk_provider.hooks.freshdesk.FreshdeskHook"
    assert hook["package_name"] == "airflow-provider-freshdesk"


def test_cli_connection_keeps_the_freshdesk_type(airflow_db: str) -> None:
    # An unregistered type would silently be stored as "generic": read it back.
    conn_id = f"test_fd_{uuid.uuid4().hex[:8]}"
    airflow_cli(
        "connections",
        "add",
        conn_id,
        "--conn-type",
        "freshdesk",
        "--conn-host",
        "acme.freshdesk.com",
        "--conn-password",
        "KEY-not-a-real-one",
    )
    try:
        stored = json_output(airflow_cli("connections", "get", conn_id, "-o", "json"))
        (row,) = stored if isinstance(stored, list) else [stored]
        assert row["conn_type"] == "freshdesk"
        assert row["host"] == "acme.freshdesk.com"
    finally:
        airflow_cli("connections", "delete", conn_id)


def test_imports_from_plugins_folder_alone() -> None:
    """Astronomer-style deployments put plugins/ on sys.path without installing the distribution."""
    import airflow

    site_packages = str(Path(airflow.__file__).resolve().parent.parent)
    code = f"""
import sys
sys.path.insert(0, {str(PLUGINS)!r})
sys.path.append({site_packages!r})  # Airflow itself, without running the editable install's .pth
import freshdesk_provider.hooks.freshdesk as hook_module
import freshdesk_provider.get_provider_info as info_module
assert not any("editable" in type(f).__module__ for f in sys.meta_path), sys.meta_path
print(hook_module.__file__)
print(info_module.get_provider_info()["package-name"])
print(hook_module.FreshdeskHook.conn_type)
"""
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    hook_file, package, conn_type = result.stdout.split()[-3:]
    assert Path(hook_file).resolve() == PLUGINS / "freshdesk_provider" / "hooks" / "freshdesk.py"
    assert package == "airflow-provider-freshdesk"
    assert conn_type == "freshdesk"


@pytest.mark.parametrize("module", ["freshdesk_provider.get_provider_info"])
def test_provider_info_module_does_not_import_airflow(module: str) -> None:
    # The providers manager calls get_provider_info() in every Airflow process, early.
    code = f"import sys, {module}; print('airflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
