"""Issue #7.4: OpenLineage inputs/outputs of the operators, with a minimal stand-in for the
OpenLineage provider (it is not installed, and the product must not need it)."""

from __future__ import annotations

import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from freshdesk_provider.operators.freshdesk_to_postgres import (
    FreshdeskIncrementalSyncOperator,
    FreshdeskToPostgresOperator,
)
from freshdesk_provider.operators.monitoring import FreshdeskFreshnessCheckOperator
from freshdesk_provider.operators.time_entries import (
    FreshdeskRefreshPlanningMeasuresOperator,
    FreshdeskTimeEntriesToPostgresOperator,
)
from freshdesk_provider.operators.warehouse import (
    FreshdeskGroupsToPostgresOperator,
    FreshdeskRefreshQueueVolumesOperator,
)


@dataclass(frozen=True)
class Dataset:
    namespace: str
    name: str


@dataclass
class OperatorLineage:
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


@pytest.fixture
def openlineage_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Just the two names the product imports, under the provider's module paths."""
    names = {
        "airflow.providers.openlineage": {},
        "airflow.providers.openlineage.extractors": {"OperatorLineage": OperatorLineage},
        "airflow.providers.common.compat.openlineage": {},
        "airflow.providers.common.compat.openlineage.facet": {"Dataset": Dataset},
    }
    for name, attrs in names.items():
        module = types.ModuleType(name)
        module.__path__ = []  # a package, so submodules resolve
        for key, value in attrs.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FRESHDESK_DEFAULT", '{"conn_type": "freshdesk", "host": "acme.freshdesk.com", "password": "k"}'
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_FRESHDESK_WAREHOUSE",
        '{"conn_type": "postgres", "host": "db.internal", "port": 5433, "login": "u", "schema": "analytics"}',
    )


API = "https://acme.freshdesk.com"
PG = "postgres://db.internal:5433"


def _names(datasets: list) -> set[tuple[str, str]]:
    return {(d.namespace, d.name) for d in datasets}


@pytest.mark.usefixtures("openlineage_stand_in", "connections")
@pytest.mark.parametrize(
    ("operator", "inputs", "outputs"),
    [
        (
            FreshdeskToPostgresOperator(task_id="a", window_start="2026-01-01"),
            {(API, "/api/v2/tickets"), (API, "/api/v2/tickets/{id}/conversations")},
            {(PG, "analytics.freshdesk_raw.tickets"), (PG, "analytics.freshdesk_raw.conversations")},
        ),
        (
            FreshdeskIncrementalSyncOperator(task_id="b"),
            {(API, "/api/v2/groups"), (API, "/api/v2/tickets"), (API, "/api/v2/tickets/{id}/conversations")},
            {
                (PG, "analytics.freshdesk_raw.groups"),
                (PG, "analytics.freshdesk_raw.tickets"),
                (PG, "analytics.freshdesk_raw.conversations"),
                (PG, "analytics.freshdesk.contacts"),
                (PG, "analytics.freshdesk.queue_interval_volume"),
            },
        ),
        (
            FreshdeskGroupsToPostgresOperator(task_id="c"),
            {(API, "/api/v2/groups")},
            {(PG, "analytics.freshdesk_raw.groups")},
        ),
        (
            FreshdeskRefreshQueueVolumesOperator(task_id="d"),
            {
                (PG, "analytics.freshdesk_raw.tickets"),
                (PG, "analytics.freshdesk_raw.conversations"),
                (PG, "analytics.freshdesk_raw.groups"),
            },
            {(PG, "analytics.freshdesk.contacts"), (PG, "analytics.freshdesk.queue_interval_volume")},
        ),
        (
            FreshdeskTimeEntriesToPostgresOperator(task_id="e"),
            {(API, "/api/v2/time_entries")},
            {(PG, "analytics.freshdesk_raw.time_entries")},
        ),
        (
            FreshdeskRefreshPlanningMeasuresOperator(task_id="f"),
            {
                (PG, "analytics.freshdesk.contacts"),
                (PG, "analytics.freshdesk_raw.tickets"),
                (PG, "analytics.freshdesk_raw.time_entries"),
            },
            {
                (PG, "analytics.freshdesk.queue_interval_handle_time"),
                (PG, "analytics.freshdesk.queue_interval_response_times"),
            },
        ),
        (
            FreshdeskFreshnessCheckOperator(task_id="g"),
            {
                (API, "/api/v2/tickets"),
                (PG, "analytics.freshdesk.sync_status"),
                (PG, "analytics.freshdesk_raw.tickets"),
            },
            set(),
        ),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, set) else "",
)
def test_operators_report_their_datasets(operator, inputs, outputs) -> None:
    lineage = operator.get_openlineage_facets_on_complete(task_instance=None)
    assert isinstance(lineage, OperatorLineage)
    assert _names(lineage.inputs) == inputs
    assert _names(lineage.outputs) == outputs


def test_the_product_works_without_openlineage_installed() -> None:
    """Importing the DAGs and operators never imports the OpenLineage provider."""
    code = (
        "import sys\n"
        "import freshdesk_provider.operators.freshdesk_to_postgres, freshdesk_provider.operators.warehouse\n"
        "import freshdesk_provider.operators.time_entries, freshdesk_provider.operators.monitoring\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(Path(__file__).resolve().parent.parent / 'dags')!r})\n"
        "assert bag.import_errors == {}, bag.import_errors\n"
        "assert 'airflow.providers.openlineage' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]
