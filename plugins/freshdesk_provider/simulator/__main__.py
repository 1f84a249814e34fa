"""`python -m freshdesk_provider.simulator`: serve a simulated account until SIGTERM/SIGINT.

When ready it prints one line that scripts can wait for:
``Freshdesk simulator ready: url=http://127.0.0.1:8099 api_key=sim-api-key tickets=20000 ...``
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from freshdesk_provider.simulator.config import FAULT_KINDS, SimulatorConfig
from freshdesk_provider.simulator.server import FreshdeskSimulator


def _optional_int(text: str) -> int | None:
    return None if text.lower() in ("none", "unlimited") else int(text)


def build_parser() -> argparse.ArgumentParser:
    d = SimulatorConfig()
    p = argparse.ArgumentParser(prog="python -m freshdesk_provider.simulator", description=__doc__.splitlines()[0])
    p.add_argument("--host", default=d.host)
    p.add_argument("--port", type=int, default=8099, help="0 picks a free port (default 8099)")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--tickets", type=int, default=d.tickets)
    p.add_argument("--days", type=float, default=d.days)
    p.add_argument("--api-key", default=d.api_key)
    p.add_argument("--rate-limit", type=_optional_int, default=None, help="credits per window (default unlimited)")
    p.add_argument("--window-seconds", type=float, default=d.window_seconds)
    p.add_argument("--list-rate-limit", type=_optional_int, default=None, help="ticket-list calls per window")
    p.add_argument("--fault-rate", type=float, default=d.fault_rate)
    p.add_argument("--fault-kinds", default=",".join(FAULT_KINDS), help="comma list of 500,502,503,504,drop")
    p.add_argument("--latency-ms", type=float, default=d.latency_ms)
    p.add_argument("--page-cap", type=int, default=d.page_cap)
    p.add_argument("--groups", type=int, default=d.groups)
    p.add_argument("--agents", type=int, default=d.agents)
    p.add_argument("--deleted-fraction", type=float, default=d.deleted_fraction)
    p.add_argument("--spam-fraction", type=float, default=d.spam_fraction)
    p.add_argument("--archived-fraction", type=float, default=d.archived_fraction)
    p.add_argument("--archive-after-days", type=float, default=d.archive_after_days)
    p.add_argument("--retry-after-missing-rate", type=float, default=d.retry_after_missing_rate)
    p.add_argument("--conversations-mean", type=float, default=d.conversations_mean)
    p.add_argument("--not-found-body", choices=("empty", "json"), default=d.not_found_body)
    p.add_argument("--now", default=None, help="the account's 'now' (ISO-8601, UTC); default: the real clock")
    p.add_argument("--tls", action="store_true", help="serve https with a throwaway self-signed certificate")
    p.add_argument("--ready-file", type=Path, default=None, help="also write {url, api_key} as JSON here when ready")
    return p


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        seed=args.seed,
        tickets=args.tickets,
        days=args.days,
        api_key=args.api_key,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
        window_seconds=args.window_seconds,
        list_rate_limit=args.list_rate_limit,
        fault_rate=args.fault_rate,
        fault_kinds=tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip()),
        latency_ms=args.latency_ms,
        page_cap=args.page_cap,
        groups=args.groups,
        agents=args.agents,
        deleted_fraction=args.deleted_fraction,
        spam_fraction=args.spam_fraction,
        archived_fraction=args.archived_fraction,
        archive_after_days=args.archive_after_days,
        retry_after_missing_rate=args.retry_after_missing_rate,
        conversations_mean=args.conversations_mean,
        not_found_body=args.not_found_body,
        now=args.now,
        tls=args.tls,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sim = FreshdeskSimulator(config_from_args(args))
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sim.start()
    summary = sim.account.summary()
    if args.ready_file is not None:
        args.ready_file.write_text(json.dumps({"url": sim.url, "api_key": sim.api_key}))
    print(
        f"Freshdesk simulator ready: url={sim.url} api_key={sim.api_key} tickets={summary['tickets']} "
        f"conversations={summary['conversations']} generated_in={sim.account.generation_seconds:.1f}s",
        flush=True,
    )
    # Event.wait with a timeout keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    sim.stop()
    print("Freshdesk simulator stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
