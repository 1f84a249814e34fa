"""``include=stats`` on ticket walks, as an operator switch.

Stats are stored from the ticket payload (``freshdesk_raw.tickets.payload->'stats'``), which
feeds ``freshdesk.queue_interval_response_times``. Each include costs Freshdesk 2 more credits a
list page (3 instead of 1 per 100 tickets); in the hourly sync the list is a few pages against
one conversation read (1 credit) per changed ticket, so it adds about 2% to the run's cost.

``ingest_window`` does not take ``include`` yet (ingest.py is owned by the performance work);
until it does, :func:`with_ticket_stats` makes the hook's ``iter_tickets`` add it.
"""

from __future__ import annotations

from typing import Any

from freshdesk_provider.hooks.freshdesk import FreshdeskHook


def with_ticket_stats(hook: FreshdeskHook) -> FreshdeskHook:
    """Make every ``hook.iter_tickets`` call of this hook instance ask for ``include=stats``."""
    original = hook.iter_tickets

    def iter_tickets(*args: Any, include: Any = (), **kwargs: Any) -> Any:
        include = (include,) if isinstance(include, str) else tuple(include)
        if "stats" not in include:
            include = (*include, "stats")
        return original(*args, include=include, **kwargs)

    hook.iter_tickets = iter_tickets  # type: ignore[method-assign]
    return hook
