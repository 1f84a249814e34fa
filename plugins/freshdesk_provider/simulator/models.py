"""Compact in-memory records and their Freshdesk-shaped JSON views.

Records hold integers (epoch seconds, ids) and references to shared strings; the dicts the
API returns are built on demand. A dict per conversation would cost ~1.5 kB, a slotted record
~250 bytes, which is what makes 300,000 tickets with a million conversations fit comfortably.
"""

from __future__ import annotations

import html
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from freshdesk_provider.simulator import names

# Id spaces. Freshdesk ids of users, groups and conversations are large (beyond 2**32), which
# catches clients that squeeze them into 32-bit integers; ticket ids are small display ids.
GROUP_ID_BASE = 43_000_100_000
AGENT_ID_BASE = 43_001_000_000
AGENT_ID_STEP = 7
CONTACT_ID_BASE = 43_100_000_000
CONTACT_ID_STEP = 3
COMPANY_ID_BASE = 43_000_500_000
CONVERSATION_ID_BASE = 50_000_000_000
TIME_ENTRY_ID_BASE = 43_500_000_000

SUPPORT_EMAIL = "support@acme-sim.example"

# Ticket sources: 1..13 as listed in the contract, plus values a client has never heard of.
TICKET_SOURCES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 99)
TICKET_SOURCE_WEIGHTS: tuple[float, ...] = (
    38, 20, 14, 0.5, 1.5, 1.5, 14, 0.7, 3, 3, 1, 1.5, 2, 0.15, 0.1,
)

STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}


@dataclass(frozen=True)
class ConversationKind:
    """One way a conversation comes to exist; fixes incoming/private/source/author."""

    code: int
    name: str
    source: int
    incoming: bool
    private: bool
    author: str  # "requester" or "agent"
    category: int
    bodies: tuple[str, ...]


_C, _A, _N = names.CUSTOMER_BODIES, names.AGENT_BODIES, names.NOTE_BODIES
KINDS: tuple[ConversationKind, ...] = (
    ConversationKind(0, "customer_email", 0, True, False, "requester", 3, _C),
    # A reply through the support portal: not "incoming", but written by the requester.
    ConversationKind(1, "customer_portal", 0, False, False, "requester", 3, _C),
    ConversationKind(2, "customer_phone", 9, True, False, "requester", 3, _C),
    ConversationKind(3, "customer_twitter", 5, True, False, "requester", 3, _C),
    ConversationKind(4, "customer_facebook", 7, True, False, "requester", 3, _C),
    ConversationKind(5, "customer_forward", 8, True, False, "requester", 3, _C),
    ConversationKind(6, "customer_survey", 6, True, False, "requester", 3, _C),
    ConversationKind(7, "customer_mobihelp", 10, True, False, "requester", 3, _C),
    ConversationKind(8, "customer_ecommerce", 11, True, False, "requester", 3, _C),
    ConversationKind(9, "customer_unknown", 42, True, False, "requester", 3, _C),
    ConversationKind(10, "agent_reply", 0, False, False, "agent", 2, _A),
    ConversationKind(11, "agent_forward", 8, False, False, "agent", 2, _A),
    ConversationKind(12, "private_note", 2, False, True, "agent", 2, _N),
    ConversationKind(13, "public_note", 2, False, False, "agent", 2, _N),
    # Awkward ones that real accounts contain: only source=2 or private=true tells them apart
    # from customer messages.
    ConversationKind(14, "requester_note", 2, False, False, "requester", 2, _C),
    ConversationKind(15, "incoming_note", 2, True, False, "requester", 2, _C),
    ConversationKind(16, "private_incoming", 0, True, True, "requester", 3, _C),
)
KIND_BY_NAME: dict[str, ConversationKind] = {k.name: k for k in KINDS}
AGENT_REPLY = KIND_BY_NAME["agent_reply"].code


