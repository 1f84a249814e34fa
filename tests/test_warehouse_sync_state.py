"""Watermarks and run bookkeeping, and the sync_status view built on them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from warehouse_support import warehouse

from freshdesk_provider.warehouse import sync_state

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_watermark_starts_empty_and_never_moves_backwards(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        assert sync_state.get_watermark(conn, "tickets") is None
        assert sync_state.advance_watermark(conn, "tickets", T0, run_id="r1", rows_loaded=10) == T0
        assert sync_state.advance_watermark(conn, "tickets", T0 - timedelta(hours=1), run_id="r2", rows_loaded=1) == T0
        later = T0 + timedelta(minutes=5)
        assert sync_state.advance_watermark(conn, "tickets", later, run_id="r3", rows_loaded=3) == later
        assert sync_state.get_watermark(conn, "tickets") == later
        assert sync_state.get_watermark(conn, "tickets_deleted") is None
        row = conn.execute("SELECT run_id, rows_loaded FROM freshdesk_raw.sync_watermarks").fetchone()
        assert row == ("r3", 3)
        # Other offsets are the same instant.
        berlin = timezone(timedelta(hours=1))
        same = later.astimezone(berlin)
        assert sync_state.advance_watermark(conn, "tickets", same, run_id="r4", rows_loaded=0) == later
        conn.rollback()
        assert sync_state.get_watermark(conn, "tickets") is None  # nothing committed by the module


def test_a_watermark_never_lies_in_the_future(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        before = datetime.now(timezone.utc)
        stored = sync_state.advance_watermark(conn, "tickets", before + timedelta(days=30), run_id="r", rows_loaded=0)
        assert before <= stored <= datetime.now(timezone.utc)


def test_the_upgrade_brings_a_watermark_back_from_the_future(warehouse_dsn: str) -> None:
    import psycopg

    from freshdesk_provider.warehouse.migrations import migrate

    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn, target_version=14)
        conn.execute(
            "INSERT INTO freshdesk_raw.sync_watermarks (stream, watermark, advanced_at) VALUES "
            "('tickets', now() + interval '23 days', now() - interval '1 hour'), "
            "('tickets_spam', now() - interval '2 hours', now() - interval '1 hour')"
        )
        conn.commit()
        migrate(conn)
        rows = dict(conn.execute(
            "SELECT stream, watermark = advanced_at FROM freshdesk_raw.sync_watermarks"
        ).fetchall())
    assert rows == {"tickets": True, "tickets_spam": False}


def test_naive_datetimes_are_refused(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        with pytest.raises(ValueError, match="timezone-aware"):
            sync_state.advance_watermark(conn, "tickets", datetime(2024, 3, 1), run_id="r", rows_loaded=0)
        with pytest.raises(ValueError, match="timezone-aware"):
            sync_state.record_run_start(conn, dag_id="d", run_id="r", stream="s", window_start=datetime(2024, 3, 1))


def test_runs_and_sync_status(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        ok = sync_state.record_run_start(
            conn, dag_id="freshdesk_incremental", run_id="r1", stream="tickets", window_start=T0
        )
        conn.commit()
        assert sync_state.record_run_finish(conn, ok, rows_loaded=12, counts={"conversations": 40})
        sync_state.advance_watermark(conn, "tickets", T0, run_id="r1", rows_loaded=12)
        conn.commit()
        bad = sync_state.record_run_start(conn, dag_id="freshdesk_incremental", run_id="r2", stream="tickets")
        conn.commit()
        assert sync_state.record_run_failure(conn, bad, RuntimeError("Freshdesk answered 503"))
        assert not sync_state.record_run_failure(conn, 10**9, "no such run")
        sync_state.record_run_start(conn, dag_id="freshdesk_backfill", run_id="b1", stream="tickets_spam")
        conn.commit()

        runs = conn.execute(
            "SELECT id, status, rows_loaded, counts, error, finished_at IS NOT NULL"
            " FROM freshdesk_raw.sync_runs ORDER BY id"
        ).fetchall()
        assert [r[1:] for r in runs] == [
            ("success", 12, {"conversations": 40}, None, True),
            ("failed", None, None, "RuntimeError: Freshdesk answered 503", True),
            ("running", None, None, None, False),
        ]
        status = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT stream, watermark, lag > interval '0', last_success_run_id, last_failure_run_id, last_error,"
                " healthy, runs_in_progress FROM freshdesk.sync_status"
            ).fetchall()
        }
        assert status == {
            "tickets": (T0, True, "r1", "r2", "RuntimeError: Freshdesk answered 503", False, 0),
            "tickets_spam": (None, None, None, None, None, True, 1),
        }
        # A later success makes the stream healthy again.
        again = sync_state.record_run_start(conn, dag_id="freshdesk_incremental", run_id="r3", stream="tickets")
        sync_state.record_run_finish(conn, again)
        healthy = conn.execute("SELECT healthy FROM freshdesk.sync_status WHERE stream = 'tickets'").fetchone()
        assert healthy == (True,)
