"""Stream Freshdesk tickets, conversations and groups into the raw mirror (``freshdesk_raw``).

The input is one COPY stream into a temporary staging table (memory stays bounded whatever the
input size: rows go out as they are produced, and the staging table spills to disk), then it is
applied with set-based upserts. An older version of a ticket never overwrites a newer one, so
loads may overlap and arrive in any order. Every ticket whose row or conversations changed is
queued in ``freshdesk_raw.dirty_tickets`` for
:func:`freshdesk_provider.warehouse.refresh.refresh_volumes`.

Nothing here commits: the caller decides what one transaction is (a backfill slice; an
incremental run's load + refresh + watermark).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import psycopg

from freshdesk_provider.warehouse._db import callers_transaction
from freshdesk_provider.warehouse.sql import load_sql

log = logging.getLogger(__name__)

#: A ticket as Freshdesk returns it (deleted/spam normalised by the caller) with its full
#: conversation list, or None when the conversations could not be read (a deleted ticket's 403).
Bundle = tuple[Mapping[str, Any], Sequence[Mapping[str, Any]] | None]

@dataclass
class LoadStats:
    """What one :meth:`RawLoader.load` call did."""

    tickets_received: int = 0
    #: distinct ticket ids among them (a ticket sent twice counts once, newest version kept)
    tickets_distinct: int = 0
    #: ticket rows inserted or updated (older or identical versions are not written)
    tickets_written: int = 0
    conversations_received: int = 0
    conversations_written: int = 0
    conversations_deleted: int = 0
    tickets_marked_dirty: int = 0


class RawLoader:
    """Loads into ``freshdesk_raw`` on a psycopg 3 connection, inside the caller's transaction.

    On an autocommit connection each call runs in a transaction of its own.
    """

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def load(self, bundles: Iterable[Bundle]) -> LoadStats:
        """Upsert tickets and replace the conversations of the tickets whose version applied.

        ``bundles`` is consumed once, as a stream. A conversation list of None keeps the stored
        conversations; a list (even empty) replaces them, provided the ticket's version is not
        older than the stored one. Invalid input raises ValueError (the transaction is then
        aborted, as after any database error).
        """
        stats = LoadStats()
        conn = self.conn
        with callers_transaction(conn):
            conn.execute(load_sql("loader/create_staging.sql"))
            with conn.cursor() as cur, cur.copy(load_sql("loader/copy_staged.sql")) as copy:
                for seq, (ticket, conversations) in enumerate(bundles):
                    ticket_id = _ticket_id(ticket)
                    copy.write_row((seq, ticket_id, None, None, conversations is not None, _to_json(ticket)))
                    for ord_, conversation in enumerate(conversations or ()):
                        conversation_id = _conversation_id(conversation, ticket_id)
                        copy.write_row((seq, ticket_id, conversation_id, ord_, None, _to_json(conversation)))
                    stats.tickets_received += 1
                    stats.conversations_received += len(conversations or ())
            if stats.tickets_received == 0:
                return stats

            stats.tickets_distinct = self._run("loader/pick_latest_tickets.sql")
            self._run("loader/analyze_load_tickets.sql")
            self._run("loader/mark_restored_tickets.sql")
            stats.tickets_written = self._run("loader/upsert_tickets.sql")
            self._run("loader/select_applied_tickets.sql")
            self._run("loader/pick_applied_conversations.sql")
            self._run("loader/analyze_load_conversations.sql")
            self._run("loader/mark_moved_conversations.sql")
            stats.conversations_deleted = self._run("loader/delete_removed_conversations.sql")
            stats.conversations_written = self._run("loader/upsert_conversations.sql")
            stats.tickets_marked_dirty = self._run("loader/mark_dirty_tickets.sql")
        log.debug("Raw load: %s", stats)
        return stats

    def begin_read(self) -> None:
        """Open the caller's transaction before anything is read from Freshdesk: its start is the
        ``loaded_at`` of every row it writes, so no later than the reads behind them
        (:meth:`stored_versions` relies on that). On an autocommit connection it opens nothing."""
        self.conn.execute(load_sql("loader/begin_read.sql"))

    def stored_versions(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        deleted: bool | None = None,
        spam: bool | None = None,
        limit: int = 10_000,
        min_read_lag: timedelta = timedelta(0),
    ) -> dict[int, tuple[datetime, bool, bool]] | None:
        """``id -> (updated_at, deleted, spam)`` of the stored tickets updated in ``[since, until)``
        (only those with the given flags, when given) whose row was written at least
        ``min_read_lag`` after its ``updated_at``.

        ``None`` when there are more than ``limit`` of them: the caller then reads everything
        rather than hold a map that grows with the window (an hourly sync's overlap is far below).
        """
        params = {
            "since": since,
            "until": until,
            "deleted": deleted,
            "spam": spam,
            "limit": limit + 1,
            "min_read_lag": min_read_lag,
        }
        rows = self.conn.execute(load_sql("loader/stored_versions.sql"), params).fetchall()
        if len(rows) > limit:
            return None
        return {int(r[0]): (r[1], bool(r[2]), bool(r[3])) for r in rows}

    def load_groups(self, groups: Sequence[Mapping[str, Any]], *, read_at: datetime | None = None) -> int:
        """Mirror a full read of ``GET /groups``; returns the number of distinct groups in it.

        Groups missing from the read are marked removed (they stop resolving, so their tickets
        count as ``Group <id>``). Tickets of every group that is new, renamed, removed or back
        are marked dirty. ``read_at`` is when the read began (default: now); a read that began
        before the one already applied is stale (a run that read the groups earlier but commits
        later) and is skipped, so it cannot put back older names or removed groups.
        """
        conn = self.conn
        read_at = read_at or datetime.now(timezone.utc)
        rows = [(seq, _group_id(group), _to_json(group)) for seq, group in enumerate(groups)]
        distinct = len({r[1] for r in rows})
        with callers_transaction(conn):
            conn.execute(load_sql("loader/lock_groups.sql"))
            if not self._run("loader/claim_groups_read.sql", {"read_at": read_at}):
                applied = (conn.execute(load_sql("loader/applied_groups_read.sql")).fetchone() or (None,))[0]
                log.warning(
                    "Groups: this read of GET /groups (begun %s) is older than the one already mirrored "
                    "(begun %s): skipped, the newer one stands",
                    read_at.isoformat(),
                    applied.isoformat() if applied else "?",
                )
                return distinct
            conn.execute(load_sql("loader/create_group_staging.sql"))
            self._copy("loader/copy_staged_groups.sql", rows)
            changed = self._run("loader/find_changed_groups.sql")
            written = self._run("loader/upsert_groups.sql")
            removed = self._run("loader/mark_removed_groups.sql")
            self._run("loader/mark_dirty_groups.sql")
            dirty = self._run("loader/mark_dirty_group_tickets.sql")
        if not rows and removed:
            log.warning("GET /groups returned no groups: marked all %d stored groups removed", removed)
        log.info(
            "Groups: %d read, %d written, %d removed, %d affect queue names (%d tickets marked dirty)",
            distinct,
            written,
            removed,
            changed,
            dirty,
        )
        return distinct

    def _copy(self, statement: str, rows: list[Any]) -> None:
        with self.conn.cursor() as cur, cur.copy(load_sql(statement)) as copy:
            for row in rows:
                copy.write_row(row)

    def _run(self, statement: str, params: Mapping[str, Any] | None = None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(load_sql(statement), params)
            return max(cur.rowcount, 0)


def _ticket_id(ticket: Mapping[str, Any]) -> int:
    try:
        ticket_id = int(ticket["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"ticket without a usable id: {_preview(ticket)}") from None
    # Versions are ordered by updated_at and contacts happen at created_at: without them the
    # ticket cannot be placed, and the database would only say "null value".
    for field in ("created_at", "updated_at"):
        if not ticket.get(field):
            raise ValueError(f"ticket {ticket_id} has no {field}")
    return ticket_id


def _conversation_id(conversation: Mapping[str, Any], ticket_id: int) -> int:
    try:
        conversation_id = int(conversation["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"conversation of ticket {ticket_id} without a usable id: {_preview(conversation)}") from None
    if not conversation.get("created_at"):
        raise ValueError(f"conversation {conversation_id} of ticket {ticket_id} has no created_at")
    return conversation_id


def _group_id(group: Mapping[str, Any]) -> int:
    try:
        return int(group["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"group without a usable id: {_preview(group)}") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _to_json(obj: Mapping[str, Any]) -> str:
    text = json.dumps(obj, default=_json_default, ensure_ascii=False, separators=(",", ":"))
    if "\\u0000" in text:
        # jsonb cannot store NUL characters; they carry no meaning in a ticket, so drop them
        # rather than reject the whole load.
        text = json.dumps(_strip_nul(obj), default=_json_default, ensure_ascii=False, separators=(",", ":"))
    return text


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Mapping):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip_nul(v) for v in value]
    return value


def _preview(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 200 else text[:200] + "…"
