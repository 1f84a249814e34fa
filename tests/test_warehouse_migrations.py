"""Schema migrations: in order, once, safely concurrent, upgradable in place from any version,
refusing edited history; and the schema they build (contract shape, data dictionary)."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from contact_truth import expected_volumes
from psycopg.types.json import Jsonb
from warehouse_support import assert_volumes, conv, group, read_volumes, ticket

from freshdesk_provider.warehouse import migrations
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import MigrationChecksumError, MigrationError, migrate
from freshdesk_provider.warehouse.refresh import refresh_volumes
from freshdesk_provider.warehouse.sql import load_sql, sql_dir

ALL = [m.label for m in migrations.available_migrations()]
VERSIONS = [m.version for m in migrations.available_migrations()]


def schema_snapshot(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """Everything a migration creates, in a comparable form."""
    where = "IN ('freshdesk', 'freshdesk_raw')"
    queries = {
        "columns": f"""
            SELECT c.relname, c.relkind, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
            WHERE n.nspname {where} ORDER BY 1, 3""",
        "relations": f"""
            SELECT n.nspname, c.relname, c.relkind, obj_description(c.oid, 'pg_class')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname {where} ORDER BY 1, 2""",
        "indexes": f"SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname {where} ORDER BY 1, 2",
        "constraints": f"""
            SELECT n.nspname, conname, pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname {where}
            ORDER BY 1, 2""",
        "functions": f"""
            SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc')
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname {where} ORDER BY 1""",
        "views": f"SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname {where} ORDER BY 1, 2",
        "lookups": "SELECT 't', * FROM freshdesk.ticket_source_names UNION ALL"
        " SELECT 'c', * FROM freshdesk.conversation_source_names ORDER BY 1, 2",
        "log": "SELECT version, name, checksum FROM freshdesk_raw.schema_migrations ORDER BY 1",
    }
    return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def test_migrate_applies_everything_once(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        assert migrate(conn) == ALL
        assert migrate(conn) == []
        before = schema_snapshot(conn)
        conn.rollback()
        assert migrate(conn) == []
        assert schema_snapshot(conn) == before
        log = conn.execute("SELECT version, name, applied_at IS NOT NULL FROM freshdesk_raw.schema_migrations")
        assert [f"V{v:03d}__{n}" for v, n, _ in log.fetchall()] == ALL
    assert ALL[0] == "V001__raw_mirror" and len(ALL) >= 6


def store_raw_as_earlier_versions(
    conn: psycopg.Connection[Any], tickets: dict[int, dict[str, Any]], convs: dict[int, list[dict[str, Any]]]
) -> None:
    for t in tickets.values():
        conn.execute(
            "INSERT INTO freshdesk_raw.tickets (id, group_id, requester_id, responder_id, source, status, priority,"
            " spam, deleted, created_at, updated_at, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                t["id"], t["group_id"], t["requester_id"], t["responder_id"], t["source"], t["status"],
                t["priority"], t["spam"], t["deleted"], t["created_at"], t["updated_at"], Jsonb(t),
            ),
        )
        conn.execute("INSERT INTO freshdesk_raw.dirty_tickets (ticket_id) VALUES (%s)", (t["id"],))
        for c in convs[t["id"]]:
            conn.execute(
                "INSERT INTO freshdesk_raw.conversations (id, ticket_id, user_id, source, incoming, private,"
                " created_at, updated_at, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    c["id"], c["ticket_id"], c["user_id"], c["source"], c["incoming"], c["private"],
                    c["created_at"], c["updated_at"], Jsonb(c),
                ),
            )


@pytest.mark.parametrize("start_version", [0, *VERSIONS[:-1]])
def test_upgrade_in_place_from_any_earlier_version(
    start_version: int, warehouse_dsn: str, fresh_database: Any
) -> None:
    groups = [group(1, "Support"), group(2, "Billing")]
    tickets = {
        1: ticket(1, "2024-03-01 10:00:00", group_id=1),
        2: ticket(2, "2024-03-01 10:20:00", group_id=2, source=3),
        3: ticket(3, "2024-03-01 10:40:00", group_id=None, deleted=True),
    }
    convs = {1: [conv(11, 1, "2024-03-01 10:05:00", incoming=True)], 2: [], 3: [conv(31, 3, "2024-03-01 11:00:00")]}
    with psycopg.connect(warehouse_dsn) as conn:
        applied = migrate(conn, target_version=start_version)
        assert applied == [label for label, v in zip(ALL, VERSIONS, strict=True) if v <= start_version]
        if start_version >= 1:  # the raw mirror exists: a user's data is already there
            if start_version >= 14:
                RawLoader(conn).load_groups(groups)
            else:  # as every version stored them (today's load_groups also records its read, V014)
                for g in groups:
                    conn.execute(
                        "INSERT INTO freshdesk_raw.groups (id, name, payload) VALUES (%s, %s, %s)",
                        (g["id"], g["name"], Jsonb(g)),
                    )
            if start_version >= 17:
                RawLoader(conn).load([(tickets[i], convs[i]) for i in tickets])
            else:  # as those versions' loader wrote them (today's needs V016's casts and V017's table)
                store_raw_as_earlier_versions(conn, tickets, convs)
            if start_version >= 4:
                # Derived rows as that version held them (today's refresh needs today's schema).
                for statement in ("consume_all_dirty", "insert_contacts", "insert_volumes"):
                    conn.execute(load_sql(f"rebuild/{statement}.sql"))
            conn.commit()
        assert migrate(conn) == ALL[len(applied):]
        if start_version == 0:
            RawLoader(conn).load_groups(groups)
            RawLoader(conn).load([(tickets[i], convs[i]) for i in tickets])
        refresh_volumes(conn)
        conn.commit()
        assert_volumes(read_volumes(conn), expected_volumes({g["id"]: g for g in groups}, tickets, convs))
        upgraded = schema_snapshot(conn)
    with psycopg.connect(fresh_database()) as direct:
        migrate(direct)
        fresh = schema_snapshot(direct)
    assert [r[:2] for r in upgraded.pop("log")] == [r[:2] for r in fresh.pop("log")]
    assert upgraded == fresh


def test_concurrent_migrators_apply_each_migration_once(warehouse_dsn: str) -> None:
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(warehouse_dsn) as conn:
                barrier.wait()
                results.append(migrate(conn))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(label for r in results for label in r) == sorted(ALL)
    with psycopg.connect(warehouse_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM freshdesk_raw.schema_migrations").fetchone() == (len(ALL),)


@pytest.fixture
def sql_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of include/sql, used instead of the real one."""
    copy = tmp_path / "sql"
    shutil.copytree(sql_dir(), copy)
    monkeypatch.setenv("FRESHDESK_SQL_DIR", str(copy))
    return copy