def iso(ts: int | None) -> str | None:
    """Epoch seconds to Freshdesk's `YYYY-MM-DDTHH:MM:SSZ` (None stays None)."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum()) or "x"


_FIRST_SLUGS = tuple(_slug(n) for n in names.FIRST_NAMES)
_LAST_SLUGS = tuple(_slug(n) for n in names.LAST_NAMES)


def contact_info(contact_id: int) -> tuple[str, str]:
    """(name, email) of a requester, derived from the id so nothing per contact is stored."""
    k = (contact_id - CONTACT_ID_BASE) // CONTACT_ID_STEP
    if k < 0:
        return f"Contact {contact_id}", f"contact{contact_id}@example.com"
    nf, nl = len(names.FIRST_NAMES), len(names.LAST_NAMES)
    fi, li = k % nf, (k // nf) % nl
    domain = names.EMAIL_DOMAINS[k % len(names.EMAIL_DOMAINS)]
    return (
        f"{names.FIRST_NAMES[fi]} {names.LAST_NAMES[li]}",
        f"{_FIRST_SLUGS[fi]}.{_LAST_SLUGS[li]}.{k}@{domain}",
    )


def agent_id(index: int) -> int:
    return AGENT_ID_BASE + index * AGENT_ID_STEP


def agent_info(agent: int) -> tuple[str, str]:
    """(name, email) of an agent id."""
    j = (agent - AGENT_ID_BASE) // AGENT_ID_STEP
    base = names.AGENT_NAMES[j % len(names.AGENT_NAMES)] if j >= 0 else "Agent"
    suffix = f" {j // len(names.AGENT_NAMES) + 1}" if j >= len(names.AGENT_NAMES) else ""
    return base + suffix, f"agent{j}@acme-sim.example"


def company_id(index: int) -> int:
    return COMPANY_ID_BASE + index


class Conversation:
    """A conversation; incoming/private/category come from its kind, `source` may differ."""

    __slots__ = ("attachment", "body", "created", "edited", "id", "kind", "source", "ticket_id", "updated", "user_id")

    def __init__(
        self,
        cid: int,
        ticket_id: int,
        user_id: int,
        kind: int,
        source: int,
        created: int,
        updated: int,
        edited: bool,
        body: str,
        attachment: bool = False,
    ) -> None:
        self.id = cid
        self.ticket_id = ticket_id
        self.user_id = user_id
        self.kind = kind
        self.source = source
        self.created = created
        self.updated = updated
        self.edited = edited
        self.body = body
        self.attachment = attachment

    def is_customer_message(self, requester_id: int) -> bool:
        """The contract's rule 2; used by the simulator only for `stats`, never by the product."""
        k = KINDS[self.kind]
        return (not k.private) and self.source != 2 and (k.incoming or self.user_id == requester_id)

    def to_api(self, requester_id: int) -> dict[str, Any]:
        k = KINDS[self.kind]
        _, requester_email = contact_info(requester_id)
        if k.source == 2 or k.private:
            from_email, to_emails, support = None, [], None
        elif k.author == "agent":
            from_email, to_emails, support = SUPPORT_EMAIL, [requester_email], SUPPORT_EMAIL
        else:
            from_email, to_emails, support = requester_email, [SUPPORT_EMAIL], SUPPORT_EMAIL
        attachments: list[dict[str, Any]] = []
        if self.attachment:
            attachments.append(
                {
                    "id": self.id + 7_000_000_000,
                    "name": "screenshot.png",
                    "content_type": "image/png",
                    "size": 48213,
                    "created_at": iso(self.created),
                    "updated_at": iso(self.created),
                    "attachment_url": f"https://attachments.acme-sim.example/{self.id}/screenshot.png",
                }
            )
        return {
            "body": f"<div>{html.escape(self.body)}</div>",
            "body_text": self.body,
            "id": self.id,
            "incoming": k.incoming,
            "private": k.private,
            "user_id": self.user_id,
            "support_email": support,
            "source": self.source,
            "category": k.category,
            "to_emails": to_emails,
            "from_email": from_email,
            "cc_emails": [],
            "bcc_emails": None,
            "email_failure_count": None,
            "outgoing_failures": None,
            "thread_id": None,
            "thread_message_id": None,
            "created_at": iso(self.created),
            "updated_at": iso(self.updated),
            "last_edited_at": iso(self.updated) if self.edited else None,
            "last_edited_user_id": self.user_id if self.edited else None,
            "attachments": attachments,
            "automation_id": None,
            "automation_type_id": None,
            "auto_response": False,
            "ticket_id": self.ticket_id,
            "source_additional_info": None,
        }


