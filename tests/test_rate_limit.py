"""RateLimiter pacing, with a fake clock: assertions are about counts per window, not speed."""

from __future__ import annotations

import threading
import time
from bisect import bisect_left

import pytest

from freshdesk_provider.hooks.rate_limit import INITIAL_BURST, PROVISIONAL_BUDGET, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def make(budget: int | None = 400, window: float = 6.0) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter("test", budget=budget, window_seconds=window, clock=clock, sleep=clock.sleep), clock


def max_in_any_window(times: list[float], costs: list[int], window: float) -> int:
    """The most credits started within any interval of `window` seconds (sliding)."""
    prefix = [0]
    for cost in costs:
        prefix.append(prefix[-1] + cost)
    best = 0
    for i, start in enumerate(times):
        j = bisect_left(times, start + window - 1e-9)
        best = max(best, prefix[j] - prefix[i])
    return best


def run(limiter: RateLimiter, clock: FakeClock, n: int, cost: int = 1) -> list[float]:
    times = []
    for _ in range(n):
        limiter.acquire(cost)
        times.append(clock())
        limiter.observe(cost, total=limiter.budget, remaining=None, used=cost)
    return times


def test_paces_below_budget_in_every_window_and_uses_most_of_it() -> None:
    limiter, clock = make(budget=400, window=6.0)
    times = run(limiter, clock, 4000)
    assert max_in_any_window(times, [1] * len(times), 6.0) <= 400
    # Ten windows' worth of credits take about ten windows: the budget is used, not wasted.
    windows_used = (times[-1] - times[0]) / 6.0
    assert 9.5 <= windows_used <= 11.0
    # Fixed windows aligned anywhere hold at most the budget too.
    for offset in (0.0, 1.3, 2.9, 4.4):
        counts: dict[int, int] = {}
        for t in times:
            counts[int((t - times[0] + offset) // 6.0)] = counts.get(int((t - times[0] + offset) // 6.0), 0) + 1
        assert max(counts.values()) <= 400


def test_include_requests_cost_three_credits() -> None:
    limiter, clock = make(budget=400, window=6.0)
    times = run(limiter, clock, 600, cost=3)
    assert max_in_any_window(times, [3] * len(times), 6.0) <= 400
    # 1800 credits at ~380 per window: more than four windows.
    assert (times[-1] - times[0]) / 6.0 >= 4.3


def test_conservative_until_the_budget_is_known_then_learns_it() -> None:
    limiter, clock = make(budget=None, window=6.0)
    assert limiter.budget == PROVISIONAL_BUDGET
    start = clock()
    for _ in range(INITIAL_BURST):
        limiter.acquire()
    assert clock() == start  # the initial burst goes at once
    limiter.acquire()
    assert clock() > start  # then it waits for the provisional pace
    limiter.observe(1, total=600, remaining=None, used=1)
    assert limiter.budget == 600
    assert limiter.snapshot().budget_source == "X-RateLimit-Total"
    times = run(limiter, clock, 1200)
    assert max_in_any_window(times, [1] * len(times), 6.0) <= 600
    assert (times[-1] - times[0]) / 6.0 <= 2.3


def test_connection_override_lowers_the_budget_but_never_raises_it() -> None:
    limiter, clock = make(budget=100, window=6.0)
    limiter.observe(1, total=700, remaining=690, used=1)
    assert limiter.budget == 100
    assert limiter.snapshot().budget_source == "connection"
    times = run(limiter, clock, 300)
    assert max_in_any_window(times, [1] * len(times), 6.0) <= 100
    # Above what Freshdesk says the account has, the override would only buy 429s.
    limiter, clock = make(budget=2000, window=6.0)
    limiter.observe(1, total=400, remaining=390, used=1)
    assert limiter.budget == 400
    times = run(limiter, clock, 1200)
    assert max_in_any_window(times, [1] * len(times), 6.0) <= 400


def test_a_429_pauses_everyone_and_cuts_the_pace_then_it_recovers() -> None:
    limiter, clock = make(budget=400, window=6.0)
    run(limiter, clock, 50)
    before = limiter.snapshot().credits_per_second
    limiter.throttled(4.0)
    paused_at = clock()
    limiter.acquire()
    assert clock() >= paused_at + 4.0
    after = limiter.snapshot()
    assert after.rate_factor < 1.0
    assert after.credits_per_second < before
    assert after.throttle_events == 1
    # Several 429s of one burst (in flight together) count as one event.
    limiter.throttled(4.0)
    limiter.throttled(4.0)
    assert limiter.snapshot().throttle_events == 2
    # Quiet windows give the pace back.
    run(limiter, clock, 4000)
    assert limiter.snapshot().rate_factor == pytest.approx(1.0)


def test_exhausted_shared_budget_holds_and_probes_until_the_window_resets() -> None:
    limiter, clock = make(budget=400, window=6.0)
    run(limiter, clock, 10)
    # Another consumer spent the account's budget: Freshdesk says nothing remains.
    limiter.acquire()
    limiter.observe(1, total=400, remaining=0, used=1)
    start = clock()
    times = []
    for _ in range(5):
        limiter.acquire()
        times.append(clock())
        limiter.observe(1, total=400, remaining=0, used=1)
    # Only slow probes while the budget is exhausted (window / 30 apart), not the normal pace.
    gaps = [b - a for a, b in zip([start, *times], times, strict=False)]
    assert all(gap >= 6.0 / 30 - 1e-9 for gap in gaps[1:])
    # A probe sees the reset window: normal pace again.
    limiter.acquire()
    limiter.observe(1, total=400, remaining=399, used=1)
    resumed = clock()
    for _ in range(20):
        limiter.acquire()
        limiter.observe(1, total=400, remaining=300, used=1)
    assert clock() - resumed < 20 * 6.0 / 30


def test_cost_reported_above_the_booking_pushes_the_schedule_back() -> None:
    limiter, clock = make(budget=400, window=6.0)
    run(limiter, clock, 20)
    t0 = clock()
    limiter.acquire(1)
    limiter.observe(1, total=400, remaining=300, used=3)
    for _ in range(10):
        limiter.acquire(1)
        limiter.observe(1, total=400, remaining=300, used=1)
    interval = 1 / limiter.snapshot().credits_per_second
    assert clock() - t0 >= 11 * interval


def test_registry_gives_one_limiter_per_account() -> None:
    RateLimiter.reset_registry()
    a = RateLimiter.for_account("https://acme.freshdesk.com/api/v2", window_seconds=60)
    b = RateLimiter.for_account("https://ACME.freshdesk.com/api/v2/", budget=300)
    c = RateLimiter.for_account("https://other.freshdesk.com/api/v2")
    assert a is b
    assert a is not c
    assert a.budget == 300
    RateLimiter.reset_registry()


def test_threads_share_the_budget() -> None:
    """Eight threads on a real clock: no window ever gets more than the budget."""
    limiter = RateLimiter("threads", budget=120, window_seconds=1.0)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            limiter.acquire()
            with lock:
                starts.append(time.monotonic())
            limiter.observe(1, total=120, remaining=None, used=1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    assert len(starts) == 200
    assert max_in_any_window(starts, [1] * len(starts), 1.0) <= 120


def test_without_rate_limit_headers_the_provisional_budget_grows_until_a_429() -> None:
    limiter, _clock = make(budget=None, window=6.0)
    assert limiter.budget == PROVISIONAL_BUDGET
    for _ in range(600):  # a server that never sends X-RateLimit-Total and never throttles
        limiter.acquire()
        limiter.observe(1, total=None, remaining=None, used=None)
    grown = limiter.budget
    assert grown >= 4 * PROVISIONAL_BUDGET
    assert limiter.snapshot().budget_source == "provisional"
    limiter.throttled(2.0)  # too fast after all: half, then it grows again
    assert limiter.budget == grown // 2
    limiter.observe(1, total=700, remaining=None, used=1)  # headers after all: they rule
    assert limiter.budget == 700
