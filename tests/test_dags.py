"""The DAG files as Airflow's DagBag sees them: importable, warning-free, documented."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parent.parent / "dags"


@pytest.fixture(scope="module")
def dagbag(airflow_db: str):
    # get_dag() reads Airflow's metadata database: on a machine that never ran the suite it
    # does not exist until the airflow_db fixture creates and migrates it.
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER), known_pools={"default_pool", "freshdesk_api"})


def test_dags_import_without_errors_or_warnings(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert dagbag.captured_warnings == {}
    assert set(dagbag.dag_ids) == {"freshdesk_backfill", "freshdesk_incremental"}


@pytest.mark.parametrize("dag_id", ["freshdesk_backfill", "freshdesk_incremental"])
def test_dags_have_owner_retries_tags_and_docs(dagbag, dag_id: str) -> None:
    dag = dagbag.get_dag(dag_id)
    assert dag.doc_md and dag_id.split("_")[1] in dag.doc_md.lower()
    assert "freshdesk" in dag.tags
    for task in dag.tasks:
        assert task.owner == "data-engineering", task.task_id
        assert task.retries >= 1, task.task_id


def test_backfill_params_match_the_contract(dagbag) -> None:
    dag = dagbag.get_dag("freshdesk_backfill")
    assert type(dag.timetable).__name__ == "NullTimetable"  # manual trigger only
    assert set(dag.params) == {"start", "end", "slice_hours"}
    for name in ("start", "end", "slice_hours"):
        assert dag.params.get_param(name).description
    extract = dag.get_task("extract_slice")
    assert extract.pool == "freshdesk_api"


def test_incremental_is_hourly_one_run_at_a_time_and_publishes_the_volume_asset(dagbag) -> None:
    dag = dagbag.get_dag("freshdesk_incremental")
    assert dag.max_active_runs == 1
    assert dag.timetable.expression == "0 * * * *"
    assert not dag.params
    outlets = [o for t in dag.tasks for o in t.outlets]
    assert any(getattr(o, "name", "") == "freshdesk_queue_interval_volume" for o in outlets)


@pytest.mark.parametrize(
    ("conf", "valid"),
    [
        ({"start": "2026-11-01"}, True),
        ({"start": "2026-11-01T06:00:00Z", "end": "2026-11-20", "slice_hours": 24}, True),
        ({"start": "2026-11-01", "slice_hours": "24"}, True),  # CLI and REST callers send strings
        ({"start": "2026-11-01", "end": None, "slice_hours": None}, True),
        ({}, False),  # start is required
        ({"start": "2026-11-01", "slice_hours": 0}, False),
    ],
)
def test_the_trigger_form_validates_backfill_params(dagbag, conf: dict, valid: bool) -> None:
    import copy

    from airflow.sdk.exceptions import ParamValidationError

    params = copy.deepcopy(dagbag.get_dag("freshdesk_backfill").params)
    if valid:
        params.update(conf)
        params.validate()
    else:
        with pytest.raises(ParamValidationError):
            params.update(conf)  # a value set is validated at once
            params.validate()
