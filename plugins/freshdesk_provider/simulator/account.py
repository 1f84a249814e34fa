"""The simulated account: ground truth, list queries for the HTTP layer, and mutations."""

from __future__ import annotations

import contextlib
import gc
import random
import threading
import time
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from freshdesk_provider.simulator import names
from freshdesk_provider.simulator.config import SimulatorConfig
from freshdesk_provider.simulator.generator import generate, make_group
from freshdesk_provider.simulator.models import (
    CONTACT_ID_BASE,
    CONTACT_ID_STEP,
    KIND_BY_NAME,
    KINDS,
    Conversation,
    Ticket,
    TimeEntry,
    agent_info,
    iso,
)

ORDER_ATTRS: dict[str, str] = {"created_at": "created", "updated_at": "updated", "due_by": "due_by", "status": "status"}
TICKET_FIELDS_UPDATABLE = frozenset(
    {"status", "priority", "type", "responder_id", "tags", "subject", "company_id", "source", "custom_fields"}
)
_CF_KEYS = ("cf_product", "cf_region", "cf_order_number", "cf_customer_tier")
_QUERY_CACHE_SIZE = 64

_RENAMES = (
    'Support "EMEA"',
    "Équipe Nord",
    "Ops/Infra",
    "Team Ünïcode",
    "Billing (new)",
    "O'Connor's Team",
    "Kundenservice Nord",
    "Tier 2",
)

# random_mutations: (operation, weight). Customer replies dominate, as in a live desk.
_RANDOM_OPS: tuple[tuple[str, float], ...] = (
    ("customer_reply", 28),
    ("agent_reply", 16),
    ("private_note", 7),
    ("public_note", 2),
    ("move_to_group", 12),
    ("update_status", 8),
    ("add_ticket", 6),
    ("delete_ticket", 5),
    ("restore_ticket", 4),
    ("remove_conversation", 5),
    ("mark_spam", 3),
    ("unmark_spam", 2),
    ("archive_ticket", 2),
)
_CUSTOMER_KINDS = (
    ("customer_email", 60),
    ("customer_portal", 15),
    ("customer_phone", 12),
    ("customer_twitter", 2),
    ("customer_facebook", 2),
    ("customer_forward", 2),
    ("customer_survey", 3),
    ("customer_mobihelp", 1),
    ("customer_ecommerce", 1),
    ("customer_unknown", 2),
)


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Build large acyclic structures without the cyclic GC rescanning them (about 2x faster)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def resolve_now(value: datetime | str | None) -> int:
    """A config's `now` as epoch seconds (naive datetimes and strings are UTC)."""
    if value is None:
        return int(time.time())
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


class TicketsView(Mapping[int, dict[str, Any]]):
    """Read-only `id -> ticket dict` (API shape plus `deleted` and `archived` booleans)."""

    def __init__(self, account: FreshdeskAccount) -> None:
        self._account = account

    def __getitem__(self, ticket_id: int) -> dict[str, Any]:
        with self._account.lock:
            return self._account._truth(self._account._tickets[ticket_id])

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._account._tickets

    def __iter__(self) -> Iterator[int]:
        with self._account.lock:
            return iter(list(self._account._tickets))

    def __len__(self) -> int:
        return len(self._account._tickets)


class ConversationsView(Mapping[int, list[dict[str, Any]]]):
    """Read-only `ticket id -> [conversation dict]` for every ticket (deleted, spam and archived too)."""

    def __init__(self, account: FreshdeskAccount) -> None:
        self._account = account

    def __getitem__(self, ticket_id: int) -> list[dict[str, Any]]:
        with self._account.lock:
            t = self._account._tickets[ticket_id]
            return [c.to_api(t.requester_id) for c in t.conversations]

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._account._tickets

    def __iter__(self) -> Iterator[int]:
        with self._account.lock:
            return iter(list(self._account._tickets))

    def __len__(self) -> int:
        return len(self._account._tickets)


