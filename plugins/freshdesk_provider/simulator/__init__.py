"""A Freshdesk API v2 simulator: a generated account served over real HTTP.

The demo, the tests and the benchmarks talk to it exactly as they would talk to Freshdesk::

    from freshdesk_provider.simulator import FreshdeskSimulator, SimulatorConfig

    sim = FreshdeskSimulator(SimulatorConfig(seed=7, tickets=2000, days=90)).start()
    sim.url, sim.api_key          # "http://127.0.0.1:PORT" (API under /api/v2), the key
    sim.account                   # ground truth + mutations (thread-safe)
    sim.stats(); sim.reset_stats()
    sim.configure(fault_rate=0.2)  # e.g. an outage in the middle of a run
    sim.stop()

or ``python -m freshdesk_provider.simulator --port 8099 --tickets 20000`` (see ``--help``).

Data model (``sim.account``)
----------------------------
The account is generated from ``seed`` and ``now`` only: the same pair gives the same account.
Its clock (``account.clock()`` in epoch seconds, ``account.now()`` as a datetime) starts at
``now`` and runs at real speed; every ticket mutation stamps ``updated_at`` with it.

``account.groups``
    ``{id: group dict}`` of the groups ``/groups`` currently lists. Names include quotes,
    apostrophes and non-ASCII (``Kundenservice "Süd"``, ``L'équipe été``).
    ``account.vanished_group_ids`` are ids that tickets still reference but ``/groups`` does
    not list any more. About 6% of tickets have ``group_id: null``, 2% a vanished group.
``account.tickets``
    Read-only mapping ``{id: ticket dict}`` of *every* ticket: the dict ``GET /tickets``
    shows, plus ``deleted`` and ``archived`` booleans (``spam`` is a Freshdesk field already).
    Ids are sequential by ``created_at``. ``source`` covers 1..13 plus unknown values (14, 99).
``account.conversations``
    Read-only mapping ``{ticket id: [conversation dict, ...]}`` for every ticket, oldest
    first (ids are global and follow creation time). Kinds (``account.kinds()``):
    customer messages ``customer_email`` (incoming, source 0), ``customer_portal`` (not
    incoming, written by the requester), ``customer_phone`` (9), ``customer_twitter`` (5),
    ``customer_facebook`` (7), ``customer_forward`` (8), ``customer_survey`` (6),
    ``customer_mobihelp`` (10), ``customer_ecommerce`` (11), ``customer_unknown`` (42);
    not customer messages ``agent_reply`` (0), ``agent_forward`` (8, outgoing),
    ``private_note`` / ``public_note`` (2), and the awkward ``requester_note`` (source 2 by
    the requester), ``incoming_note`` (source 2, incoming) and ``private_incoming``
    (source 0, incoming, private). Some tickets have none, a few more than 100.
``account.is_deleted(id)``, ``is_spam(id)``, ``is_archived(id)``, ``state(id)``
    The state flags. Deleted and spam tickets are left out of ``/tickets`` unless
    ``filter=deleted`` / ``filter=spam``; archived ones (closed, inactive for
    ``archive_after_days``, a fraction ``archived_fraction``) are only reachable through
    ``/tickets/archived/{id}``.
``account.time_entries``
    List of time-entry dicts (``time_spent`` ``"hh:mm"``, ``executed_at``, ...).
``account.snapshot()``
    All of the above as JSON-ready data (also ``GET /_simulator/account``).

Mutations: ``add_ticket``, ``update_ticket``, ``add_conversation(ticket_id, kind, source=None)``,
``remove_conversation``, ``move_to_group``, ``delete_ticket``, ``restore_ticket``,
``mark_spam``, ``unmark_spam``, ``archive_ticket``, ``add_time_entry``, ``add_group``,
``rename_group``, ``remove_group`` and ``random_mutations(n, seed)``. Group changes touch no
ticket (as in Freshdesk): a pipeline must re-read ``/groups`` to see a rename.

HTTP
----
``/api/v2/...``: tickets (list, view, conversations, time entries), archived tickets, groups,
``agents/me``, time entries, with Freshdesk's basic auth, validation errors, page cap, Link
headers, credits and 429s, and injected faults. 404s for unknown or archived objects have an
empty body by default, as Freshdesk's do (``not_found_body="json"`` to change that).
``/_simulator/...`` (no auth, not counted): ``GET stats``, ``POST reset_stats``,
``POST mutate`` (``{"op": "random", "n": 100, "seed": 1}``, ``{"op": "delete_ticket",
"ticket_id": 5}`` or ``{"ops": [...]}``), ``POST configure``, ``GET account``
(``?conversations=0`` to leave them out), ``GET summary``, ``GET health``.
"""

from __future__ import annotations

from freshdesk_provider.simulator.account import FreshdeskAccount
from freshdesk_provider.simulator.config import SimulatorConfig
from freshdesk_provider.simulator.server import FreshdeskSimulator

__all__ = ["FreshdeskAccount", "FreshdeskSimulator", "SimulatorConfig"]
