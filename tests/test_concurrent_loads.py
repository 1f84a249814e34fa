"""A backfill slice or an hourly sync that PostgreSQL picks as a deadlock victim runs again.

The two DAGs may run at the same time, and their transactions lock tickets batch by batch and
list by list, so two of them can lock the same tickets in opposite orders. Here the other
transaction (``Rival``) is made to collide deterministically: it locks a spam ticket, waits until
the operator's transaction has loaded (and locked) the normal list and is about to read the
spam list, then asks for a normal ticket. The operator then asks for the spam ticket: a
deadlock, whose victim is the operator (the rival's session waits 60 s before looking for
deadlocks, the operator's the default 1 s). Real PostgreSQL, real simulator over HTTP.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg
import pytest
from e2e_support import (
    ImporterView,
    assert_volumes_match,
    parse_ts,
    start_days_ago,
    tickets_updated_since,
    warehouse_snapshot,
)

from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.operators import freshdesk_to_postgres
from freshdesk_provider.operators.freshdesk_to_postgres import (
    FreshdeskIncrementalSyncOperator,
    FreshdeskToPostgresOperator,
)
from freshdesk_provider.operators.warehouse import (
    FreshdeskGroupsToPostgresOperator,
    FreshdeskRefreshQueueVolumesOperator,
    FreshdeskWarehouseMigrateOperator,
)

SIM = {"tickets": 300, "days": 20, "spam_fraction": 0.05, "deleted_fraction": 0.03}
WAIT_SECONDS = 20.0


class Rival(threading.Thread):
    """Another warehouse transaction, ``rounds`` times over: lock ticket ``first``; when the
    operator's transaction is about to read its spam list (:meth:`collide`), ask for ``second``,
    which that transaction holds, and commit once it is given up."""

    def __init__(self, dsn: str, *, first: int, second: int, rounds: int) -> None:
        super().__init__(name="rival-transaction", daemon=True)
        self.dsn = dsn
        self.first = first
        self.second = second
        self.rounds = rounds
        self.collisions = 0
        self.committed = 0
        self.errors: list[BaseException] = []
        self._holding: queue.Queue[int] = queue.Queue()
        self._go = threading.Semaphore(0)

    def run(self) -> None:
        try:
            for _ in range(self.rounds):
                with psycopg.connect(self.dsn) as conn:
                    # Look for deadlocks later than the operator does, so that it is the victim.
                    conn.execute("SET deadlock_timeout = '60s'")
                    self._lock(conn, self.first)
                    self._holding.put(conn.info.backend_pid)
                    if not self._go.acquire(timeout=WAIT_SECONDS):
                        raise TimeoutError("the operator never reached its spam list")
                    self._lock(conn, self.second)
                    conn.commit()
                    self.committed += 1
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)

    @staticmethod
    def _lock(conn: psycopg.Connection[Any], ticket_id: int) -> None:
        row = conn.execute("SELECT id FROM freshdesk_raw.tickets WHERE id = %s FOR UPDATE", (ticket_id,)).fetchone()
        assert row is not None, f"ticket {ticket_id} is not in the warehouse"

    def collide(self) -> None:
        """Called by the operator's reader, its normal list loaded: return once the rival waits for it."""
        if self.collisions >= self.rounds:
            return
        pid = self._holding.get(timeout=WAIT_SECONDS)
        self.collisions += 1
        self._go.release()
        deadline = time.monotonic() + WAIT_SECONDS
        with psycopg.connect(self.dsn, autocommit=True) as probe:
            while time.monotonic() < deadline:
                row = probe.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
                if row is not None and row[0] == "Lock":
                    return
                time.sleep(0.02)
        raise TimeoutError("the rival transaction never waited for the operator's lock")


def colliding_hook(rival: Rival) -> type[FreshdeskHook]:
    class CollidingHook(FreshdeskHook):
        def iter_tickets(
            self,
            updated_since: datetime,
            until: datetime | None = None,
            filter: str | None = None,
            include: Sequence[str] = (),
        ) -> Iterator[dict[str, Any]]:
            if filter == "spam":
                rival.collide()
            yield from super().iter_tickets(updated_since, until=until, filter=filter, include=include)

    return CollidingHook


def _in_list(ticket: dict[str, Any], list_name: str) -> bool:
    if list_name == "tickets":
        return not ticket["deleted"] and not ticket.get("spam")
    if list_name == "tickets_spam":
        return bool(ticket.get("spam")) and not ticket["deleted"]
    return bool(ticket["deleted"])


def _listed(sim: Any, start: datetime, list_name: str) -> list[int]:
    tickets = sim.account.tickets
    return sorted(t for t in tickets_updated_since(sim.account, start) if _in_list(tickets[t], list_name))


def _runs(dsn: str, run_id: str) -> dict[str, tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT stream, status, rows_loaded, error FROM freshdesk_raw.sync_runs WHERE run_id = %s", (run_id,)
        ).fetchall()
    assert len(rows) == len({r[0] for r in rows}), f"more than one run record per stream: {rows}"
    return {r[0]: r[1:] for r in rows}


def _initial_backfill(start: datetime, *, advance_watermark: bool = False) -> None:
    context = {"run_id": "initial"}
    FreshdeskWarehouseMigrateOperator(task_id="migrate").execute(context)
    FreshdeskGroupsToPostgresOperator(task_id="groups").execute(context)
    backfill = FreshdeskToPostgresOperator(task_id="backfill", window_start=start, advance_watermark=advance_watermark)
    backfill.execute(context)
    FreshdeskRefreshQueueVolumesOperator(task_id="refresh").execute(context)