def test_an_edited_applied_migration_is_refused(warehouse_dsn: str, sql_copy: Path) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        path = sql_copy / "migrations" / f"{ALL[1]}.sql"
        original = path.read_bytes()
        path.write_bytes(original + b"\n-- an innocent-looking edit\n")
        with pytest.raises(MigrationChecksumError, match=rf"{ALL[1]} was changed after it was applied"):
            migrate(conn)
        # Line endings alone are not an edit.
        path.write_bytes(original.replace(b"\n", b"\r\n"))
        assert migrate(conn) == []


def test_the_migrate_task_fails_without_retries_on_an_edited_migration(
    warehouse_conn_env: str, sql_copy: Path
) -> None:
    """Only a person can fix it: four attempts two minutes apart only repeated the message."""
    from airflow.sdk.exceptions import AirflowFailException

    from freshdesk_provider.operators.warehouse import FreshdeskWarehouseMigrateOperator

    task = FreshdeskWarehouseMigrateOperator(task_id="migrate")
    assert task.execute({}) == ALL
    path = sql_copy / "migrations" / f"{ALL[1]}.sql"
    path.write_bytes(path.read_bytes() + b"\n-- an edit\n")
    with pytest.raises(AirflowFailException, match=rf"MigrationChecksumError: migration {ALL[1]} was changed"):
        task.execute({})


