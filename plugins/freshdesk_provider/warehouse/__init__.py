"""The warehouse side of the provider: schema migrations, the raw mirror loader, the queue
volume refresh and sync state. SQL lives in ``include/sql``; see :mod:`.sql`."""

from freshdesk_provider.warehouse.loader import LoadStats, RawLoader
from freshdesk_provider.warehouse.migrations import MigrationChecksumError, MigrationError, migrate
from freshdesk_provider.warehouse.refresh import RefreshStats, rebuild_volumes, refresh_volumes

__all__ = [
    "LoadStats",
    "MigrationChecksumError",
    "MigrationError",
    "RawLoader",
    "RefreshStats",
    "migrate",
    "rebuild_volumes",
    "refresh_volumes",
]
