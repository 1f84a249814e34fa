"""The contract's counting rules, implemented again in plain Python, from CONTRACT.md's text.

This is the independent yardstick the warehouse's SQL is tested against: it must never be
derived from (or share code with) the SQL. Inputs are Freshdesk-shaped dicts:

- ``groups``: group id -> group dict, only the groups that currently resolve (exist);
- ``tickets``: ticket id -> ticket dict, with ``deleted``/``spam`` booleans;
- ``conversations_by_ticket``: ticket id -> list of conversation dicts (missing or None: none).

Where the contract is silent (Freshdesk never sends these), the choices are: a missing or null
source is named ``source_unknown``; a timestamp without a zone is UTC; a group without a name
does not resolve.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

UNKNOWN_QUEUE_PREFIX = "Unknown group/source"
CHANNEL = "Cases"

# CONTRACT.md, "Source names".
TICKET_SOURCE_NAMES: dict[int, str] = {
    1: "email",
    2: "portal",
    3: "phone",
    4: "forum",
    5: "twitter",
    6: "facebook",
    7: "chat",
    8: "mobihelp",
    9: "feedback_widget",
    10: "outbound_email",
    11: "ecommerce",
    12: "bot",
    13: "whatsapp",
}
CONVERSATION_SOURCE_NAMES: dict[int, str] = {
    0: "email",
    5: "twitter",
    6: "survey",
    7: "facebook",
    8: "email",
    9: "phone",
    10: "mobihelp",
    11: "ecommerce",
}
NOTE_SOURCE = 2

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_INTERVAL = timedelta(minutes=15)

#: (interval_start, queue_name) -> (group_name, source_name, queue_kind, contacts)
Volumes = dict[tuple[datetime, str], tuple[str | None, str | None, str, int]]


@dataclass(frozen=True)
class Contact:
    ticket_id: int
    conversation_id: int | None
    queue_kind: str
    occurred_at: datetime
    interval_start: datetime
    group_name: str | None
    source_name: str | None
    queue_name: str


def parse_time(value: str | datetime) -> datetime:
    """A Freshdesk timestamp ("2024-05-01T10:00:00Z") or datetime as an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def interval_start(value: str | datetime) -> datetime:
    """Start of the 15-minute interval aligned to :00/:15/:30/:45 UTC holding the instant."""
    instant = parse_time(value)
    return _EPOCH + ((instant - _EPOCH) // _INTERVAL) * _INTERVAL


def ticket_source_name(source: Any) -> str:
    if source is None:
        return "source_unknown"
    return TICKET_SOURCE_NAMES.get(int(source), f"source_{int(source)}")


def conversation_source_name(source: Any) -> str:
    if source is None:
        return "source_unknown"
    return CONVERSATION_SOURCE_NAMES.get(int(source), f"source_{int(source)}")


def group_name(ticket: Mapping[str, Any], groups: Mapping[Any, Mapping[str, Any]]) -> str:
    """Rule 3: the current group's name, ``No group``, or ``Group <id>`` when it does not resolve."""
    group_id = ticket.get("group_id")
    if group_id is None:
        return "No group"
    group = groups.get(int(group_id))
    if group is None:
        group = groups.get(str(group_id))
    if group is None or group.get("name") is None:
        return f"Group {int(group_id)}"
    return str(group["name"])


def is_unknown(ticket: Mapping[str, Any]) -> bool:
    """Rule 5: deleted or spam tickets count in the Unknown queues."""
    return ticket.get("deleted") is True or ticket.get("spam") is True


def is_customer_message(conversation: Mapping[str, Any], ticket: Mapping[str, Any]) -> bool:
    """Rule 2: public, not a note, and incoming or written by the ticket's requester."""
    if conversation.get("private") is not False:
        return False
    if conversation.get("source") == NOTE_SOURCE:
        return False
    if conversation.get("incoming") is True:
        return True
    user_id = conversation.get("user_id")
    requester_id = ticket.get("requester_id")
    return user_id is not None and requester_id is not None and int(user_id) == int(requester_id)


def _queue(kind: str, group: str | None, source: str | None) -> str:
    if group is None:
        return f"{UNKNOWN_QUEUE_PREFIX} {kind}"
    return f"{group} {source} {kind}"


def expected_contacts(
    groups: Mapping[Any, Mapping[str, Any]],
    tickets: Mapping[Any, Mapping[str, Any]],
    conversations_by_ticket: Mapping[Any, Iterable[Mapping[str, Any]] | None],
) -> list[Contact]:
    """Every contact the contract counts, one per ticket and one per customer message."""
    conversations = {int(k): v for k, v in conversations_by_ticket.items()}
    contacts: list[Contact] = []
    for raw_id, ticket in tickets.items():
        ticket_id = int(raw_id)
        unknown = is_unknown(ticket)
        group = None if unknown else group_name(ticket, groups)
        source = None if unknown else ticket_source_name(ticket.get("source"))
        created = parse_time(ticket["created_at"])
        contacts.append(
            Contact(ticket_id, None, "Tickets", created, interval_start(created), group, source,
                    _queue("Tickets", group, source))
        )
        for conversation in conversations.get(ticket_id) or ():
            if not is_customer_message(conversation, ticket):
                continue
            reply_source = None if unknown else conversation_source_name(conversation.get("source"))
            at = parse_time(conversation["created_at"])
            contacts.append(
                Contact(ticket_id, int(conversation["id"]), "Replies", at, interval_start(at), group,
                        reply_source, _queue("Replies", group, reply_source))
            )
    return contacts


def volumes_from_contacts(contacts: Iterable[Contact]) -> Volumes:
    counts: Counter[tuple[datetime, str, str | None, str | None, str]] = Counter(
        (c.interval_start, c.queue_name, c.group_name, c.source_name, c.queue_kind) for c in contacts
    )
    volumes: Volumes = {}
    for (start, queue, group, source, kind), n in counts.items():
        assert (start, queue) not in volumes, f"queue name {queue!r} built from two different groups/sources"
        volumes[(start, queue)] = (group, source, kind, n)
    return volumes


def expected_volumes(
    groups: Mapping[Any, Mapping[str, Any]],
    tickets: Mapping[Any, Mapping[str, Any]],
    conversations_by_ticket: Mapping[Any, Iterable[Mapping[str, Any]] | None],
) -> Volumes:
    """``freshdesk.queue_interval_volume`` as the contract defines it:
    (interval_start, queue_name) -> (group_name, source_name, queue_kind, contacts), no empty cells."""
    return volumes_from_contacts(expected_contacts(groups, tickets, conversations_by_ticket))
