"""warehouse_transaction: errors that name what a user must look at."""

from __future__ import annotations

import socket

import psycopg
import pytest

from freshdesk_provider.operators.warehouse_session import warehouse_transaction


def test_an_unreachable_warehouse_names_its_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_FRESHDESK_WAREHOUSE", f"postgres://postgres@127.0.0.1:{port}/test")
    with pytest.raises(psycopg.OperationalError) as raised, warehouse_transaction():
        pass
    message = str(raised.value)
    assert "Airflow connection 'freshdesk_warehouse'" in message
    assert f"port {port} failed" in message  # psycopg's own reason is kept
