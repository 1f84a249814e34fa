"""Issue #7.3: freshdesk.sync_status, the freshness/reconciliation check and the deadline alert.

The data flow is stopped two ways: Freshdesk answers errors (a wrong API key: every sync
fails), and a sync that "succeeds" without loading what Freshdesk has (the watermark stops
moving). Both make the check fail with a clear message; the deadline callback, called
directly, logs and posts its alert.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import psycopg
import pytest
from airflow.sdk.exceptions import AirflowFailException
from planning_support import CONTEXT, backfill, days_ago

from freshdesk_provider import alerts
from freshdesk_provider.operators.freshdesk_to_postgres import (
    FreshdeskIncrementalSyncOperator,
    FreshdeskToPostgresOperator,
)
from freshdesk_provider.operators.monitoring import FreshdeskFreshnessCheckOperator, FreshdeskWarehouseStaleError


def _age_every_run(dsn: str, hours: int) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "UPDATE freshdesk_raw.sync_runs SET started_at = started_at - make_interval(hours => %s), "
            "finished_at = finished_at - make_interval(hours => %s)",
            (hours, hours),
        )


def test_sync_status_reports_last_success_and_rows(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=41, tickets=200, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10))
    with psycopg.connect(warehouse_conn_env) as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT stream, last_success_at IS NOT NULL, last_success_rows_loaded, healthy, since_last_success "
                "FROM freshdesk.sync_status"
            )
        }
    assert set(rows) >= {"tickets", "tickets_deleted", "tickets_spam", "time_entries"}
    assert rows["tickets"][0] and rows["tickets"][1] > 0 and rows["tickets"][2]
    assert rows["time_entries"][0] and rows["time_entries"][1] > 0


def test_fresh_warehouse_passes_and_reconciles(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=42, tickets=300, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10))
    summary = FreshdeskFreshnessCheckOperator(
        task_id="check_freshness", max_lag=timedelta(hours=1), reconcile_window=timedelta(days=2)
    ).execute(CONTEXT)
    assert summary["reconciliation"]["freshdesk_tickets"] > 0
    assert summary["reconciliation"]["missing"] == summary["reconciliation"]["outdated"] == 0


def test_freshdesk_errors_make_the_check_fail_loudly(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=43, tickets=200, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10))
    _age_every_run(warehouse_conn_env, 5)
    # Freshdesk now rejects every call: the sync fails and records its error
    freshdesk_conn_env(SimpleNamespace(url=sim.url, api_key="revoked-key"))
    with pytest.raises(Exception):  # noqa: B017 (whatever the hook raises)
        FreshdeskIncrementalSyncOperator(task_id="sync_changes").execute(CONTEXT)

    with pytest.raises(FreshdeskWarehouseStaleError) as failure:
        FreshdeskFreshnessCheckOperator(task_id="check_freshness", max_lag=timedelta(hours=3)).execute(CONTEXT)
    message = str(failure.value)
    assert "STALE" in message
    assert isinstance(failure.value, AirflowFailException)  # no retries: checking again finds the same
    assert "tickets: last successful sync" in message and "5h0" in message and "allowed 3h00m" in message
    # The check also names the cause through its own call to Freshdesk.
    assert "Reconciliation with Freshdesk could not run" in message and "HTTP 401" in message


def test_a_silent_stop_is_caught_by_reconciliation(make_simulator, freshdesk_conn_env, warehouse_conn_env) -> None:
    sim = make_simulator(seed=44, tickets=200, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10))
    new = [sim.account.add_ticket() for _ in range(3)]
    # A run that "succeeds" without loading anything: the watermark stops moving.
    with psycopg.connect(warehouse_conn_env) as conn:
        conn.execute(
            "INSERT INTO freshdesk_raw.sync_runs "
            "(dag_id, run_id, stream, status, rows_loaded, started_at, finished_at) "
            "VALUES ('freshdesk_incremental', 'silent', 'tickets', 'success', 0, now() + interval '2 seconds', "
            "now() + interval '3 seconds')"
        )
    with pytest.raises(FreshdeskWarehouseStaleError) as failure:
        FreshdeskFreshnessCheckOperator(
            task_id="check_freshness", max_lag=timedelta(hours=3), settle=timedelta(0)
        ).execute(CONTEXT)
    message = str(failure.value)
    assert "DISAGREE" in message and "3 missing" in message
    for tid in new:
        assert str(tid) in message
    # The message says how to repair it, and that repair works.
    params = json.loads(re.search(r"trigger freshdesk_backfill with (\{.*?\})", message).group(1))
    FreshdeskToPostgresOperator(task_id="extract", window_start=params["start"], window_end=params["end"]).execute(
        CONTEXT
    )
    FreshdeskFreshnessCheckOperator(
        task_id="check_freshness", max_lag=timedelta(hours=3), settle=timedelta(0)
    ).execute(CONTEXT)


def test_a_failed_sync_within_the_lag_is_reported_not_called_fresh(
    make_simulator, freshdesk_conn_env, warehouse_conn_env, capsys
) -> None:
    sim = make_simulator(seed=45, tickets=200, days=5)
    freshdesk_conn_env(sim)
    backfill(days_ago(10))
    freshdesk_conn_env(SimpleNamespace(url=sim.url, api_key="revoked-key"))
    with pytest.raises(Exception):  # noqa: B017 (whatever the hook raises)
        FreshdeskIncrementalSyncOperator(task_id="sync_changes").execute(CONTEXT)
    freshdesk_conn_env(sim)
    capsys.readouterr()
    FreshdeskFreshnessCheckOperator(
        task_id="check_freshness", max_lag=timedelta(hours=3), reconcile_window=timedelta(0)
    ).execute(CONTEXT)
    logged = capsys.readouterr().out
    assert "the latest sync failed for: tickets at" in logged
    assert "Warehouse is fresh" not in logged


class _Records(logging.Handler):
    """Collects the alert module's log records (the tests run with -p no:logging: no caplog)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _Records:
        logging.getLogger("freshdesk_provider.alerts").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("freshdesk_provider.alerts").removeHandler(self)


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_deadline_callback_logs_and_posts_the_alert(monkeypatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(alerts.WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/alert")
    _Hook.received.clear()
    try:
        with _Records() as records:
            result = asyncio.run(
                alerts.incremental_deadline_missed(
                    dag_id="freshdesk_incremental", context={"dag_run": {"run_id": "r1"}}
                )
            )
    finally:
        server.shutdown()
    assert result["webhook_status"] == 200
    assert _Hook.received and "missed its deadline" in _Hook.received[0]["text"] and _Hook.received[0]["run_id"] == "r1"
    assert any("missed its deadline" in m for m in records.messages)


def test_deadline_callback_without_webhook_still_logs(monkeypatch) -> None:
    monkeypatch.delenv(alerts.WEBHOOK_ENV, raising=False)
    with _Records() as records:
        result = asyncio.run(alerts.incremental_deadline_missed())
    assert result["alerted"] and result["webhook_status"] is None
    assert any("missed its deadline" in m for m in records.messages)


def test_deadline_is_attached_only_where_the_scheduler_sees_it(monkeypatch) -> None:
    from airflow.sdk import DeadlineAlert

    monkeypatch.delenv("FRESHDESK_INCREMENTAL_DEADLINE", raising=False)
    assert alerts.incremental_deadline() is None  # pytest / dag.test / dags test: no deadline
    monkeypatch.setenv("FRESHDESK_INCREMENTAL_DEADLINE", "always")
    monkeypatch.setenv("FRESHDESK_INCREMENTAL_DEADLINE_MINUTES", "45")
    deadline = alerts.incremental_deadline()
    assert isinstance(deadline, DeadlineAlert) and deadline.interval == timedelta(minutes=45)
    assert deadline.callback.path == alerts.CALLBACK_PATH
    monkeypatch.setenv("FRESHDESK_INCREMENTAL_DEADLINE", "never")
    assert alerts.incremental_deadline() is None