def test_new_migrations_apply_and_misplaced_ones_are_refused(warehouse_dsn: str, sql_copy: Path) -> None:
    migrations_dir = sql_copy / "migrations"
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        (migrations_dir / "V900__add_a_column.sql").write_text(
            "ALTER TABLE freshdesk_raw.groups ADD COLUMN note text;\n"
            "COMMENT ON COLUMN freshdesk_raw.groups.note IS 'A note.';\n"
        )
        assert migrate(conn) == ["V900__add_a_column"]
        (migrations_dir / "V899__too_late.sql").write_text("SELECT 1;\n")
        with pytest.raises(MigrationError, match="V899__too_late are older than V900"):
            migrate(conn)
        (migrations_dir / "V899__too_late.sql").unlink()
        (migrations_dir / "V7_bad.sql").write_text("SELECT 1;\n")
        with pytest.raises(MigrationError, match="must be named"):
            migrate(conn)
        (migrations_dir / "V7_bad.sql").unlink()
        # A failing migration leaves the warehouse at the previous version.
        (migrations_dir / "V901__broken.sql").write_text("CREATE TABLE freshdesk_raw.x (id int);\nSELECT 1/0;\n")
        with pytest.raises(psycopg.errors.DivisionByZero):
            migrate(conn)
        conn.rollback()
        assert conn.execute("SELECT to_regclass('freshdesk_raw.x')").fetchone() == (None,)
        assert conn.execute("SELECT max(version) FROM freshdesk_raw.schema_migrations").fetchone() == (900,)


def test_a_warehouse_migrated_by_a_newer_provider_is_accepted(
    warehouse_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        conn.execute(
            "INSERT INTO freshdesk_raw.schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')"
        )
        conn.commit()
        with caplog.at_level(logging.WARNING):
            assert migrate(conn) == []
    assert "V999__future" in caplog.text


def test_migrate_needs_a_connection_without_a_transaction(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("SELECT 1")
        with pytest.raises(MigrationError, match="no transaction in progress"):
            migrate(conn)
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        assert migrate(conn) == ALL


def test_every_object_has_a_comment(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        missing = conn.execute(
            """
            SELECT 'schema ' || nspname FROM pg_namespace
            WHERE nspname IN ('freshdesk', 'freshdesk_raw') AND obj_description(oid, 'pg_namespace') IS NULL
            UNION ALL
            SELECT 'relation ' || c.oid::regclass::text FROM pg_class c
            WHERE c.relnamespace IN ('freshdesk'::regnamespace, 'freshdesk_raw'::regnamespace)
              AND c.relkind IN ('r', 'v', 'm', 'p') AND obj_description(c.oid, 'pg_class') IS NULL
            UNION ALL
            SELECT 'column ' || c.oid::regclass::text || '.' || a.attname FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace IN ('freshdesk'::regnamespace, 'freshdesk_raw'::regnamespace)
              AND c.relkind IN ('r', 'v', 'm', 'p') AND col_description(c.oid, a.attnum) IS NULL
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace IN ('freshdesk'::regnamespace, 'freshdesk_raw'::regnamespace)
              AND obj_description(p.oid, 'pg_proc') IS NULL
            """
        ).fetchall()
    assert missing == []


def test_queue_interval_volume_has_the_contract_shape(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'freshdesk' AND table_name = 'queue_interval_volume' ORDER BY ordinal_position"
        ).fetchall()
        pk = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'freshdesk.queue_interval_volume'::regclass AND contype = 'p'"
        ).fetchone()
        kind = conn.execute("SELECT relkind FROM pg_class WHERE oid = 'freshdesk.queue_interval_volume'::regclass")
        assert kind.fetchone() == ("r",)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO freshdesk.queue_interval_volume VALUES"
                " ('2024-03-01 10:00+00', 'Q', 'G', 's', 'Tickets', 'Cases', 0)"
            )
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO freshdesk.queue_interval_volume VALUES"
                " ('2024-03-01 10:05+00', 'Q', 'G', 's', 'Tickets', 'Cases', 1)"
            )
    assert columns == [
        ("interval_start", "timestamp with time zone"),
        ("queue_name", "text"),
        ("group_name", "text"),
        ("source_name", "text"),
        ("queue_kind", "text"),
        ("channel", "text"),
        ("contacts", "integer"),
    ]
    assert pk == ("PRIMARY KEY (interval_start, queue_name)",)


def test_a_server_too_old_for_the_refresh_is_refused_up_front(
    warehouse_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "MIN_SERVER_VERSION", 990000)
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        with pytest.raises(MigrationError, match=r"needs PostgreSQL 99 or newer \(MERGE\)"):
            migrate(conn)
        assert conn.execute("SELECT to_regclass('freshdesk_raw.schema_migrations')").fetchone() == (None,)