class TimeEntry:
    __slots__ = ("agent_id", "billable", "created", "executed", "id", "minutes", "note", "ticket_id", "updated")

    def __init__(
        self, eid: int, ticket_id: int, agent: int, minutes: int, executed: int, billable: bool, note: str
    ) -> None:
        self.id = eid
        self.ticket_id = ticket_id
        self.agent_id = agent
        self.minutes = minutes
        self.executed = executed
        self.billable = billable
        self.note = note
        self.created = executed
        self.updated = executed

    def to_api(self) -> dict[str, Any]:
        return {
            "billable": self.billable,
            "note": self.note,
            "timer_running": False,
            "id": self.id,
            "agent_id": self.agent_id,
            "ticket_id": self.ticket_id,
            "company_id": None,
            "time_spent": f"{self.minutes // 60:02d}:{self.minutes % 60:02d}",
            "executed_at": iso(self.executed),
            "start_time": iso(self.executed),
            "created_at": iso(self.created),
            "updated_at": iso(self.updated),
        }


class Ticket:
    """A ticket with its state flags (deleted, spam, archived) and its conversations."""

    __slots__ = (
        "archived",
        "cf",
        "company_id",
        "conversations",
        "created",
        "deleted",
        "description",
        "due_by",
        "fr_due_by",
        "group_id",
        "id",
        "is_escalated",
        "priority",
        "reopened",
        "requester_id",
        "resolved",
        "responder_id",
        "source",
        "spam",
        "status",
        "status_updated",
        "subject",
        "tags",
        "time_entries",
        "type",
        "updated",
    )

    def __init__(self) -> None:
        self.conversations: list[Conversation] = []
        self.time_entries: list[TimeEntry] | None = None
        self.deleted = False
        self.spam = False
        self.archived = False
        self.reopened: int | None = None
        self.resolved: int | None = None

    @property
    def view(self) -> str:
        """Which list the ticket appears in: normal, deleted, spam or archived (none)."""
        if self.deleted:
            return "deleted"
        if self.spam:
            return "spam"
        if self.archived:
            return "archived"
        return "normal"

    def stats(self) -> dict[str, str | None]:
        first_agent = last_agent = last_customer = None
        for c in self.conversations:
            if c.kind == AGENT_REPLY:
                if first_agent is None:
                    first_agent = c.created
                last_agent = c.created
            elif c.is_customer_message(self.requester_id):
                last_customer = c.created
        return {
            "agent_responded_at": iso(last_agent),
            "requester_responded_at": iso(last_customer),
            "first_responded_at": iso(first_agent),
            "status_updated_at": iso(self.status_updated),
            "reopened_at": iso(self.reopened),
            "resolved_at": iso(self.resolved) if self.status in (4, 5) else None,
            "closed_at": iso(self.status_updated) if self.status == 5 else None,
            "pending_since": iso(self.status_updated) if self.status == 3 else None,
        }

    def to_api(
        self,
        *,
        description: bool = False,
        stats: bool = False,
        requester: bool = False,
    ) -> dict[str, Any]:
        product, region, order_number, tier = self.cf
        escalated = self.is_escalated
        d: dict[str, Any] = {
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "ticket_cc_emails": [],
            "fr_escalated": escalated and self.priority >= 3,
            "spam": self.spam,
            "email_config_id": None,
            "group_id": self.group_id,
            "priority": self.priority,
            "requester_id": self.requester_id,
            "responder_id": self.responder_id,
            "source": self.source,
            "company_id": self.company_id,
            "status": self.status,
            "subject": self.subject,
            "association_type": None,
            "support_email": SUPPORT_EMAIL if self.source == 1 else None,
            "to_emails": [SUPPORT_EMAIL] if self.source == 1 else None,
            "product_id": None,
            "id": self.id,
            "type": self.type,
            "due_by": iso(self.due_by),
            "fr_due_by": iso(self.fr_due_by),
            "is_escalated": escalated,
            "custom_fields": {
                "cf_product": product,
                "cf_region": region,
                "cf_order_number": order_number,
                "cf_customer_tier": tier,
            },
            "created_at": iso(self.created),
            "updated_at": iso(self.updated),
            "associated_tickets_count": None,
            "tags": list(self.tags),
            "nr_due_by": None,
            "nr_escalated": False,
        }
        if self.deleted:
            d["deleted"] = True
        if description:
            d["description"] = "<div>" + html.escape(self.description).replace("\n", "<br>") + "</div>"
            d["description_text"] = self.description
        if stats:
            d["stats"] = self.stats()
        if requester:
            name, email = contact_info(self.requester_id)
            d["requester"] = {"id": self.requester_id, "name": name, "email": email, "mobile": None, "phone": None}
        return d
