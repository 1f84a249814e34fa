"""FreshdeskHook against the simulator over real HTTP (no HTTP mocking).

Every read is compared with the simulator's ground truth (`sim.account`). A tiny stub server
stands in only where the simulator cannot misbehave the way a test needs (a 200 that is not JSON).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from freshdesk_provider.exceptions import (
    FreshdeskAuthError,
    FreshdeskConnectionError,
    FreshdeskMalformedResponse,
    FreshdeskNotFound,
    FreshdeskPaginationError,
    FreshdeskRateLimitError,
    FreshdeskServerError,
    FreshdeskTicketDeleted,
    FreshdeskValidationError,
)
from freshdesk_provider.hooks.freshdesk import FreshdeskHook, parse_timestamp
from freshdesk_provider.hooks.rate_limit import RateLimiter

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
SECRET = "sk-live-3c1f9e0b7a2d4e6f8a9b0c1d2e3f4a5b"


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    RateLimiter.reset_registry()
    yield
    RateLimiter.reset_registry()


@pytest.fixture
def hook_for(freshdesk_conn_env: Callable[..., None]) -> Callable[..., FreshdeskHook]:
    """A hook on `freshdesk_default` pointed at `sim`, with short retry delays."""

    def make(sim: Any, extra: dict[str, Any] | None = None, **hook_kwargs: Any) -> FreshdeskHook:
        freshdesk_conn_env(sim, **(extra or {}))
        hook_kwargs.setdefault("backoff_base", 0.01)
        hook_kwargs.setdefault("backoff_max", 0.05)
        return FreshdeskHook(**hook_kwargs)

    return make


def truth_ids(sim: Any, view: str = "normal", since: datetime = EPOCH, until: datetime | None = None) -> set[int]:
    out = set()
    for ticket_id, t in sim.account.tickets.items():
        state = "deleted" if t["deleted"] else "spam" if t["spam"] else "archived" if t["archived"] else "normal"
        updated = parse_timestamp(t["updated_at"])
        if state == view and updated >= since and (until is None or updated < until):
            out.add(ticket_id)
    return out


def read_all(hook: FreshdeskHook, **kwargs: Any) -> list[dict[str, Any]]:
    return list(hook.iter_tickets(kwargs.pop("updated_since", EPOCH), **kwargs))


def assert_each_once(tickets: list[dict[str, Any]], expected: set[int]) -> None:
    counts = Counter(t["id"] for t in tickets)
    duplicates = {i: n for i, n in counts.items() if n > 1}
    assert not duplicates, f"{len(duplicates)} tickets yielded more than once"
    assert set(counts) == expected


def assert_updated_order(tickets: list[dict[str, Any]]) -> None:
    stamps = [parse_timestamp(t["updated_at"]) for t in tickets]
    assert stamps == sorted(stamps)


# ------------------------------------------------------------------------------ tickets
@pytest.mark.parametrize("keyset", [False, True], ids=["link-to-the-cap", "keyset"])
def test_reads_past_the_real_300_page_cap(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any], keyset: bool
) -> None:
    sim = make_simulator(seed=11, tickets=31_500, days=400, conversations_mean=0.3)
    expected = truth_ids(sim)
    assert len(expected) > 30_000  # more than 300 pages of 100
    hook = hook_for(sim, keyset_pagination=keyset)
    tickets = read_all(hook)
    assert_each_once(tickets, expected)
    assert_updated_order(tickets)
    assert hook.stats.pages >= 301
    # Dicts come through exactly as Freshdesk sends them.
    sample = tickets[len(tickets) // 2]
    truth = dict(sim.account.tickets[sample["id"]])
    truth.pop("deleted")
    truth.pop("archived")
    assert sample == truth
    # Page 301 was never requested: the restart happened at the cap, not after a 400.
    assert sim.stats()["requests_by_status"].get(400, 0) == 0


@pytest.mark.parametrize(
    ("keyset", "hook_cap"),
    [(False, 3), (False, 300), (True, 3)],
    ids=["proactive-at-our-cap", "reactive-on-freshdesk-400", "keyset"],
)
def test_page_cap_restarts_with_many_tickets_sharing_one_second(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any], keyset: bool, hook_cap: int
) -> None:
    # About 250 tickets share one updated_at: a restart lands inside that second and must skip
    # exactly the ids already yielded there.
    sim = make_simulator(seed=5, tickets=3000, days=60, page_cap=3, bulk_update_size=250, conversations_mean=0.3)
    normal = truth_ids(sim)
    stamps = Counter(t["updated_at"] for i, t in sim.account.tickets.items() if i in normal)
    assert 200 < stamps.most_common(1)[0][1] < 300  # more than two pages, less than the cap
    hook = hook_for(sim, page_cap=hook_cap, keyset_pagination=keyset)
    tickets = read_all(hook)
    assert_each_once(tickets, normal)
    assert_updated_order(tickets)
    assert hook.stats.pages > 3
    refused = sim.stats()["requests_by_status"].get(400, 0)
    if hook_cap == 300:
        assert refused >= 1  # Freshdesk's 400 on page 4 triggered the restart
    else:
        assert refused == 0


def test_tickets_updated_during_the_walk_do_not_hide_others(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    # Updating a ticket already read moves it to the end of the updated_at order; with offset
    # pages the next page would then start one ticket late and skip one. (Inside one second
    # shared by more than a page of tickets, offsets are the only way, and the risk remains.)
    sim = make_simulator(seed=15, tickets=2000, days=60, conversations_mean=0.3, bulk_update_size=0)
    expected = truth_ids(sim)
    hook = hook_for(sim)
    seen: list[int] = []
    for ticket in hook.iter_tickets(EPOCH):
        seen.append(ticket["id"])
        if len(seen) % 150 == 0:
            for ticket_id in seen[-150:-140]:
                sim.account.update_ticket(ticket_id, priority=4)
    assert set(seen) == expected  # nothing skipped; the touched ones may come twice


def test_a_second_shared_by_pages_of_tickets_is_read_again_when_it_shifts(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    # About 250 tickets share one updated_at, so they can only be paged by offset. Updating one
    # of them after its page was read moves it to the end, and every later ticket of that second
    # one place up: the one that slides onto the page already read would never be read.
    sim = make_simulator(seed=5, tickets=3000, days=60, bulk_update_size=250, conversations_mean=0.3)
    expected = truth_ids(sim)
    stamp, size = Counter(t["updated_at"] for i, t in sim.account.tickets.items() if i in expected).most_common(1)[0]
    assert size > 200
    hook = hook_for(sim)
    seen: list[int] = []
    in_second: list[int] = []
    for ticket in hook.iter_tickets(EPOCH):
        seen.append(ticket["id"])
        if ticket["updated_at"] == stamp:
            in_second.append(ticket["id"])
            if len(in_second) == 120:  # on the second page of that second
                sim.account.update_ticket(in_second[0], priority=4)
    assert set(seen) - expected == set()
    assert expected <= set(seen)  # nothing skipped; the updated ticket comes again, newer
    assert Counter(seen).most_common(1)[0][1] <= 2


def test_a_shared_second_that_does_not_change_costs_one_more_reading(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sim = make_simulator(seed=5, tickets=3000, days=60, bulk_update_size=250, conversations_mean=0.3)
    expected = truth_ids(sim)
    per_second = Counter(t["updated_at"] for i, t in sim.account.tickets.items() if i in expected)
    shared = [n for n in per_second.values() if n > 100]  # paged by offset
    assert shared
    plain = hook_for(sim, keyset_pagination=False)  # offsets only, no second reading
    assert {t["id"] for t in read_all(plain)} == expected
    capsys.readouterr()
    hook = hook_for(sim)
    tickets = read_all(hook)
    assert_each_once(tickets, expected)
    assert_updated_order(tickets)
    # Each shared second is read once more (its pages, and the page where the next second
    # begins); nothing else is.
    assert hook.stats.pages <= plain.stats.pages + sum(-(-n // 100) + 1 for n in shared)
    logged = capsys.readouterr().out
    assert logged.count("reading that second again") == len(shared)


def test_page_cap_cannot_be_passed_when_a_whole_cap_shares_one_second(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=5, tickets=3000, days=60, page_cap=2, bulk_update_size=250, conversations_mean=0.3)
    hook = hook_for(sim, page_cap=2)
    with pytest.raises(FreshdeskPaginationError, match=r"more than 2 pages \(200 tickets\) .* share updated_at"):
        read_all(hook)
    # The same when it is Freshdesk that refuses the page past its cap.
    with pytest.raises(FreshdeskPaginationError, match=r"more than 2 pages \(200 tickets\)"):
        read_all(hook_for(sim, page_cap=300))
    # A window that ends before that second still reads into it (a page of one second shows no
    # order to stop on): the error names the second that fills the cap, not the window's start.
    stamp = Counter(t["updated_at"] for t in sim.account.tickets.values()).most_common(1)[0][0]
    second = parse_timestamp(stamp)
    with pytest.raises(FreshdeskPaginationError) as failure:
        read_all(hook, updated_since=second - timedelta(seconds=1), until=second)
    assert f"share updated_at {stamp} (reading from " in str(failure.value)


def test_window_filters_and_include(make_simulator: Callable[..., Any], hook_for: Callable[..., Any]) -> None:
    sim = make_simulator(seed=8, tickets=2500, days=60, conversations_mean=0.5)
    hook = hook_for(sim)
    all_tickets = read_all(hook)
    middle = parse_timestamp(all_tickets[len(all_tickets) // 2]["updated_at"])
    start = parse_timestamp(all_tickets[len(all_tickets) // 4]["updated_at"])
    # [start, until): stops at the first ticket at or after `until`, without reading further.
    requests_before = hook.stats.requests
    window = list(hook.iter_tickets(start, until=middle))
    assert_each_once(window, truth_ids(sim, since=start, until=middle))
    assert hook.stats.requests - requests_before <= len(window) // 100 + 2
    # Deleted and spam tickets only through their filters.
    assert_each_once(read_all(hook, filter="deleted"), truth_ids(sim, "deleted"))
    assert_each_once(read_all(hook, filter="spam"), truth_ids(sim, "spam"))
    assert truth_ids(sim, "deleted") and truth_ids(sim, "spam")
    with pytest.raises(ValueError, match="filter"):
        read_all(hook, filter="watching")
    # An include costs 3 credits a page, and its data comes along.
    credits_before, pages_before = hook.stats.credits, hook.stats.pages
    with_stats = list(hook.iter_tickets(start, until=middle, include=("stats",)))
    assert all("stats" in t for t in with_stats)
    assert hook.stats.credits - credits_before == 3 * (hook.stats.pages - pages_before)


# ------------------------------------------------------------------------------ rate limits
def test_pacing_keeps_429s_rare_at_concurrency_8(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    """The simulator allows 200 credits per 2 s window; the limiter learns it from the headers."""
    sim = make_simulator(seed=2, tickets=1500, days=30, rate_limit=200, window_seconds=2.0)
    hook = hook_for(sim, extra={"rate_limit_window_seconds": 2, "max_concurrency": 8})
    ids = sorted(sim.account.tickets)[:1200]
    results = dict(hook.fetch_conversations(ids))
    for ticket_id in ids:
        expected = None if sim.account.is_deleted(ticket_id) else sim.account.conversations[ticket_id]
        assert results[ticket_id] == expected
    stats = sim.stats()
    assert stats["requests"] >= 1200
    assert stats["throttled_429"] <= stats["requests"] // 1000  # under 0.1 %
    assert hook.stats.throttled_429 == stats["throttled_429"]
    assert hook.limiter.budget == 200


def test_429s_are_waited_out_without_losing_anything(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    """Another integration spends half of the account's budget while the hook reads, and half
    of the 429s come without Retry-After. The hook waits instead of failing and loses nothing."""
    sim = make_simulator(
        seed=4, tickets=800, days=30, rate_limit=60, window_seconds=1.0, retry_after_missing_rate=0.5
    )
    hook = hook_for(sim, extra={"rate_limit_window_seconds": 1})
    stop = threading.Event()

    def other_consumer() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                session.get(f"{sim.url}/api/v2/agents/me", auth=(sim.api_key, "X"), timeout=10)
                stop.wait(1 / 30)  # about 30 of the 60 credits a second

    neighbour = threading.Thread(target=other_consumer, daemon=True)
    neighbour.start()
    try:
        tickets = read_all(hook)
        ids = [t["id"] for t in tickets[:100]]
        results = dict(hook.fetch_conversations(ids, max_workers=8))
    finally:
        stop.set()
        neighbour.join()
    assert_each_once(tickets, truth_ids(sim))
    assert results == {i: sim.account.conversations[i] for i in ids}
    assert hook.stats.throttled_429 > 0
    assert hook.stats.retries == 0  # a 429 is not a failure


def test_ticket_list_sub_limit_is_waited_out(make_simulator: Callable[..., Any], hook_for: Callable[..., Any]) -> None:
    # Freshdesk limits ticket-list calls separately (e.g. 100 of a Pro plan's 400 a minute); the
    # headers do not tell, so the 429s it causes are waited out.
    sim = make_simulator(seed=3, tickets=2000, days=30, rate_limit=300, list_rate_limit=5, window_seconds=1.0)
    hook = hook_for(sim, extra={"rate_limit_window_seconds": 1})
    assert_each_once(read_all(hook), truth_ids(sim))
    assert hook.stats.throttled_429 >= 1


def test_permanent_throttling_ends_with_a_clear_error(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=4, tickets=50, days=30, rate_limit=1, window_seconds=30.0)
    hook = hook_for(sim, extra={"rate_limit_per_minute": 1000, "rate_limit_window_seconds": 30}, max_throttle_wait=1)
    hook.get_agent_me()  # spends the window's only credit
    with pytest.raises(FreshdeskRateLimitError, match=r"kept answering 429"):
        hook.get_groups()


# ------------------------------------------------------------------------------ faults
def test_server_errors_html_pages_and_dropped_connections_are_retried(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=9, tickets=1500, days=30, fault_rate=0.2)
    hook = hook_for(sim, max_retries=12)
    tickets = read_all(hook)
    assert_each_once(tickets, truth_ids(sim))
    ids = sorted(sim.account.tickets)[:400]
    results = dict(hook.fetch_conversations(ids))
    for ticket_id in ids:
        expected = None if sim.account.is_deleted(ticket_id) else sim.account.conversations[ticket_id]
        assert results[ticket_id] == expected
    assert hook.get_groups() == [sim.account.groups[g] for g in sorted(sim.account.groups)]
    faults = sim.stats()["faults_by_kind"]
    assert {"500", "502", "503", "504", "drop"} <= set(faults)
    assert hook.stats.retries >= sum(faults.values())


def test_persistent_html_502_becomes_a_short_server_error(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=1, tickets=20, days=30, fault_rate=1.0, fault_kinds=("502",))
    hook = hook_for(sim, max_retries=2)
    with pytest.raises(FreshdeskServerError) as info:
        hook.get_groups()
    message = str(info.value)
    assert "HTTP 502" in message and "/groups" in message and sim.url.split("//")[1] in message
    assert "<" not in message  # the HTML page is reduced to its text
    assert len(message) < 600
    assert info.value.http_status == 502
    assert hook.stats.retries == 2


def test_persistent_dropped_connections_become_a_server_error(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=1, tickets=20, days=30, fault_rate=1.0, fault_kinds=("drop",))
    hook = hook_for(sim, max_retries=1)
    with pytest.raises(FreshdeskServerError, match="closed the connection"):
        hook.get_agent_me()


class _StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b"<html><body><h1>Maintenance</h1></body></html>"
    content_type = "text/html"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stub_server() -> Iterator[Callable[[bytes, str], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(body: bytes, content_type: str) -> str:
        handler = type("Handler", (_StubHandler,), {"body": body, "content_type": content_type})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_200_that_is_not_json_is_a_malformed_response(
    stub_server: Callable[[bytes, str], str], hook_for: Callable[..., Any]
) -> None:
    url = stub_server(b"<html><body><h1>Maintenance</h1></body></html>", "text/html")
    stub = type("Stub", (), {"url": url, "api_key": SECRET})()
    hook = hook_for(stub, max_retries=1)
    with pytest.raises(FreshdeskMalformedResponse, match=r"not JSON .*Maintenance"):
        hook.get_groups()
    url = stub_server(b'{"not": "a list"}', "application/json")
    stub = type("Stub", (), {"url": url, "api_key": SECRET})()
    with pytest.raises(FreshdeskMalformedResponse, match="JSON dict where a list was expected"):
        hook_for(stub).get_groups()


# ------------------------------------------------------------------------------ auth and secrets
def test_wrong_api_key_names_the_domain_not_the_key(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=1, tickets=20, days=30, api_key="the-right-key-0123456789")
    wrong = type("Wrong", (), {"url": sim.url, "api_key": SECRET})()
    hook = hook_for(wrong)
    with pytest.raises(FreshdeskAuthError) as info:
        read_all(hook)
    message = str(info.value)
    domain = sim.url.split("//")[1]
    assert f"rejected the API key for {domain}" in message
    assert SECRET not in message and SECRET not in repr(info.value)
    assert info.value.http_status == 401
    ok, text = hook.test_connection()
    assert not ok and domain in text and SECRET not in text
    # Other errors propagate out of the concurrent reader too.
    with pytest.raises(FreshdeskAuthError):
        dict(hook.fetch_conversations([1, 2, 3]))


def test_api_key_never_appears_in_logs_or_errors(
    make_simulator: Callable[..., Any],
    hook_for: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = make_simulator(
        seed=6,
        tickets=600,
        days=30,
        api_key=SECRET,
        fault_rate=0.15,
        rate_limit=40,
        list_rate_limit=2,  # ticket-list 429s, which the headers cannot announce
        window_seconds=1.0,
    )
    hook = hook_for(sim, extra={"rate_limit_window_seconds": 1}, max_retries=12)
    hook.progress_every_pages = 1
    errors = []
    with caplog.at_level(logging.DEBUG):
        tickets = read_all(hook)
        dict(hook.fetch_conversations([t["id"] for t in tickets[:100]]))
        for call in (lambda: next(hook.iter_conversations(10**9)), lambda: hook._request("nope")):
            try:
                call()
            except Exception as exc:
                errors.append(f"{exc!s} {exc!r}")
    out, err = capsys.readouterr()
    # Airflow 3 renders hook logs with structlog (to stdout here); stdlib records go to caplog.
    logged = "\n".join([caplog.text, out, err])
    assert "rate limit" in logged and "tickets" in logged  # progress lines were logged
    assert "retry" in logged and "pausing" in logged  # faults and 429s were logged
    assert len(errors) == 2
    for text in [logged, *errors]:
        assert SECRET not in text


# ------------------------------------------------------------------------------ conversations
def test_deleted_and_unknown_tickets(make_simulator: Callable[..., Any], hook_for: Callable[..., Any]) -> None:
    sim = make_simulator(seed=3, tickets=300, days=30)
    hook = hook_for(sim)
    deleted = next(i for i in sim.account.tickets if sim.account.is_deleted(i))
    with pytest.raises(FreshdeskTicketDeleted) as info:
        list(hook.iter_conversations(deleted))
    assert info.value.ticket_id == deleted
    assert hook.get_conversations(deleted) is None
    with pytest.raises(FreshdeskNotFound, match="neither live nor archived"):
        list(hook.iter_conversations(10**9))
    assert dict(hook.fetch_conversations([deleted, 10**9])) == {deleted: None, 10**9: None}
    # A ticket deleted while the pipeline runs.
    live = next(i for i in sim.account.tickets if not any(sim.account.state(i).values()))
    assert hook.get_conversations(live) == sim.account.conversations[live]
    sim.account.delete_ticket(live)
    assert hook.get_conversations(live) is None


def test_archived_tickets_fall_back_to_the_archive(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=12, tickets=400, days=400, archived_fraction=0.2)
    hook = hook_for(sim)
    archived = [
        i for i in sim.account.tickets if sim.account.state(i) == {"deleted": False, "spam": False, "archived": True}
    ]
    assert archived
    ticket_id = archived[0]
    assert list(hook.iter_conversations(ticket_id)) == sim.account.conversations[ticket_id]
    ticket = hook.get_archived_ticket(ticket_id)
    assert ticket is not None and ticket["id"] == ticket_id
    assert hook.get_archived_ticket(10**9) is None
    # Archiving in the middle of a run.
    live = next(i for i in sim.account.tickets if not any(sim.account.state(i).values()))
    sim.account.archive_ticket(live)
    results = dict(hook.fetch_conversations([*archived[:20], live]))
    assert results == {i: sim.account.conversations[i] for i in [*archived[:20], live]}


def test_fetch_conversations_matches_the_truth_and_streams(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    # Includes tickets with more than 100 conversations (several pages) and every state.
    sim = make_simulator(seed=21, tickets=3000, days=90, big_tickets=3, archived_fraction=0.05)
    hook = hook_for(sim, extra={"max_concurrency": 6})
    ids = sorted(sim.account.tickets)
    big = [i for i in ids if len(sim.account.conversations[i]) > 100]
    assert len(big) >= 3
    pulled = 0

    def lazily() -> Iterator[int]:
        nonlocal pulled
        for ticket_id in ids:
            pulled += 1
            yield ticket_id

    stream = hook.fetch_conversations(lazily())
    first = next(stream)
    # At most 2 x workers in flight, refilled as they finish: never all ids at once.
    assert pulled <= 2 * (6 * 2)
    results = dict([first, *stream])
    assert set(results) == set(ids)
    for ticket_id in ids:
        expected = None if sim.account.is_deleted(ticket_id) else sim.account.conversations[ticket_id]
        assert results[ticket_id] == expected, ticket_id
    for ticket_id in big:
        assert results[ticket_id] is not None and len(results[ticket_id]) > 100
    # An abandoned stream stops its workers.
    stream = hook.fetch_conversations(ids)
    next(stream)
    stream.close()


# ------------------------------------------------------------------------------ other endpoints
def test_groups_agent_time_entries_and_validation(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    sim = make_simulator(seed=14, tickets=1500, days=60, groups=130)
    hook = hook_for(sim)
    groups = hook.get_groups()
    assert len(groups) == len(sim.account.groups) > 100  # more than one page
    assert groups == [sim.account.groups[g] for g in sorted(sim.account.groups)]
    assert hook.get_agent_me()["id"] == sim.account.me
    after = sim.account.now() - timedelta(days=20)
    before = sim.account.now() - timedelta(days=5)
    entries = list(hook.iter_time_entries(after, before))
    # Freshdesk leaves out entries of deleted and spam tickets; its filter bounds are inclusive.
    expected = {
        e["id"]
        for e in sim.account.time_entries
        if after <= parse_timestamp(e["executed_at"]) <= before
        and not sim.account.is_deleted(e["ticket_id"])
        and not sim.account.is_spam(e["ticket_id"])
    }
    assert expected and {e["id"] for e in entries} == expected
    with pytest.raises(FreshdeskValidationError) as info:
        hook._request("tickets", {"per_page": 500}, expect=list)
    assert "per_page" in info.value.fields
    assert "per_page" in str(info.value)


def test_test_connection(make_simulator: Callable[..., Any], hook_for: Callable[..., Any]) -> None:
    sim = make_simulator(seed=1, tickets=10, days=30)
    ok, message = hook_for(sim).test_connection()
    name = sim.account.agent_me()["contact"]["name"]
    assert ok
    assert sim.url.split("//")[1] in message and name in message


def test_unknown_domain_is_a_clear_connection_error(
    freshdesk_conn_env: Callable[..., None], hook_for: Callable[..., Any]
) -> None:
    nowhere = type("Nowhere", (), {"url": "https://acme-does-not-exist.invalid", "api_key": SECRET})()
    hook = hook_for(nowhere, max_retries=3)
    with pytest.raises(FreshdeskConnectionError) as info:
        hook.get_groups()
    assert "acme-does-not-exist.invalid" in str(info.value)
    assert "does not resolve" in str(info.value)
    try:
        socket.getaddrinfo("acme-does-not-exist.invalid", 443)
        answer = 0
    except socket.gaierror as exc:
        answer = exc.errno
    # DNS's "no such name" gets one more try, not minutes of them; a resolver that cannot
    # answer at all (no network) is a passing failure and gets every retry.
    assert hook.stats.retries == (1 if answer == socket.EAI_NONAME else 3)
    ok, message = hook.test_connection()
    assert not ok and "acme-does-not-exist.invalid" in message


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_simulator_with_verification_switched_off(
    make_simulator: Callable[..., Any], hook_for: Callable[..., Any]
) -> None:
    # docker compose's simulator profile: https with a self-signed certificate.
    sim = make_simulator(seed=1, tickets=300, days=30, tls=True)
    assert sim.url.startswith("https://")
    hook = hook_for(sim, extra={"verify": False})
    assert_each_once(read_all(hook), truth_ids(sim))
    strict = hook_for(sim)
    with pytest.raises(FreshdeskConnectionError, match="certificate could not be verified"):
        strict.get_agent_me()
    assert strict.stats.retries == 0  # retrying cannot make the certificate trusted
