"""Versioned schema migrations: ``include/sql/migrations/V###__name.sql``, applied in order.

Each migration runs in its own transaction together with its row in
``freshdesk_raw.schema_migrations`` (version, name, checksum, applied_at), so a failure leaves
the warehouse at the previous version. A transaction-level advisory lock serialises migrators,
so two tasks migrating at once apply each file exactly once. A file changed after it was
applied is refused: applied migrations are history, changes go into a new file.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq

from freshdesk_provider.warehouse.sql import load_sql, sql_dir

log = logging.getLogger(__name__)

MIGRATIONS_SUBDIR = "migrations"
#: the refresh merges volume changes with MERGE (PostgreSQL 15)
MIN_SERVER_VERSION = 150000
_FILE_NAME = re.compile(r"^V(\d{3,})__([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The migrations on disk and those recorded in the warehouse do not fit together."""


class MigrationChecksumError(MigrationError):
    """An already-applied migration file was edited."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str

    @property
    def label(self) -> str:
        return f"V{self.version:03d}__{self.name}"


def available_migrations() -> list[Migration]:
    """Migration files on disk, in version order."""
    directory = sql_dir() / MIGRATIONS_SUBDIR
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            # A typo such as V7_name.sql would otherwise be skipped without a word.
            raise MigrationError(f"{path}: migration files must be named V###__lower_snake_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations have version {version}: {found[version].label}, {path.name}")
        # Read afresh, not through load_sql's cache: the checksum must be of the file as it is now.
        sql = path.read_text(encoding="utf-8")
        found[version] = Migration(version, match.group(2), sql, _checksum(sql))
    if not found:
        raise MigrationError(f"no migrations found in {directory}")
    return [found[v] for v in sorted(found)]


def _checksum(sql: str) -> str:
    # Line endings normalised: a Windows checkout (autocrlf) is not an edit.
    return hashlib.sha256(sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def migrate(conn: psycopg.Connection[Any], *, target_version: int | None = None) -> list[str]:
    """Bring the warehouse schema up to date (or up to ``target_version``) in place.

    Returns the labels (``V001__raw_mirror``...) of the migrations this call applied; an empty
    list when there was nothing to do. Commits after each migration, so it must be called
    with no transaction in progress.
    """
    if not conn.autocommit and conn.info.transaction_status != pq.TransactionStatus.IDLE:
        raise MigrationError(
            "migrate() commits each migration: call it on a connection with no transaction in progress"
        )
    if conn.info.server_version < MIN_SERVER_VERSION:
        raise MigrationError(
            f"the warehouse runs PostgreSQL {conn.info.server_version // 10000}; the queue-volume refresh "
            f"needs PostgreSQL {MIN_SERVER_VERSION // 10000} or newer (MERGE)"
        )
    available = available_migrations()
    with conn.transaction():
        conn.execute(load_sql("migrate/lock.sql"))
        present = conn.execute(load_sql("migrate/migration_log_exists.sql")).fetchone()
        if not (present and present[0]):
            conn.execute(load_sql("migrate/create_migration_log.sql"))
        applied = _applied(conn)
    _check_history(available, applied)

    done: list[str] = []
    for migration in available:
        if migration.version in applied or (target_version is not None and migration.version > target_version):
            continue
        with conn.transaction():
            conn.execute(load_sql("migrate/lock.sql"))
            # Another migrator may have applied it while this one waited for the lock.
            applied = _applied(conn)
            if migration.version in applied:
                if applied[migration.version][1] != migration.checksum:
                    raise MigrationChecksumError(f"{migration.label} was applied concurrently from a different file")
                continue
            log.info("Applying warehouse migration %s", migration.label)
            conn.execute(migration.sql)  # a whole file: no parameters, so several statements are allowed
            conn.execute(
                load_sql("migrate/record_migration.sql"),
                {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
            )
        done.append(migration.label)
    return done


def _applied(conn: psycopg.Connection[Any]) -> dict[int, tuple[str, str]]:
    rows = conn.execute(load_sql("migrate/select_applied.sql")).fetchall()
    return {int(version): (str(name), str(checksum)) for version, name, checksum in rows}


def _check_history(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    on_disk = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        migration = on_disk.get(version)
        if migration is None:
            # A newer provider migrated this warehouse (e.g. during a rolling upgrade): what
            # this code knows is still there, so carry on.
            log.warning("Warehouse has migration V%03d__%s that this provider does not know", version, name)
            continue
        if migration.checksum != checksum:
            raise MigrationChecksumError(
                f"migration {migration.label} was changed after it was applied to this warehouse "
                f"(recorded sha256 {checksum[:12]}…, file now {migration.checksum[:12]}…). Applied "
                "migrations must never be edited: restore the file and put the change in a new "
                "V###__name.sql."
            )
    if applied:
        newest = max(applied)
        late = [m.label for m in migrations if m.version not in applied and m.version < newest]
        if late:
            raise MigrationError(
                f"migrations {', '.join(late)} are older than V{newest:03d}, which is already applied; "
                "give them a version after it"
            )
