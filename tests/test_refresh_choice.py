"""The refresh turns into a full rebuild when most of a large mirror changed, with the same result."""

from __future__ import annotations

import psycopg

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate
from freshdesk_provider.warehouse.refresh import refresh_or_rebuild


def _ticket(tid: int, group_id: int, updated: str = "2026-11-02T10:00:00Z") -> dict:
    return {
        "id": tid,
        "group_id": group_id,
        "requester_id": 1000 + tid,
        "source": 1 + tid % 3,
        "status": 2,
        "spam": False,
        "deleted": False,
        "created_at": f"2026-11-01T{tid % 24:02d}:{(tid * 7) % 60:02d}:00Z",
        "updated_at": updated,
    }


def _volumes(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT interval_start, queue_name, contacts FROM freshdesk.queue_interval_volume ORDER BY 1, 2"
    ).fetchall()


def test_a_mostly_dirty_mirror_is_rebuilt_and_a_little_change_is_refreshed(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        loader = RawLoader(conn)
        loader.load_groups([{"id": 1, "name": "Alpha"}, {"id": 2, "name": "Beta"}])
        loader.load([(_ticket(t, 1), []) for t in range(1, 101)])
        first = refresh_or_rebuild(conn, min_tickets=0)
        conn.commit()
        assert first.full_rebuild, "every ticket was dirty: a rebuild is the cheaper way"
        after_rebuild = _volumes(conn)
        assert sum(row[2] for row in after_rebuild) == 100

        loader.load([(_ticket(t, 2, "2026-11-03T10:00:00Z"), []) for t in range(1, 6)])
        second = refresh_or_rebuild(conn, min_tickets=0)
        conn.commit()
        assert not second.full_rebuild and second.tickets == 5
        refreshed = _volumes(conn)
        assert sum(row[2] for row in refreshed if row[1].startswith("Beta")) == 5

        loader.load([(_ticket(t, 2, "2026-11-03T10:00:00Z"), []) for t in range(1, 6)])
        conn.execute("TRUNCATE freshdesk.queue_interval_volume, freshdesk.contacts")
        conn.execute("INSERT INTO freshdesk_raw.dirty_tickets (ticket_id) SELECT id FROM freshdesk_raw.tickets")
        assert refresh_or_rebuild(conn, min_tickets=0).full_rebuild
        assert _volumes(conn) == refreshed