class FreshdeskAccount:
    """Ground truth of one simulated Freshdesk account. Every public method is thread-safe."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        base_now = resolve_now(config.now)
        # The clock runs from the configured `now` at real speed, so that mutations are always
        # newer than generated data even when `now` is pinned for determinism.
        self._clock_offset = base_now - time.time()
        self._last_clock = base_now
        self.generated_at = base_now
        started = time.perf_counter()
        with _paused_gc():
            gen = generate(config, base_now)
        self.generation_seconds = time.perf_counter() - started
        self._groups = gen.groups
        self._vanished_group_ids = list(gen.vanished_group_ids)
        self._tickets: dict[int, Ticket] = gen.tickets
        self._time_entries: list[TimeEntry] = gen.time_entries
        self._agents = gen.agent_ids
        self._next_contact_index = gen.contact_count
        self._next_conversation_id = gen.next_conversation_id
        self._next_time_entry_id = gen.next_time_entry_id
        self._next_group_id = gen.next_group_id
        self._next_ticket_id = max(self._tickets, default=0) + 1
        self._version = 0
        self._views_version = -1
        self._views: dict[str, list[Ticket]] = {}
        self._indexes: dict[tuple[str, str, bool], tuple[list[Ticket], list[int]]] = {}
        self._queries: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

    # ----------------------------------------------------------------- truth (read-only)
    @property
    def tickets(self) -> TicketsView:
        return TicketsView(self)

    @property
    def conversations(self) -> ConversationsView:
        return ConversationsView(self)

    @property
    def groups(self) -> dict[int, dict[str, Any]]:
        """Groups currently defined (a copy): `id -> group dict` as `/groups` shows them."""
        with self.lock:
            return {gid: dict(g) for gid, g in self._groups.items()}

    @property
    def vanished_group_ids(self) -> list[int]:
        """Group ids that tickets may reference but `/groups` no longer lists."""
        with self.lock:
            return list(self._vanished_group_ids)

    @property
    def agent_ids(self) -> list[int]:
        return list(self._agents)

    @property
    def me(self) -> int:
        """The agent the API key belongs to."""
        return self._agents[0]

    @property
    def time_entries(self) -> list[dict[str, Any]]:
        with self.lock:
            return [e.to_api() for e in self._time_entries]

    def clock(self) -> int:
        """The account's current time in epoch seconds; never goes backwards."""
        with self.lock:
            ts = max(self._last_clock, int(time.time() + self._clock_offset))
            self._last_clock = ts
            return ts

    def now(self) -> datetime:
        """The account's current time (aware UTC, second precision)."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def is_deleted(self, ticket_id: int) -> bool:
        with self.lock:
            return self._tickets[ticket_id].deleted

    def is_spam(self, ticket_id: int) -> bool:
        with self.lock:
            return self._tickets[ticket_id].spam

    def is_archived(self, ticket_id: int) -> bool:
        with self.lock:
            return self._tickets[ticket_id].archived

    def state(self, ticket_id: int) -> dict[str, bool]:
        with self.lock:
            t = self._tickets[ticket_id]
            return {"deleted": t.deleted, "spam": t.spam, "archived": t.archived}

    def summary(self) -> dict[str, Any]:
        """Counts for logs and quick checks."""
        with self.lock:
            views = Counter(t.view for t in self._tickets.values())
            return {
                "tickets": len(self._tickets),
                "tickets_by_view": dict(views),
                "conversations": sum(len(t.conversations) for t in self._tickets.values()),
                "groups": len(self._groups),
                "time_entries": len(self._time_entries),
                "now": iso(self.clock()),
            }

    def snapshot(self, conversations: bool = True) -> dict[str, Any]:
        """The whole ground truth as JSON-ready data (what `GET /_simulator/account` returns)."""
        with self.lock, _paused_gc():
            out: dict[str, Any] = {
                "now": iso(self.clock()),
                "generated_at": iso(self.generated_at),
                "me": self.me,
                "groups": [dict(g) for g in self._groups.values()],
                "vanished_group_ids": list(self._vanished_group_ids),
                "tickets": [self._truth(t) for t in self._tickets.values()],
                "time_entries": [e.to_api() for e in self._time_entries],
            }
            if conversations:
                out["conversations"] = {
                    str(t.id): [c.to_api(t.requester_id) for c in t.conversations] for t in self._tickets.values()
                }
            return out

    def _truth(self, t: Ticket) -> dict[str, Any]:
        d = t.to_api()
        d["deleted"] = t.deleted
        d["archived"] = t.archived
        return d

    # ----------------------------------------------------------------- queries for the HTTP layer
    def _view_members(self, view: str) -> list[Ticket]:
        if self._views_version != self._version:
            buckets: dict[str, list[Ticket]] = {"normal": [], "deleted": [], "spam": [], "archived": []}
            for t in self._tickets.values():  # id order, which the stable sorts below rely on
                buckets[t.view].append(t)
            self._views = buckets
            self._views_version = self._version
            self._indexes.clear()
            self._queries.clear()
        return self._views[view]

    def _index(self, view: str, attr: str, descending: bool) -> tuple[list[Ticket], list[int]]:
        members = self._view_members(view)
        key = (view, attr, descending)
        idx = self._indexes.get(key)
        if idx is None:
            # Stable sorts over id-ordered members: ties stay in id order, also with reverse=True.
            order = sorted(members, key=attrgetter(attr), reverse=descending)
            keys = [-getattr(t, attr) for t in order] if descending else [getattr(t, attr) for t in order]
            idx = (order, keys)
            self._indexes[key] = idx
        return idx

    def query_tickets(
        self,
        *,
        view: str,
        order_by: str,
        descending: bool,
        updated_since: int | None,
        created_since: int,
        offset: int,
        limit: int,
        include: dict[str, bool],
        predicate: Callable[[Ticket], bool] | None = None,
        predicate_key: tuple[Any, ...] = (),
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of the ticket list and whether more follow.

        `updated_since` filters on updated_at, else `created_since` on created_at. Orders are
        stable with ties by id ascending. Queries on the sort key itself bisect; others scan once
        and are cached until the next mutation.
        """
        attr = ORDER_ATTRS[order_by]
        field, threshold = ("updated", updated_since) if updated_since is not None else ("created", created_since)
        with self.lock:
            order, keys = self._index(view, attr, descending)
            if predicate is None and attr == field:
                if descending:
                    end = bisect_right(keys, -threshold)
                    page = order[offset : min(offset + limit, end)] if offset < end else []
                    more = offset + limit < end
                else:
                    start = bisect_left(keys, threshold) + offset
                    page = order[start : start + limit]
                    more = start + limit < len(order)
            else:
                cache_key = (view, attr, descending, field, threshold, predicate_key)
                matched = self._queries.get(cache_key)
                if matched is None:
                    get = attrgetter(field)
                    matched = [t for t in order if get(t) >= threshold and (predicate is None or predicate(t))]
                    self._queries[cache_key] = matched
                    if len(self._queries) > _QUERY_CACHE_SIZE:
                        self._queries.popitem(last=False)
                else:
                    self._queries.move_to_end(cache_key)
                page = matched[offset : offset + limit]
                more = offset + limit < len(matched)
            return [t.to_api(**include) for t in page], more

    def get_ticket(
        self, ticket_id: int, *, archived: bool, include: dict[str, bool], conversations: bool = False
    ) -> dict[str, Any] | None:
        """A ticket as `GET /tickets/{id}` (or `/tickets/archived/{id}`) shows it; None means 404."""
        with self.lock:
            t = self._tickets.get(ticket_id)
            if t is None or t.archived != archived:
                return None
            d = t.to_api(description=True, **include)
            d["attachments"] = []
            if conversations:
                d["conversations"] = [c.to_api(t.requester_id) for c in t.conversations[:10]]
            return d

    def list_conversations(
        self, ticket_id: int, *, archived: bool, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]], bool]:
        """(HTTP status, page, more): 404 unknown/archived (or not archived on the archive endpoint),
        403 deleted."""
        with self.lock:
            t = self._tickets.get(ticket_id)
            if t is None or t.archived != archived:
                return 404, [], False
            if t.deleted and not self.config.deleted_conversations_readable:
                return 403, [], False
            page = t.conversations[offset : offset + limit]
            return 200, [c.to_api(t.requester_id) for c in page], offset + limit < len(t.conversations)

    def list_groups(self, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        with self.lock:
            ids = sorted(self._groups)
            return [dict(self._groups[g]) for g in ids[offset : offset + limit]], offset + limit < len(ids)

    def list_time_entries(
        self,
        *,
        executed_after: int | None,
        executed_before: int | None,
        agent_id: int | None,
        billable: bool | None,
        offset: int,
        limit: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        key = ("time_entries", self._version, executed_after, executed_before, agent_id, billable)
        with self.lock:
            matched = self._queries.get(key)
            if matched is None:
                tickets = self._tickets
                matched = [
                    e
                    for e in self._time_entries
                    if not tickets[e.ticket_id].deleted
                    and not tickets[e.ticket_id].spam
                    and (executed_after is None or e.executed >= executed_after)
                    and (executed_before is None or e.executed <= executed_before)
                    and (agent_id is None or e.agent_id == agent_id)
                    and (billable is None or e.billable == billable)
                ]
                self._queries[key] = matched
                if len(self._queries) > _QUERY_CACHE_SIZE:
                    self._queries.popitem(last=False)
            return [e.to_api() for e in matched[offset : offset + limit]], offset + limit < len(matched)

    def ticket_time_entries(self, ticket_id: int) -> list[dict[str, Any]] | None:
        """Time entries of a ticket; None (404) for unknown, deleted, spam or archived tickets."""
        with self.lock:
            t = self._tickets.get(ticket_id)
            if t is None or t.deleted or t.spam or t.archived:
                return None
            return [e.to_api() for e in t.time_entries or ()]

    def agent_me(self) -> dict[str, Any]:
        name, email = agent_info(self.me)
        created = iso(self.generated_at - 400 * 86_400)
        return {
            "available": True,
            "occasional": False,
            "id": self.me,
            "signature": None,
            "ticket_scope": 1,
            "group_ids": sorted(self._groups)[:3],
            "role_ids": [43_000_000_001],
            "skill_ids": [],
            "available_since": None,
            "type": "support_agent",
            "created_at": created,
            "updated_at": created,
            "last_active_at": iso(self.clock()),
            "contact": {
                "active": True,
                "email": email,
                "job_title": "API user",
                "language": "en",
                "last_login_at": created,
                "mobile": None,
                "name": name,
                "phone": None,
                "time_zone": "UTC",
                "created_at": created,
                "updated_at": created,
            },
        }

    # ----------------------------------------------------------------- mutations
    def _changed(self) -> None:
        self._version += 1

    def _ticket(self, ticket_id: int, *, allow_archived: bool = False) -> Ticket:
        t = self._tickets.get(ticket_id)
        if t is None:
            raise KeyError(f"no ticket {ticket_id}")
        if t.archived and not allow_archived:
            raise ValueError(f"ticket {ticket_id} is archived and read-only")
        return t

    def _bump(self, t: Ticket, now: int | None = None) -> int:
        now = self.clock() if now is None else now
        t.updated = max(t.updated, now)
        self._changed()
        return now

    def _set_status(self, t: Ticket, status: int, now: int) -> None:
        if status not in (2, 3, 4, 5):
            raise ValueError("status must be 2, 3, 4 or 5")
        if status == t.status:
            return
        old = t.status
        t.status = status
        t.status_updated = now
        if status == 4:
            t.resolved = now
        elif status == 5:
            if old != 4 or t.resolved is None:
                t.resolved = now
        elif status == 2 and old in (4, 5):
            t.reopened = now

    def add_ticket(
        self,
        *,
        subject: str | None = None,
        description: str | None = None,
        group_id: int | None = None,
        source: int = 1,
        requester_id: int | None = None,
        responder_id: int | None = None,
        company_id: int | None = None,
        status: int = 2,
        priority: int = 1,
        type: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
        created_at: datetime | str | None = None,
        spam: bool = False,
    ) -> int:
        """Create a ticket (created_at defaults to the clock) and return its id."""
        with self.lock:
            now = self.clock()
            created = now if created_at is None else resolve_now(created_at)
            t = Ticket()
            t.id = self._next_ticket_id
            self._next_ticket_id += 1
            t.created = created
            t.updated = max(created, now)
            if requester_id is None:
                requester_id = CONTACT_ID_BASE + self._next_contact_index * CONTACT_ID_STEP
                self._next_contact_index += 1
            t.requester_id = requester_id
            t.responder_id = responder_id
            t.company_id = company_id
            t.group_id = group_id
            t.source = source
            t.priority = priority
            t.type = type
            t.tags = tuple(tags)
            t.subject = subject if subject is not None else names.SUBJECTS[t.id % len(names.SUBJECTS)]
            t.description = description if description is not None else names.DESCRIPTIONS[0]
            t.cf = (None, None, None, None)
            t.status = 2
            t.status_updated = created
            if status != 2:
                self._set_status(t, status, t.updated)
            t.spam = spam
            t.due_by = created + 72 * 3600
            t.fr_due_by = created + 24 * 3600
            t.is_escalated = False
            self._tickets[t.id] = t
            self._changed()
            return t.id

    def update_ticket(self, ticket_id: int, **fields: Any) -> dict[str, Any]:
        """Change ticket fields (status, priority, type, responder_id, tags, subject, company_id,
        source, custom_fields) like `PUT /tickets/{id}`."""
        unknown = set(fields) - TICKET_FIELDS_UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        with self.lock:
            t = self._ticket(ticket_id)
            now = self.clock()
            for name, value in fields.items():
                if name == "status":
                    self._set_status(t, int(value), now)
                elif name == "tags":
                    t.tags = tuple(value)
                elif name == "custom_fields":
                    current = dict(zip(_CF_KEYS, t.cf, strict=True))
                    current.update({k: v for k, v in value.items() if k in current})
                    t.cf = tuple(current[k] for k in _CF_KEYS)
                else:
                    setattr(t, name, value)
            self._bump(t, now)
            return self._truth(t)

    def add_conversation(
        self,
        ticket_id: int,
        kind: str = "customer_email",
        source: int | None = None,
        *,
        user_id: int | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Add a conversation of a kind (see `models.KINDS`: customer_email, customer_portal,
        customer_phone, ..., agent_reply, private_note, public_note, requester_note, ...).

        A customer message on a resolved or closed ticket reopens it, as Freshdesk's default
        automation does.
        """
        spec = KIND_BY_NAME.get(kind)
        if spec is None:
            raise ValueError(f"unknown conversation kind {kind!r}; one of {sorted(KIND_BY_NAME)}")
        with self.lock:
            t = self._ticket(ticket_id)
            now = self.clock()
            if t.conversations:
                now = max(now, t.conversations[-1].created)
            if user_id is None:
                user_id = t.requester_id if spec.author == "requester" else (t.responder_id or self._agents[0])
            conv = Conversation(
                self._next_conversation_id,
                t.id,
                user_id,
                spec.code,
                spec.source if source is None else source,
                now,
                now,
                False,
                body if body is not None else spec.bodies[self._next_conversation_id % len(spec.bodies)],
            )
            self._next_conversation_id += 1
            t.conversations.append(conv)
            if conv.is_customer_message(t.requester_id) and t.status in (4, 5):
                self._set_status(t, 2, now)
            self._bump(t, now)
            return conv.to_api(t.requester_id)

    def remove_conversation(self, conversation_id: int, ticket_id: int | None = None, *, bump: bool = True) -> int:
        """Delete a conversation (a note or reply removed in Freshdesk); returns its ticket id.

        ``bump=False`` leaves the ticket's updated_at alone (a deletion Freshdesk does not date).

        Without `ticket_id` this scans every ticket (fine for tests, slow for 300k-ticket loops).
        """
        with self.lock:
            candidates = [self._tickets[ticket_id]] if ticket_id is not None else self._tickets.values()
            for t in candidates:
                for i, c in enumerate(t.conversations):
                    if c.id == conversation_id:
                        if t.archived:
                            raise ValueError(f"ticket {t.id} is archived and read-only")
                        del t.conversations[i]
                        if bump:
                            self._bump(t)
                        else:
                            self._changed()
                        return t.id
            raise KeyError(f"no conversation {conversation_id}")

    def move_to_group(self, ticket_id: int, group_id: int | None) -> dict[str, Any]:
        """Reassign a ticket; the group need not exist (that makes a vanished-group ticket)."""
        with self.lock:
            t = self._ticket(ticket_id)
            t.group_id = group_id
            self._bump(t)
            return self._truth(t)

    def delete_ticket(self, ticket_id: int) -> dict[str, Any]:
        return self._flag(ticket_id, "deleted", True)

    def restore_ticket(self, ticket_id: int) -> dict[str, Any]:
        return self._flag(ticket_id, "deleted", False)

    def mark_spam(self, ticket_id: int) -> dict[str, Any]:
        return self._flag(ticket_id, "spam", True)

    def unmark_spam(self, ticket_id: int) -> dict[str, Any]:
        return self._flag(ticket_id, "spam", False)

    def _flag(self, ticket_id: int, name: str, value: bool) -> dict[str, Any]:
        with self.lock:
            t = self._ticket(ticket_id)
            setattr(t, name, value)
            self._bump(t)
            return self._truth(t)

    def archive_ticket(self, ticket_id: int) -> dict[str, Any]:
        """Archive a ticket (closing it first if needed). Archiving itself does not move
        updated_at: Freshdesk archives by inactivity, so nothing "happens" to the ticket."""
        with self.lock:
            t = self._ticket(ticket_id)
            if t.deleted or t.spam:
                raise ValueError(f"ticket {ticket_id} is deleted or spam and cannot be archived")
            if t.status != 5:
                now = self.clock()
                self._set_status(t, 5, now)
                self._bump(t, now)
            t.archived = True
            self._changed()
            return self._truth(t)

    def add_time_entry(
        self, ticket_id: int, *, agent_id: int | None = None, minutes: int = 30, billable: bool = True, note: str = ""
    ) -> dict[str, Any]:
        with self.lock:
            t = self._ticket(ticket_id)
            now = self.clock()
            e = TimeEntry(self._next_time_entry_id, t.id, agent_id or self.me, minutes, now, billable, note)
            self._next_time_entry_id += 1
            self._time_entries.append(e)
            t.time_entries = [*(t.time_entries or ()), e]
            self._bump(t, now)
            return e.to_api()

    def add_group(self, name: str, description: str | None = None) -> int:
        """Create a group; it does not touch any ticket."""
        with self.lock:
            gid = self._next_group_id
            self._next_group_id += 1 + gid % 7
            self._groups[gid] = make_group(gid, name, description, self.clock())
            return gid

    def rename_group(self, group_id: int, name: str) -> dict[str, Any]:
        """Rename a group. Like Freshdesk, this does not change any ticket's updated_at."""
        with self.lock:
            g = self._groups[group_id]
            g["name"] = name
            g["updated_at"] = iso(self.clock())
            return dict(g)

    def remove_group(self, group_id: int) -> None:
        """Delete a group; its tickets keep the now dangling group_id and are not updated."""
        with self.lock:
            del self._groups[group_id]
            self._vanished_group_ids.append(group_id)

    def random_mutations(self, n: int, seed: int | None = None) -> dict[str, Any]:
        """Apply a realistic mix of `n` ticket mutations (plus a rename per 100, and a group
        added and one removed per 1,000)
        and return {"counts", "ticket_ids", "new_ticket_ids", "conversations_added",
        "conversations_removed", "group_ids", "now"}."""
        rng = random.Random(seed)
        counts: Counter[str] = Counter()
        touched: set[int] = set()
        new_ids: list[int] = []
        conv_added: list[int] = []
        conv_removed: list[int] = []
        groups_touched: list[int] = []
        ops, op_weights = zip(*_RANDOM_OPS, strict=True)
        kinds, kind_weights = zip(*_CUSTOMER_KINDS, strict=True)
        with self.lock:
            for _ in range(n // 1000):
                gid = self.add_group(rng.choice(_RENAMES) + f" {self._next_group_id % 1000}")
                groups_touched.append(gid)
                counts["add_group"] += 1
            normal = list(self._view_members("normal"))
            deleted = [t.id for t in self._view_members("deleted")]
            spam = [t.id for t in self._view_members("spam")]
            rng.shuffle(deleted)
            rng.shuffle(spam)

            def pick(recent: bool = True) -> Ticket | None:
                for _ in range(20):
                    if not normal:
                        return None
                    r = rng.random() ** 2
                    i = len(normal) - 1 - int(r * len(normal)) if recent else int(r * len(normal))
                    t = normal[i]
                    if t.id not in touched and t.view == "normal":
                        return t
                return None

            for _ in range(n):
                op = rng.choices(ops, weights=op_weights)[0]
                if op == "restore_ticket" and deleted:
                    tid = deleted.pop()
                    self.restore_ticket(tid)
                elif op == "unmark_spam" and spam:
                    tid = spam.pop()
                    self.unmark_spam(tid)
                elif op == "add_ticket":
                    gids = sorted(self._groups)
                    tid = self.add_ticket(
                        group_id=rng.choice(gids) if gids and rng.random() < 0.9 else None,
                        source=rng.choice((1, 1, 1, 2, 3, 7, 9, 13)),
                        priority=rng.choice((1, 1, 2, 3)),
                    )
                    new_ids.append(tid)
                else:
                    t = pick(recent=op != "archive_ticket")
                    if t is None:
                        continue
                    tid = t.id
                    if op == "remove_conversation" and not t.conversations:
                        op = "customer_reply"
                    if op in ("restore_ticket", "unmark_spam"):
                        op = "agent_reply"
                    if op == "customer_reply":
                        kind = rng.choices(kinds, weights=kind_weights)[0]
                        conv_added.append(self.add_conversation(tid, kind)["id"])
                    elif op in ("agent_reply", "private_note", "public_note"):
                        conv_added.append(self.add_conversation(tid, op)["id"])
                    elif op == "move_to_group":
                        r = rng.random()
                        gids = sorted(self._groups)
                        if r < 0.1 or not gids:
                            target = None
                        elif r < 0.15 and self._vanished_group_ids:
                            target = rng.choice(self._vanished_group_ids)
                        else:
                            target = rng.choice(gids)
                        self.move_to_group(tid, target)
                    elif op == "update_status":
                        self.update_ticket(tid, status=rng.choice([s for s in (2, 3, 4, 5) if s != t.status]))
                    elif op == "remove_conversation":
                        c = t.conversations[int(rng.random() * len(t.conversations))]
                        conv_removed.append(c.id)
                        self.remove_conversation(c.id, tid)
                    elif op == "delete_ticket":
                        self.delete_ticket(tid)
                    elif op == "mark_spam":
                        self.mark_spam(tid)
                    elif op == "archive_ticket":
                        self.archive_ticket(tid)
                counts[op] += 1
                touched.add(tid)
            for _ in range(n // 100):
                gids = sorted(self._groups)
                if not gids:
                    break
                gid = rng.choice(gids)
                self.rename_group(gid, rng.choice(_RENAMES))
                groups_touched.append(gid)
                counts["rename_group"] += 1
            for _ in range(n // 1000):
                gids = sorted(self._groups)
                if len(gids) <= 3:
                    break
                gid = rng.choice(gids)
                self.remove_group(gid)
                groups_touched.append(gid)
                counts["remove_group"] += 1
            return {
                "counts": dict(counts),
                "ticket_ids": sorted(touched),
                "new_ticket_ids": new_ids,
                "conversations_added": conv_added,
                "conversations_removed": conv_removed,
                "group_ids": groups_touched,
                "now": iso(self.clock()),
            }

    def kinds(self) -> list[str]:
        """Names accepted by `add_conversation(kind=...)`."""
        return [k.name for k in KINDS]