def _deadlock_warnings(capsys: pytest.CaptureFixture[str]) -> list[str]:
    # Airflow 3 renders operator logs with structlog, to stdout here.
    out, err = capsys.readouterr()
    return [line for line in (out + err).splitlines() if "warning" in line.lower() and "deadlock victim" in line]


def test_a_backfill_slice_chosen_as_deadlock_victim_runs_again_and_loads_everything_once(
    make_simulator: Callable[..., Any],
    freshdesk_conn_env: Callable[..., None],
    warehouse_conn_env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = make_simulator(seed=31, **SIM)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(10)
    view = ImporterView()
    _initial_backfill(start)
    assert_volumes_match(dsn, sim, view, start)
    sim.account.random_mutations(40, seed=8)

    normal, spam = _listed(sim, start, "tickets"), _listed(sim, start, "tickets_spam")
    with psycopg.connect(dsn) as conn:
        stored = {r[0] for r in conn.execute("SELECT id FROM freshdesk_raw.tickets")}
    rival = Rival(dsn, first=min(set(spam) & stored), second=max(set(normal) & stored), rounds=1)
    rival.start()
    monkeypatch.setattr(freshdesk_to_postgres, "FreshdeskHook", colliding_hook(rival))
    capsys.readouterr()

    result = FreshdeskToPostgresOperator(task_id="backfill", window_start=start).execute({"run_id": "rerun"})

    rival.join(WAIT_SECONDS)
    assert not rival.errors, rival.errors
    assert (rival.collisions, rival.committed) == (1, 1)
    warnings = _deadlock_warnings(capsys)
    assert len(warnings) == 1, warnings
    assert "attempt 1 of 3" in warnings[0] and "nothing of it was written" in warnings[0]

    # The committed attempt's counts, not those of both attempts (the first loaded the normal
    # list before it was rolled back), in the result and in the one run record per stream.
    assert result["tickets"]["tickets"] == len(normal)
    assert result["tickets_spam"]["tickets"] == len(spam)
    assert _runs(dsn, "rerun") == {
        stream: ("success", result[stream]["tickets"], None)
        for stream in ("tickets", "tickets_deleted", "tickets_spam")
    }

    FreshdeskRefreshQueueVolumesOperator(task_id="refresh").execute({"run_id": "rerun"})
    with psycopg.connect(dsn) as conn:
        stored_versions = dict(conn.execute("SELECT id, updated_at FROM freshdesk_raw.tickets").fetchall())
        contacts, distinct_contacts = conn.execute(
            "SELECT count(*), count(DISTINCT (ticket_id, conversation_id)) FROM freshdesk.contacts"
        ).fetchone()
    account = sim.account
    current = {t: parse_ts(account.tickets[t]["updated_at"]) for t in tickets_updated_since(account, start)}
    assert {t: v for t, v in stored_versions.items() if t in current} == current
    assert contacts == distinct_contacts
    assert_volumes_match(dsn, sim, view, start)


def test_an_hourly_sync_that_stays_the_deadlock_victim_fails_and_leaves_the_warehouse_as_it_was(
    make_simulator: Callable[..., Any],
    freshdesk_conn_env: Callable[..., None],
    warehouse_conn_env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = make_simulator(seed=32, **SIM)
    freshdesk_conn_env(sim)
    dsn = warehouse_conn_env
    start = start_days_ago(10)
    view = ImporterView()
    _initial_backfill(start, advance_watermark=True)
    assert_volumes_match(dsn, sim, view, start)
    account = sim.account
    normal = _listed(sim, start, "tickets")
    # Changed now, so that the hourly sync lists both: one in the normal list, one in the spam list.
    changed, spammed = normal[0], normal[1]
    account.add_conversation(changed, kind="customer_phone")
    account.mark_spam(spammed)
    before = warehouse_snapshot(dsn)

    operator = FreshdeskIncrementalSyncOperator(task_id="sync")
    operator.deadlock_pause_seconds = (0.1, 0.3)
    rival = Rival(dsn, first=spammed, second=changed, rounds=operator.deadlock_attempts)
    rival.start()
    monkeypatch.setattr(freshdesk_to_postgres, "FreshdeskHook", colliding_hook(rival))
    capsys.readouterr()

    with pytest.raises(psycopg.errors.DeadlockDetected):
        operator.execute({"run_id": "doomed"})

    rival.join(WAIT_SECONDS)
    assert not rival.errors, rival.errors
    assert rival.collisions == rival.committed == 3
    assert len(_deadlock_warnings(capsys)) == 2
    assert warehouse_snapshot(dsn) == before, "a run that failed wrote to the warehouse"
    runs = _runs(dsn, "doomed")
    assert set(runs) == {"tickets", "tickets_deleted", "tickets_spam"}
    for status, rows_loaded, error in runs.values():
        assert (status, rows_loaded) == ("failed", None)
        assert error.startswith("DeadlockDetected"), error

    # Nothing was lost either: the next hourly sync, undisturbed, catches up.
    monkeypatch.setattr(freshdesk_to_postgres, "FreshdeskHook", FreshdeskHook)
    FreshdeskIncrementalSyncOperator(task_id="sync").execute({"run_id": "next"})
    assert {status for status, _, _ in _runs(dsn, "next").values()} == {"success"}
    assert_volumes_match(dsn, sim, view, start)
