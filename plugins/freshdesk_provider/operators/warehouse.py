"""Operators that maintain the warehouse: schema migrations, groups, queue-volume refresh."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from freshdesk_provider import lineage
from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.operators.warehouse_session import DEFAULT_WAREHOUSE_CONN_ID, warehouse_transaction
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import MigrationError, migrate
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_or_rebuild


class FreshdeskWarehouseMigrateOperator(BaseOperator):
    """Create or upgrade the warehouse schemas (``freshdesk_raw``, ``freshdesk``) in place."""

    ui_color = "#dfe8f5"

    def __init__(self, *, postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context: Any) -> list[str]:
        try:
            with warehouse_transaction(self.postgres_conn_id) as conn:
                applied = migrate(conn)
        except MigrationError as exc:
            # An edited migration file, an old server, a misnumbered file: only a person fixes
            # these, so the task fails at once instead of retrying into the same message.
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc
        if applied:
            self.log.info("Applied warehouse migrations: %s", ", ".join(applied))
        else:
            self.log.info("Warehouse schema is up to date")
        return applied


class FreshdeskGroupsToPostgresOperator(BaseOperator):
    """Mirror Freshdesk's groups; renamed or removed groups mark their tickets for refresh."""

    ui_color = "#e6f2e6"

    def __init__(
        self,
        *,
        freshdesk_conn_id: str = "freshdesk_default",
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.freshdesk_conn_id = freshdesk_conn_id
        self.postgres_conn_id = postgres_conn_id

    def execute(self, context: Any) -> int:
        read_at = datetime.now(timezone.utc)
        groups = FreshdeskHook(freshdesk_conn_id=self.freshdesk_conn_id).get_groups()
        with warehouse_transaction(self.postgres_conn_id) as conn:
            RawLoader(conn).load_groups(groups, read_at=read_at)
        self.log.info("Mirrored %d Freshdesk groups", len(groups))
        return len(groups)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Freshdesk groups in, ``freshdesk_raw.groups`` out (OpenLineage optional)."""
        return lineage.operator_lineage(
            freshdesk_conn_id=self.freshdesk_conn_id,
            endpoints=["groups"],
            postgres_conn_id=self.postgres_conn_id,
            output_tables=["freshdesk_raw.groups"],
        )


class FreshdeskRefreshQueueVolumesOperator(BaseOperator):
    """Recompute contacts and ``freshdesk.queue_interval_volume`` for the tickets changed since
    the last refresh (everything with ``full_rebuild=True``, or when most of the mirror changed)."""

    ui_color = "#f5e6d3"

    def __init__(
        self,
        *,
        postgres_conn_id: str = DEFAULT_WAREHOUSE_CONN_ID,
        full_rebuild: bool = False,
        outlets: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(outlets=list(outlets or []), **kwargs)
        self.postgres_conn_id = postgres_conn_id
        self.full_rebuild = full_rebuild

    def execute(self, context: Any) -> dict[str, Any]:
        with warehouse_transaction(self.postgres_conn_id) as conn:
            stats = rebuild_volumes(conn) if self.full_rebuild else refresh_or_rebuild(conn)
        summary = _as_dict(stats)
        self.log.info("Queue volumes refreshed: %s", summary)
        return summary

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The raw mirror in, contacts and queue volumes out (OpenLineage optional)."""
        return lineage.operator_lineage(
            freshdesk_conn_id=None,
            endpoints=(),
            postgres_conn_id=self.postgres_conn_id,
            input_tables=["freshdesk_raw.tickets", "freshdesk_raw.conversations", "freshdesk_raw.groups"],
            output_tables=list(lineage.VOLUME_TABLES),
        )


def _as_dict(stats: Any) -> dict[str, Any]:
    if stats is None:
        return {}
    if isinstance(stats, dict):
        return stats
    if hasattr(stats, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(stats)
    return {"result": str(stats)}
