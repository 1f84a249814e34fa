"""OpenLineage datasets of the operators: Freshdesk endpoints in, warehouse tables out.

The OpenLineage provider is optional: it is imported only inside :func:`operator_lineage`,
which the operators' ``get_openlineage_facets_on_complete`` call, and only the OpenLineage
listener (present only when the provider is installed) ever calls that method.
Naming follows OpenLineage's conventions: ``https://<freshdesk host>`` + ``/api/v2/<path>``
for the API, ``postgres://<host>:<port>`` + ``<database>.<schema>.<table>`` for the warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

#: tables each kind of work writes (used by the operators)
RAW_TICKET_TABLES = ("freshdesk_raw.tickets", "freshdesk_raw.conversations")
VOLUME_TABLES = ("freshdesk.contacts", "freshdesk.queue_interval_volume")
PLANNING_TABLES = ("freshdesk.queue_interval_handle_time", "freshdesk.queue_interval_response_times")


def freshdesk_namespace(conn_id: str) -> str:
    try:
        from airflow.sdk import BaseHook

        from freshdesk_provider.hooks.freshdesk import build_base_url

        conn = BaseHook.get_connection(conn_id)
        url = urlsplit(build_base_url(conn.host, conn.port, conn_id=conn_id))
        return f"{url.scheme}://{url.netloc}"
    except Exception:
        return f"freshdesk://{conn_id}"


def warehouse_namespace_and_database(conn_id: str) -> tuple[str, str]:
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
        return f"postgres://{conn.host}:{conn.port or 5432}", conn.schema or "postgres"
    except Exception:
        return f"postgres://{conn_id}", "unknown"


def operator_lineage(
    *,
    freshdesk_conn_id: str | None,
    endpoints: Sequence[str],
    postgres_conn_id: str,
    input_tables: Sequence[str] = (),
    output_tables: Sequence[str] = (),
) -> Any:
    """An ``OperatorLineage`` of Freshdesk ``endpoints`` and warehouse tables."""
    from airflow.providers.common.compat.openlineage.facet import Dataset
    from airflow.providers.openlineage.extractors import OperatorLineage

    inputs = []
    if freshdesk_conn_id:
        api = freshdesk_namespace(freshdesk_conn_id)
        inputs += [Dataset(namespace=api, name=f"/api/v2/{endpoint}") for endpoint in endpoints]
    namespace, database = warehouse_namespace_and_database(postgres_conn_id)
    inputs += [Dataset(namespace=namespace, name=f"{database}.{table}") for table in input_tables]
    outputs = [Dataset(namespace=namespace, name=f"{database}.{table}") for table in output_tables]
    return OperatorLineage(inputs=inputs, outputs=outputs)
