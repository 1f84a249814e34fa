"""Deterministic generation of a realistic account from a seed.

Only `random.Random(seed)` drives choices, and nothing iterates over hash-ordered sets, so one
seed and one `now` always give the same account.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from freshdesk_provider.simulator import names
from freshdesk_provider.simulator.config import SimulatorConfig
from freshdesk_provider.simulator.models import (
    CONTACT_ID_BASE,
    CONTACT_ID_STEP,
    CONVERSATION_ID_BASE,
    GROUP_ID_BASE,
    KIND_BY_NAME,
    KINDS,
    TICKET_SOURCE_WEIGHTS,
    TICKET_SOURCES,
    TIME_ENTRY_ID_BASE,
    Conversation,
    Ticket,
    TimeEntry,
    agent_id,
    company_id,
    iso,
)

DAY = 86_400
HOUR = 3_600

# UTC hour-of-day and weekday (Monday first) shapes of a European/US support desk.
HOUR_WEIGHTS = (
    0.15, 0.10, 0.08, 0.08, 0.10, 0.20, 0.45, 0.85, 1.30, 1.60, 1.70, 1.60,
    1.40, 1.50, 1.60, 1.55, 1.35, 1.05, 0.80, 0.60, 0.50, 0.40, 0.30, 0.20,
)
WEEKDAY_WEIGHTS = (1.25, 1.15, 1.10, 1.05, 0.95, 0.45, 0.40)

_KIND_WEIGHTS = {
    "agent_reply": 33,
    "customer_email": 24,
    "customer_portal": 7,
    "private_note": 14,
    "public_note": 4,
    "customer_phone": 3,
    "customer_twitter": 1,
    "customer_facebook": 1,
    "customer_forward": 1.5,
    "customer_survey": 1.5,
    "customer_mobihelp": 0.5,
    "customer_ecommerce": 0.5,
    "customer_unknown": 0.3,
    "agent_forward": 1,
    "requester_note": 0.4,
    "incoming_note": 0.4,
    "private_incoming": 0.3,
}
KIND_CODES: tuple[int, ...] = tuple(KIND_BY_NAME[n].code for n in _KIND_WEIGHTS)
KIND_CUM: tuple[float, ...] = tuple(itertools.accumulate(_KIND_WEIGHTS.values()))
AGENT_REPLY_CODE = KIND_BY_NAME["agent_reply"].code
# Big tickets are long back-and-forths: only replies, with the occasional note.
_BIG_CODES = tuple(KIND_BY_NAME[n].code for n in ("agent_reply", "customer_email", "private_note"))

SOURCE_CUM = tuple(itertools.accumulate(TICKET_SOURCE_WEIGHTS))
PRIORITY_CUM = tuple(itertools.accumulate((45, 35, 15, 5)))
TYPE_CUM = tuple(itertools.accumulate(names.TICKET_TYPE_WEIGHTS))
# (open, pending, resolved, closed) by days since the last activity.
STATUS_CUM_FRESH = tuple(itertools.accumulate((55, 20, 20, 5)))
STATUS_CUM_WEEK = tuple(itertools.accumulate((20, 15, 30, 35)))
STATUS_CUM_OLD = tuple(itertools.accumulate((3, 3, 9, 85)))
# Hours until the (resolution, first response) is due, by priority 1..4.
DUE_HOURS = {1: (72, 24), 2: (48, 8), 3: (24, 4), 4: (8, 1)}


def _pick(rng: random.Random, cum: tuple[float, ...]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


@dataclass
class GeneratedAccount:
    groups: dict[int, dict[str, Any]]
    vanished_group_ids: list[int]
    tickets: dict[int, Ticket]
    time_entries: list[TimeEntry]
    agent_ids: list[int]
    contact_count: int
    company_count: int
    next_conversation_id: int
    next_time_entry_id: int
    next_group_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def _make_groups(rng: random.Random, count: int, now: int, days: float) -> tuple[dict[int, dict[str, Any]], int]:
    groups: dict[int, dict[str, Any]] = {}
    gid = GROUP_ID_BASE
    for i in range(count):
        gid += 1 + rng.randrange(1000)
        name = names.GROUP_NAMES[i] if i < len(names.GROUP_NAMES) else f"Team {i + 1}"
        created = now - int(days * DAY) - DAY * (30 + rng.randrange(700))
        groups[gid] = make_group(gid, name, names.GROUP_DESCRIPTIONS[i % len(names.GROUP_DESCRIPTIONS)], created)
    return groups, gid


def make_group(gid: int, name: str, description: str | None, created: int) -> dict[str, Any]:
    return {
        "id": gid,
        "name": name,
        "description": description,
        "escalate_to": None,
        "unassigned_for": "30m",
        "business_hour_id": None,
        "group_type": "support_agent_group",
        "auto_ticket_assign": 0,
        "created_at": iso(created),
        "updated_at": iso(created),
    }


def _created_times(rng: random.Random, n: int, now: int, days: float) -> list[int]:
    hours = max(1, int(days * 24))
    start = now - hours * HOUR
    weights = []
    for h in range(hours):
        ts = start + h * HOUR
        weekday = (ts // DAY + 3) % 7  # 1970-01-01 was a Thursday
        # A slowly growing customer base.
        weights.append(HOUR_WEIGHTS[(ts // HOUR) % 24] * WEEKDAY_WEIGHTS[weekday] * (1.0 + 0.3 * h / hours))
    # One incident: a few hours at four times the usual volume.
    spike = rng.randrange(hours)
    for h in range(spike, min(hours, spike + 3)):
        weights[h] *= 4.0
    cum = list(itertools.accumulate(weights))
    picked = rng.choices(range(hours), cum_weights=cum, k=n)
    rand = rng.random
    created = []
    for h in picked:
        ts = start + h * HOUR + int(rand() * HOUR)
        # Phone and chat systems that log on the quarter hour: exactly on :00/:15/:30/:45.
        if rand() < 0.08:
            ts -= ts % 900
        created.append(ts)
    created.sort()
    return created


def generate(cfg: SimulatorConfig, now: int) -> GeneratedAccount:
    """Build the whole account in memory; ~7 s per 100,000 tickets on a laptop-class CPU."""
    rng = random.Random(cfg.seed)
    rand = rng.random
    n = cfg.tickets

    groups, last_gid = _make_groups(rng, cfg.groups + 1, now, cfg.days)
    # The last group generated was removed from Freshdesk; tickets still point at it.
    vanished = [last_gid]
    del groups[last_gid]
    group_ids = list(groups)
    group_cum = tuple(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(group_ids))))

    agents = [agent_id(j) for j in range(max(1, cfg.agents))]
    n_agents = len(agents)
    n_contacts = max(50, n // 3)
    n_companies = max(5, n_contacts // 20)

    created_list = _created_times(rng, n, now, cfg.days)

    big_count = cfg.big_tickets if cfg.big_tickets is not None else max(2, n // 1500)
    old_enough = [i for i, c in enumerate(created_list) if c <= now - 3 * DAY] or list(range(n))
    big = set(rng.sample(old_enough, min(big_count, len(old_enough))))

    conv_mean_extra = max(0.1, cfg.conversations_mean - 1.0)
    deleted_p = cfg.deleted_fraction
    spam_p = deleted_p + cfg.spam_fraction

    tickets: dict[int, Ticket] = {}
    all_convs: list[Conversation] = []
    time_entries: list[TimeEntry] = []
    subjects, descriptions = names.SUBJECTS, names.DESCRIPTIONS
    tag_sets = names.TAG_SETS

    for i, created in enumerate(created_list):
        t = Ticket()
        tid = i + 1
        t.id = tid
        t.created = created
        flag = rand()
        t.deleted = flag < deleted_p
        t.spam = (not t.deleted) and flag < spam_p
        k = int(n_contacts * rand() ** 2)  # repeat customers: a few contacts write a lot
        requester = CONTACT_ID_BASE + k * CONTACT_ID_STEP
        t.requester_id = requester
        t.company_id = company_id(k % n_companies) if k % 5 else None
        g = rand()
        if g < 0.06:
            t.group_id = None
            gidx = 0
        elif g < 0.08:
            t.group_id = vanished[0]
            gidx = 0
        else:
            gidx = _pick(rng, group_cum)
            t.group_id = group_ids[gidx]
        t.source = TICKET_SOURCES[_pick(rng, SOURCE_CUM)]
        t.priority = _pick(rng, PRIORITY_CUM) + 1
        t.type = names.TICKET_TYPES[_pick(rng, TYPE_CUM)]
        t.subject = subjects[int(rand() * len(subjects))]
        t.description = descriptions[int(rand() * len(descriptions))]
        t.tags = tag_sets[int(rand() * len(tag_sets))]
        t.cf = (
            names.CF_PRODUCTS[int(rand() * len(names.CF_PRODUCTS))],
            names.CF_REGIONS[int(rand() * len(names.CF_REGIONS))],
            100_000 + int(rand() * 900_000) if rand() < 0.4 else None,
            names.CF_TIERS[int(rand() * len(names.CF_TIERS))],
        )
        group_agent = agents[(gidx * 3 + int(rand() * 3)) % n_agents]

        # Conversations, in time order, never later than now.
        if i in big:
            nconv = 101 + int(rand() * 60)
            gap_mean = max(2.0, min(900.0, (now - created) / (2.5 * nconv)))
        elif t.spam:
            nconv = 1 if rand() < 0.3 else 0
            gap_mean = 0.0
        else:
            nconv = 0 if rand() < 0.12 else 1 + min(60, int(rng.expovariate(1.0 / conv_mean_extra) + 0.5))
            gap_mean = 0.0
        convs = t.conversations
        ts = created
        last_customer = None
        for j in range(nconv):
            if gap_mean:
                ts += 1 + int(rand() * 2 * gap_mean)
                code = _BIG_CODES[int(rand() * 3)]
            else:
                ts += 30 + int(rng.expovariate(1.0 / (4 * HOUR if j == 0 else 10 * HOUR)))
                if j == 0 and rand() < 0.5:
                    code = AGENT_REPLY_CODE
                else:
                    code = KIND_CODES[bisect.bisect_right(KIND_CUM, rand() * KIND_CUM[-1])]
            if ts > now:
                break
            kind = KINDS[code]
            user = requester if kind.author == "requester" else group_agent
            updated = ts
            edited = False
            if kind.source == 2 and rand() < 0.1:
                edited = True
                updated = min(now, ts + 60 + int(rand() * 7200))
            bodies = kind.bodies
            conv = Conversation(
                0, tid, user, code, kind.source, ts, updated, edited, bodies[int(rand() * len(bodies))],
                rand() < 0.05,
            )
            convs.append(conv)
            if kind.author == "requester" and not kind.private and kind.source != 2:
                last_customer = ts
        all_convs.extend(convs)

        last = convs[-1].created if convs else created
        age = now - last
        cum = STATUS_CUM_FRESH if age < DAY else STATUS_CUM_WEEK if age < 7 * DAY else STATUS_CUM_OLD
        status = _pick(rng, cum) + 2
        if t.spam:
            status = 2
        t.status = status
        if status == 2:
            t.status_updated = last
            if len(convs) >= 3 and last_customer is not None and rand() < 0.25:
                # A customer wrote back after the ticket had been resolved.
                t.reopened = last_customer
                t.status_updated = last_customer
                t.resolved = max(created, last_customer - 1 - int(rand() * DAY))
        elif status == 3:
            t.status_updated = min(now, last + 1 + int(rand() * HOUR))
        elif status == 4:
            t.resolved = min(now, last + 60 + int(rand() * DAY))
            t.status_updated = t.resolved
        else:
            t.resolved = min(now, last + 60 + int(rand() * DAY))
            t.status_updated = min(now, t.resolved + int(rand() * 3 * DAY))
        t.responder_id = None if status == 2 and rand() < 0.15 else group_agent

        updated = max(t.status_updated, last, max((c.updated for c in convs), default=created))
        if rand() < 0.3:
            # Tickets keep being touched after creation: tags, fields, SLA recalculation.
            updated += int(rand() * (now - updated))
        t.updated = updated
        due_h, fr_h = DUE_HOURS[t.priority]
        t.due_by = created + due_h * HOUR
        t.fr_due_by = created + fr_h * HOUR
        finished = t.resolved if status in (4, 5) else now
        t.is_escalated = finished > t.due_by and rand() < 0.7

        if not t.spam and rand() < cfg.time_entry_fraction:
            entries = []
            for _ in range(1 + int(rand() * 3)):
                executed = created + int(rand() * max(1, t.updated - created))
                entries.append(
                    TimeEntry(
                        0, tid, group_agent, 5 + int(rand() * 175), executed, rand() < 0.6,
                        names.TIME_ENTRY_NOTES[int(rand() * len(names.TIME_ENTRY_NOTES))],
                    )
                )
            t.time_entries = entries
            time_entries.extend(entries)
        tickets[tid] = t

    live = [t for t in tickets.values() if not t.deleted and not t.spam]
    _ensure_variety(rng, tickets, live, agents)
    _bulk_updates(rng, live, now, cfg)

    # Conversation ids are global and follow creation time, as in a real account.
    all_convs.sort(key=lambda c: c.created)
    cid = CONVERSATION_ID_BASE
    for c in all_convs:
        cid += 1
        c.id = cid
    time_entries.sort(key=lambda e: e.executed)
    eid = TIME_ENTRY_ID_BASE
    for e in time_entries:
        eid += 1
        e.id = eid

    archive_before = now - int(cfg.archive_after_days * DAY)
    if cfg.archived_fraction > 0:
        for t in live:
            if t.status == 5 and t.updated < archive_before and rand() < cfg.archived_fraction:
                t.archived = True

    return GeneratedAccount(
        groups=groups,
        vanished_group_ids=vanished,
        tickets=tickets,
        time_entries=time_entries,
        agent_ids=agents,
        contact_count=n_contacts,
        company_count=n_companies,
        next_conversation_id=cid + 1,
        next_time_entry_id=eid + 1,
        next_group_id=last_gid + 1000,
    )


def _ensure_variety(rng: random.Random, tickets: dict[int, Ticket], live: list[Ticket], agents: list[int]) -> None:
    """Small accounts would miss rare sources and kinds by chance; plant one of each."""
    if len(live) < 30:
        return
    seen_sources = {t.source for t in tickets.values()}
    for source in TICKET_SOURCES:
        if source not in seen_sources:
            rng.choice(live).source = source
    talkative = [t for t in live if len(t.conversations) >= 2]
    if not talkative:
        return
    seen_kinds = {c.kind for t in tickets.values() for c in t.conversations}
    for kind in KINDS:
        if kind.code in seen_kinds:
            continue
        t = rng.choice(talkative)
        c = t.conversations[1 + int(rng.random() * (len(t.conversations) - 1))]
        c.kind = kind.code
        c.source = kind.source
        c.user_id = t.requester_id if kind.author == "requester" else (t.responder_id or agents[0])
        c.body = kind.bodies[0]


def _bulk_updates(rng: random.Random, live: list[Ticket], now: int, cfg: SimulatorConfig) -> None:
    """A bulk action (e.g. a macro on a view) gives hundreds of tickets one updated_at second."""
    size = cfg.bulk_update_size if cfg.bulk_update_size is not None else min(300, len(live) // 8)
    if size <= 0 or not live:
        return
    span = min(cfg.days, 20) * DAY
    for share in (1.0, 0.5):
        moment = now - int(DAY * 0.5 + rng.random() * max(1, span - DAY))
        candidates = [t for t in live if t.updated <= moment]
        chosen = rng.sample(candidates, min(len(candidates), int(size * share)))
        for t in chosen:
            t.updated = moment
