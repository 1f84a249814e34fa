"""Settings of a simulated Freshdesk account and of its HTTP behaviour."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "504", "drop")

# Knobs that may change while the server runs (`FreshdeskSimulator.configure`). Everything else
# shapes the generated account and is fixed once it exists.
RUNTIME_KNOBS: frozenset[str] = frozenset(
    {
        "rate_limit",
        "window_seconds",
        "list_rate_limit",
        "fault_rate",
        "fault_kinds",
        "latency_ms",
        "page_cap",
        "retry_after_missing_rate",
        "not_found_body",
    }
)


@dataclass
class SimulatorConfig:
    """Everything that shapes a simulated account. Defaults give a small but realistic account.

    Generation knobs: seed, tickets, days, groups, deleted_fraction, spam_fraction,
    archived_fraction, archive_after_days, now, agents, conversations_mean, big_tickets,
    bulk_update_size, time_entry_fraction.
    HTTP knobs (also changeable at run time): rate_limit, window_seconds, list_rate_limit,
    fault_rate, fault_kinds, latency_ms, page_cap, retry_after_missing_rate, not_found_body.
    """

    seed: int = 7
    tickets: int = 2000
    days: float = 90
    api_key: str = "sim-api-key"
    host: str = "127.0.0.1"
    port: int = 0
    # Credits per window for the whole account; None means unlimited (headers still sent).
    rate_limit: int | None = None
    # A fixed window, compressible so that tests can exercise throttling in seconds.
    window_seconds: float = 60.0
    # Optional sub-limit of ticket-list calls per window, like Freshdesk's per-plan list limits.
    list_rate_limit: int | None = None
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    latency_ms: float = 0.0
    page_cap: int = 300
    groups: int = 8
    deleted_fraction: float = 0.02
    spam_fraction: float = 0.02
    archived_fraction: float = 0.0
    archive_after_days: float = 120
    retry_after_missing_rate: float = 0.0
    # The account's "now" at generation time (aware or naive UTC). None: the real clock, to the second.
    now: datetime | str | None = None
    agents: int = 12
    # Mean number of conversations per ticket that has any (about 12% have none).
    conversations_mean: float = 3.0
    # Tickets with more than 100 conversations; None: about one per 1,500 tickets, at least 2.
    big_tickets: int | None = None
    # Tickets that share one updated_at second (a bulk update); None: min(300, tickets // 8).
    bulk_update_size: int | None = None
    time_entry_fraction: float = 0.1
    # Body of a 404 for an unknown or archived object: "empty" (what Freshdesk sends) or "json".
    not_found_body: str = "empty"
    # Serve https with a throwaway self-signed certificate (for a simulator on another host).
    tls: bool = False
    # Ignore order_by/order_type on the ticket list (always created_at desc): a server that does
    # not sort as asked, to prove the client never loses tickets to it.
    ignore_ticket_order: bool = False
    # Serve a deleted ticket's conversations instead of Freshdesk's 403 (a server that does).
    deleted_conversations_readable: bool = False
    # Refuse every `include` on the ticket list with a 400 (a server without ticket stats).
    refuse_ticket_list_includes: bool = False
    # An account without time tracking answers 403 on the time-entry endpoints.
    time_tracking: bool = True

    def __post_init__(self) -> None:
        if self.tickets < 0:
            raise ValueError("tickets must be >= 0")
        if self.days <= 0:
            raise ValueError("days must be > 0")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        if self.page_cap < 1:
            raise ValueError("page_cap must be >= 1")
        if self.window_seconds <= 0:
            raise ValueError("window_seconds must be > 0")
        self.fault_kinds = tuple(self.fault_kinds)
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be a non-empty subset of {FAULT_KINDS}")
        if self.not_found_body not in ("empty", "json"):
            raise ValueError('not_found_body must be "empty" or "json"')

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly copy of the settings."""
        out = dataclasses.asdict(self)
        out["fault_kinds"] = list(self.fault_kinds)
        if isinstance(self.now, datetime):
            out["now"] = self.now.isoformat()
        return out
