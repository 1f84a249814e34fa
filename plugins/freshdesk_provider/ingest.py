"""Stream tickets and their conversations from Freshdesk into the raw mirror.

One *walk* reads one ticket list (normal, ``filter=deleted`` or ``filter=spam``) in
``updated_at`` order over a window; tickets are taken in batches, the batch's conversations
are fetched concurrently, and the batch is loaded. Only one batch is held in memory, so a
window of any size runs in bounded memory. Nothing here commits: the caller decides what
one transaction is (a backfill slice, or a whole incremental run).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.warehouse.loader import RawLoader

log = logging.getLogger(__name__)

#: stream name in the warehouse's sync state -> the ticket list's ``filter`` value
TICKET_STREAMS: dict[str, str | None] = {
    "tickets": None,
    "tickets_deleted": "deleted",
    "tickets_spam": "spam",
}

DEFAULT_BATCH_SIZE = 500


def parse_freshdesk_time(value: str) -> datetime:
    """Freshdesk timestamps are UTC ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def normalise_ticket(ticket: dict[str, Any], list_filter: str | None) -> dict[str, Any]:
    """Make the deleted/spam state explicit from the list the ticket came from.

    The normal list leaves deleted and spam tickets out, so a ticket found there has been
    restored (or never was either); ``filter=deleted`` and ``filter=spam`` vouch for their flag
    even where the payload leaves it out.
    """
    if list_filter is None:
        ticket["deleted"] = False
        ticket["spam"] = False
    elif list_filter == "deleted":
        ticket["deleted"] = True
        ticket["spam"] = bool(ticket.get("spam", False))
    elif list_filter == "spam":
        ticket["spam"] = True
        ticket["deleted"] = bool(ticket.get("deleted", False))
    else:
        raise ValueError(f"unknown ticket list filter {list_filter!r}")
    return ticket


@dataclass
class StreamStats:
    tickets: int = 0
    conversations: int = 0
    unreadable_conversations: int = 0
    max_updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "conversations": self.conversations,
            "unreadable_conversations": self.unreadable_conversations,
            "max_updated_at": self.max_updated_at.isoformat() if self.max_updated_at else None,
        }


@dataclass
class IngestStats:
    streams: dict[str, StreamStats] = field(default_factory=dict)

    @property
    def tickets(self) -> int:
        return sum(s.tickets for s in self.streams.values())

    @property
    def conversations(self) -> int:
        return sum(s.conversations for s in self.streams.values())

    def as_dict(self) -> dict[str, Any]:
        return {name: s.as_dict() for name, s in self.streams.items()}


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Progress:
    """Periodic progress lines for long walks: counts, rate and an ETA on the updated_at axis."""

    def __init__(self, stream: str, start: datetime, until: datetime | None, every_seconds: float = 15.0):
        self.stream = stream
        self.start = start
        self.until = until or datetime.now(timezone.utc)
        self.every = every_seconds
        self.began = time.monotonic()
        self.last = self.began

    def report(self, stats: StreamStats, hook: FreshdeskHook, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        elapsed = max(now - self.began, 1e-6)
        rate = stats.tickets / elapsed
        eta = "unknown"
        if stats.max_updated_at is not None:
            span = (self.until - self.start).total_seconds()
            done = (stats.max_updated_at - self.start).total_seconds()
            if span > 0 and 0 < done < span:
                eta = f"{elapsed * (span - done) / done:.0f}s"
            elif done >= span:
                eta = "0s"
        hook_stats = getattr(hook, "stats", {}) or {}
        log.info(
            "%s: %d tickets, %d conversations, %.1f tickets/s, reached updated_at %s, ETA %s; "
            "API requests %s, throttled %s",
            self.stream,
            stats.tickets,
            stats.conversations,
            rate,
            stats.max_updated_at.isoformat() if stats.max_updated_at else "-",
            eta,
            hook_stats.get("requests", "?"),
            hook_stats.get("throttled_429", "?"),
        )


def ingest_window(
    hook: FreshdeskHook,
    loader: RawLoader,
    *,
    updated_since: datetime,
    until: datetime | None = None,
    streams: Sequence[str] = tuple(TICKET_STREAMS),
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> IngestStats:
    """Load every ticket updated in ``[updated_since, until)`` (open-ended when ``until`` is None)
    from each of ``streams``, with all its conversations."""
    stats = IngestStats()
    for stream in streams:
        list_filter = TICKET_STREAMS[stream]
        stream_stats = stats.streams.setdefault(stream, StreamStats())
        progress = _Progress(stream, updated_since, until)
        log.info(
            "Reading %s updated from %s to %s",
            stream,
            updated_since.isoformat(),
            until.isoformat() if until else "now",
        )
        tickets = hook.iter_tickets(updated_since, until=until, filter=list_filter)
        for batch in _batches(tickets, batch_size):
            by_id = {t["id"]: normalise_ticket(t, list_filter) for t in batch}
            conversations = dict(hook.fetch_conversations(list(by_id)))
            bundles = [(ticket, conversations.get(ticket_id)) for ticket_id, ticket in by_id.items()]
            loader.load(bundles)
            stream_stats.tickets += len(by_id)
            for convs in conversations.values():
                if convs is None:
                    stream_stats.unreadable_conversations += 1
                else:
                    stream_stats.conversations += len(convs)
            batch_max = max(parse_freshdesk_time(t["updated_at"]) for t in by_id.values())
            if stream_stats.max_updated_at is None or batch_max > stream_stats.max_updated_at:
                stream_stats.max_updated_at = batch_max
            progress.report(stream_stats, hook)
        progress.report(stream_stats, hook, force=True)
    return stats
