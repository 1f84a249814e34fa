"""Stream tickets and their conversations from Freshdesk into the raw mirror.

One *walk* reads one ticket list (normal, ``filter=deleted`` or ``filter=spam``) in
``updated_at`` order over a window; tickets are taken in batches, the batch's conversations
are fetched concurrently, and the batch is loaded. Only one batch is held in memory, so a
window of any size runs in bounded memory. Nothing here commits: the caller decides what
one transaction is (a backfill slice, or a whole incremental run).
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from freshdesk_provider.hooks.freshdesk import FreshdeskHook, parse_timestamp
from freshdesk_provider.warehouse.loader import RawLoader

log = logging.getLogger(__name__)

#: stream name in the warehouse's sync state -> the ticket list's ``filter`` value
TICKET_STREAMS: dict[str, str | None] = {
    "tickets": None,
    "tickets_deleted": "deleted",
    "tickets_spam": "spam",
}

DEFAULT_BATCH_SIZE = 500
#: a stored version's conversations are reused only if they were read this long after its
#: updated_at: Freshdesk's timestamps have whole seconds, so a reply added in the same second as
#: a read leaves the listed version unchanged; the rest of the margin covers clock skew between
#: Freshdesk and the warehouse. Versions younger than that at their read (and those changed
#: while the run that read them was going on) are read again by the next run: at an even pace
#: of changes, (this lag + a run's duration) / an hour of them, a few percent.
REUSE_AFTER_READ_LAG = timedelta(seconds=30)


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
    #: tickets whose conversations Freshdesk would not serve (403 or 404): their stored ones stay
    unreadable_conversations: int = 0
    #: tickets listed in the version the warehouse holds: their stored conversations are current,
    #: so they were not read again (the incremental run's overlap)
    conversations_reused: int = 0
    #: tickets listed but created after the backfill's range: left out (ingest_window's created_before)
    created_after_range: int = 0
    max_updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "conversations": self.conversations,
            "unreadable_conversations": self.unreadable_conversations,
            "conversations_reused": self.conversations_reused,
            "created_after_range": self.created_after_range,
            "max_updated_at": self.max_updated_at.isoformat() if self.max_updated_at else None,
        }


#: unreadable ticket ids named in the warning, at most
UNREADABLE_IDS_SHOWN = 10


@dataclass
class _ConversationTally:
    """Why tickets came without conversations, or were left out; kept by the reader thread of
    one walk."""

    unreadable: int = 0
    reused: int = 0
    unreadable_ids: list[Any] = field(default_factory=list)
    #: listed tickets created at or after ``created_before``: not loaded (see ingest_window)
    created_later: int = 0

    def count(self, ticket_id: Any, conversations: list[dict[str, Any]] | None, *, reused: bool) -> None:
        if reused:
            self.reused += 1
        elif conversations is None:
            self.unreadable += 1
            if len(self.unreadable_ids) < UNREADABLE_IDS_SHOWN:
                self.unreadable_ids.append(ticket_id)


@dataclass
class IngestStats:
    streams: dict[str, StreamStats] = field(default_factory=dict)

    @property
    def tickets(self) -> int:
        return sum(s.tickets for s in self.streams.values())

    @property
    def conversations(self) -> int:
        return sum(s.conversations for s in self.streams.values())

    @property
    def created_after_range(self) -> int:
        return sum(s.created_after_range for s in self.streams.values())

    def as_dict(self) -> dict[str, Any]:
        return {name: s.as_dict() for name, s in self.streams.items()}


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


#: the least time between two progress lines of one stream
PROGRESS_EVERY_SECONDS = 15.0


class _Progress:
    """Progress lines for long walks, at most every :data:`PROGRESS_EVERY_SECONDS`: tickets read (their
    conversations in hand) and loaded, rate, position on the updated_at axis and an ETA.

    Reads are reported as they happen, from the reader thread: on a rate-limited account one
    batch of 500 tickets takes minutes to read, and the log should not fall silent meanwhile."""

    def __init__(self, stream: str, start: datetime, until: datetime | None):
        self.stream = stream
        self.start = start
        self.until = until or datetime.now(timezone.utc)
        self.every = PROGRESS_EVERY_SECONDS
        self.began = time.monotonic()
        self.last = self.began
        self.read = 0
        self.reached: datetime | None = None
        self._printed: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def ticket_read(self, ticket: dict[str, Any], stats: StreamStats, hook: FreshdeskHook) -> None:
        updated = parse_timestamp(ticket["updated_at"])
        with self._lock:
            self.read += 1
            if self.reached is None or updated > self.reached:
                self.reached = updated
        self.report(stats, hook)

    def report(self, stats: StreamStats, hook: FreshdeskHook, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            state = (self.read, stats.tickets)
            if force and state == self._printed:
                return  # the last line already says this
            if not force and now - self.last < self.every:
                return
            self.last, self._printed = now, state
            elapsed = max(now - self.began, 1e-6)
            reached = self.reached or stats.max_updated_at
        eta = "unknown"
        if reached is not None:
            span = (self.until - self.start).total_seconds()
            done = (reached - self.start).total_seconds()
            if span > 0 and 0 < done < span:
                eta = f"{elapsed * (span - done) / done:.0f}s"
            elif done >= span:
                eta = "0s"
        hook_stats = getattr(hook, "stats", {}) or {}
        log.info(
            "%s: %d tickets read, %d loaded (%d conversations), %.1f tickets/s, reached updated_at %s, ETA %s; "
            "API requests %s, throttled %s",
            self.stream,
            state[0],
            state[1],
            stats.conversations,
            state[0] / elapsed,
            reached.isoformat() if reached else "-",
            eta,
            hook_stats.get("requests", "?"),
            hook_stats.get("throttled_429", "?"),
        )


def _created_before(
    tickets: Iterable[dict[str, Any]], before: datetime, tally: _ConversationTally
) -> Iterator[dict[str, Any]]:
    """The tickets created before ``before`` (or with no usable ``created_at``: kept)."""
    for ticket in tickets:
        created = ticket.get("created_at") if isinstance(ticket, dict) else None
        if created and parse_timestamp(str(created)) >= before:
            tally.created_later += 1
            continue
        yield ticket


def _bundles(
    hook: FreshdeskHook,
    tickets: Iterable[dict[str, Any]],
    list_filter: str | None,
    stored: dict[int, tuple[datetime, bool, bool]] | None,
    tally: _ConversationTally,
    on_read: Callable[[dict[str, Any]], None],
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]] | None]]:
    """``(ticket, conversations)`` for each listed ticket, as one continuous stream.

    The list walk feeds :meth:`FreshdeskHook.fetch_conversations` lazily, so list pages and
    conversation reads overlap and the reader pool never drains between batches. Tickets of
    the ``deleted`` list are asked once per walk: Freshdesk answers 403 there (a credit spent for
    no data), and then no other is asked and ``None`` keeps whatever the warehouse already
    holds; a server that does serve them gets them all read, so their replies count (Unknown).
    Nor are tickets whose listed version (``updated_at``, deleted, spam) is the one ``stored``
    in the warehouse: Freshdesk moves ``updated_at`` when a conversation is added, so their
    stored conversations are current. That is the incremental run's overlap, which would
    otherwise be read again every hour. ``tally`` counts the tickets yielded without
    conversations, and why; ``on_read`` sees each ticket as it is yielded.
    """
    if list_filter == "deleted":
        tickets = iter(tickets)
        first = next(tickets, None)
        if first is None:
            return
        first = normalise_ticket(first, list_filter)
        first_conversations = hook.get_conversations(first["id"])
        tally.count(first["id"], first_conversations, reused=False)
        on_read(first)
        yield first, first_conversations
        if first_conversations is None:
            for ticket in tickets:
                tally.count(ticket["id"], None, reused=False)
                ticket = normalise_ticket(ticket, list_filter)
                on_read(ticket)
                yield ticket, None
            return
    pending: dict[Any, dict[str, Any]] = {}

    def ids() -> Iterator[Any]:
        for ticket in tickets:
            ticket = normalise_ticket(ticket, list_filter)
            known = ticket["id"] in pending
            # A ticket listed again while its read is in flight: keep the newer version, read once.
            pending[ticket["id"]] = ticket
            if not known:
                yield ticket["id"]

    skipped: set[Any] = set()

    def matches_stored(ticket: dict[str, Any]) -> bool:
        version = stored.get(ticket["id"]) if stored else None
        return version is not None and version == (
            parse_timestamp(ticket["updated_at"]),
            ticket["deleted"],
            ticket["spam"],
        )

    def unchanged(ticket_id: Any) -> bool:
        if matches_stored(pending[ticket_id]):
            skipped.add(ticket_id)
            return True
        return False

    for ticket_id, conversations in hook.fetch_conversations(ids(), skip=unchanged if stored else None):
        ticket = pending.pop(ticket_id)
        reused = ticket_id in skipped
        if reused:
            skipped.discard(ticket_id)
            if not matches_stored(ticket):
                # Listed again, newer, while its skip was queued: read it after all.
                conversations = hook.get_conversations(ticket_id)
                reused = False
        tally.count(ticket_id, conversations, reused=reused)
        on_read(ticket)
        yield ticket, conversations


_DONE = object()


def _prefetched(batches: Iterator[list[Any]], depth: int = 2) -> Iterator[list[Any]]:
    """Run ``batches`` in a thread ``depth`` batches ahead of the consumer.

    API reads (the credits) go on while the caller loads the previous batch into Postgres, so
    the rate-limit budget is not left idle during loads. Memory stays bounded by ``depth``.
    Errors of the producer are raised in the consumer; when the consumer stops early, the
    producer is told to stop and its generator is closed (cancelling in-flight reads).
    """
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    break
        except BaseException as exc:  # handed to the consumer
            put(exc)
            return
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        put(_DONE)

    thread = threading.Thread(target=produce, name="freshdesk-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def ingest_window(
    hook: FreshdeskHook,
    loader: RawLoader,
    *,
    updated_since: datetime,
    until: datetime | None = None,
    streams: Sequence[str] = tuple(TICKET_STREAMS),
    batch_size: int = DEFAULT_BATCH_SIZE,
    include: Sequence[str] = (),
    reuse_stored_conversations: bool = False,
    created_before: datetime | None = None,
) -> IngestStats:
    """Load every ticket updated in ``[updated_since, until)`` (open-ended when ``until`` is None)
    from each of ``streams``, with all its conversations. ``include`` asks the ticket list for
    more (``("stats",)`` feeds the response times) at 2 more credits per list page each.

    ``created_before`` leaves out listed tickets created at or after it, before their
    conversations are read: a backfill of a range that ends in the past reads on to the present
    only for the tickets created in or before its range (updated since, or replied to in it).

    ``reuse_stored_conversations`` keeps the stored conversations of tickets listed in the
    version the warehouse holds (the hourly sync's overlap) instead of reading them again, when
    that version was read at least :data:`REUSE_AFTER_READ_LAG` after its ``updated_at``. A
    backfill leaves it off, so that re-running one reads every conversation afresh (a repair).

    Reading runs ahead of loading (see :func:`_prefetched`); only this thread touches the
    warehouse connection."""
    stats = IngestStats()
    # Rows written from here carry the transaction's start as loaded_at: it must precede the reads.
    loader.begin_read()
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
        stored = None
        if reuse_stored_conversations and list_filter != "deleted" and hasattr(loader, "stored_versions"):
            # Only rows this list can match: the normal list's are neither deleted nor spam.
            flags = {"deleted": False, "spam": False} if list_filter is None else {"spam": True}
            stored = loader.stored_versions(updated_since, until, min_read_lag=REUSE_AFTER_READ_LAG, **flags)
        tickets = hook.iter_tickets(updated_since, until=until, filter=list_filter, include=include)
        tally = _ConversationTally()
        if created_before is not None:
            tickets = _created_before(tickets, created_before, tally)
        bundles = _bundles(
            hook, tickets, list_filter, stored, tally,  # type: ignore[arg-type]
            on_read=functools.partial(progress.ticket_read, stats=stream_stats, hook=hook),
        )
        for batch in _prefetched(_batches(bundles, batch_size)):
            loader.load(batch)
            stream_stats.tickets += len({ticket["id"] for ticket, _ in batch})
            stream_stats.conversations += sum(len(convs) for _, convs in batch if convs is not None)
            batch_max = max(parse_timestamp(ticket["updated_at"]) for ticket, _ in batch)
            if stream_stats.max_updated_at is None or batch_max > stream_stats.max_updated_at:
                stream_stats.max_updated_at = batch_max
            progress.report(stream_stats, hook)
        # The reader thread has finished the walk: its tally is complete.
        stream_stats.unreadable_conversations += tally.unreadable
        stream_stats.conversations_reused += tally.reused
        stream_stats.created_after_range += tally.created_later
        progress.report(stream_stats, hook, force=True)
        if tally.unreadable and list_filter is None:
            # The deleted list's 403s are expected; a listed live ticket's are not.
            log.warning(
                "%s: Freshdesk would not serve the conversations of %d listed tickets (HTTP 403 or 404), "
                "e.g. ids %s: deleted since they were listed, or out of the API key's reach. Their "
                "stored conversations are kept; the next change to such a ticket reads them again.",
                stream,
                tally.unreadable,
                ", ".join(str(i) for i in tally.unreadable_ids),
            )
    return stats
