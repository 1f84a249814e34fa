"""Progress lines of a long read: written while tickets are read, not only when a batch of them
has been loaded (on a rate-limited account one batch takes minutes to read)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

import psycopg

from freshdesk_provider import ingest
from freshdesk_provider.hooks.freshdesk import FreshdeskHook
from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.migrations import migrate

LINE = re.compile(r"^tickets: (\d+) tickets read, (\d+) loaded ")


def test_progress_is_logged_while_the_first_batch_is_still_being_read(
    make_simulator, freshdesk_conn_env, warehouse_dsn, monkeypatch, caplog
) -> None:
    sim = make_simulator(seed=5, tickets=120, days=3, deleted_fraction=0.0, spam_fraction=0.0)
    sim.configure(latency_ms=20)
    freshdesk_conn_env(sim, max_concurrency=1)
    monkeypatch.setattr(ingest, "PROGRESS_EVERY_SECONDS", 0.2)
    with psycopg.connect(warehouse_dsn) as conn:
        migrate(conn)
        with caplog.at_level(logging.INFO, logger="freshdesk_provider.ingest"):
            stats = ingest.ingest_window(
                FreshdeskHook(),
                RawLoader(conn),
                updated_since=datetime.now(timezone.utc) - timedelta(days=4),
                streams=("tickets",),
                batch_size=500,
            )
        conn.commit()
    total = stats.streams["tickets"].tickets
    lines = [record.getMessage() for record in caplog.records if LINE.match(record.getMessage())]
    counts = [tuple(int(n) for n in LINE.match(line).groups()) for line in lines]
    # All tickets fit one batch, so nothing is loaded until every one is read: lines with
    # tickets read and none loaded can only come from the reads.
    assert total > 100
    assert len([read for read, loaded in counts if 0 < read < total and loaded == 0]) >= 2, lines
    assert counts[-1] == (total, total), lines
    assert len(lines) == len(set(lines)), "a line repeats the one before it"
