"""Helpers shared by the warehouse tests (no tests here): Freshdesk-shaped builders, reading
the warehouse back in contact_truth's shapes, readable comparisons."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import psycopg
from contact_truth import Volumes

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate
from freshdesk_provider.warehouse.refresh import refresh_volumes


def ts(text: str) -> str:
    """Freshdesk's timestamp format from a short '2024-03-01 10:15:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def ticket(
    ticket_id: int,
    created_at: str,
    *,
    updated_at: str | None = None,
    group_id: int | None = 1,
    requester_id: int = 1000,
    source: int = 1,
    deleted: bool = False,
    spam: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "subject": f"Ticket {ticket_id}",
        "group_id": group_id,
        "requester_id": requester_id,
        "responder_id": None,
        "source": source,
        "status": 2,
        "priority": 1,
        "created_at": ts(created_at),
        "updated_at": ts(updated_at or created_at),
        "deleted": deleted,
        "spam": spam,
        **extra,
    }


def conv(
    conversation_id: int,
    ticket_id: int,
    created_at: str,
    *,
    user_id: int = 1000,
    source: int = 0,
    incoming: bool = False,
    private: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": conversation_id,
        "ticket_id": ticket_id,
        "user_id": user_id,
        "body_text": f"conversation {conversation_id}",
        "source": source,
        "incoming": incoming,
        "private": private,
        "created_at": ts(created_at),
        "updated_at": ts(created_at),
        **extra,
    }


def group(group_id: int, name: str) -> dict[str, Any]:
    return {"id": group_id, "name": name, "description": None}


@contextmanager
def warehouse(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A migrated warehouse connection (non-autocommit, like PostgresHook's)."""
    with psycopg.connect(dsn) as conn:
        migrate(conn)
        yield conn


def load_and_refresh(conn: psycopg.Connection[Any], bundles: list[Any], groups: list[Any] | None = None) -> None:
    loader = RawLoader(conn)
    if groups is not None:
        loader.load_groups(groups)
    loader.load(bundles)
    refresh_volumes(conn)
    conn.commit()


def read_volumes(conn: psycopg.Connection[Any], table: str = "freshdesk.queue_interval_volume") -> Volumes:
    rows = conn.execute(
        f"SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, contacts FROM {table}"
    ).fetchall()
    volumes: Volumes = {}
    for start, queue, group_name, source_name, kind, channel, contacts in rows:
        assert channel == "Cases"
        volumes[(start.astimezone(timezone.utc), queue)] = (group_name, source_name, kind, contacts)
    return volumes


def derived_volumes(conn: psycopg.Connection[Any]) -> Volumes:
    """The volumes a full derivation of the raw mirror gives (without touching the tables)."""
    rows = conn.execute(
        "SELECT interval_start, queue_name, group_name, source_name, queue_kind, count(*)::int"
        " FROM freshdesk_raw.contacts_derived GROUP BY 1, 2, 3, 4, 5"
    ).fetchall()
    return {(r[0].astimezone(timezone.utc), r[1]): (r[2], r[3], r[4], r[5]) for r in rows}


def volume_diff(actual: Volumes, expected: Volumes, limit: int = 20) -> str:
    lines = []
    for key in sorted(set(actual) | set(expected), key=lambda k: (k[0], k[1])):
        if actual.get(key) != expected.get(key):
            lines.append(f"{key[0].isoformat()} {key[1]!r}: warehouse {actual.get(key)} expected {expected.get(key)}")
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def assert_volumes(actual: Volumes, expected: Volumes) -> None:
    assert actual == expected, "queue_interval_volume differs:\n" + volume_diff(actual, expected)
