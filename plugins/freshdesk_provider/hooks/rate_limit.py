"""Process-wide pacing of Freshdesk API credits.

Freshdesk counts credits per account per minute, whatever the number of clients. Reacting to
429s alone makes a pool of threads stampede: they all hit the limit together, all sleep the
same ``Retry-After`` and all wake together. Instead every request of the process asks one
shared :class:`RateLimiter` for its credits first, and the limiter spaces requests evenly so
that a window's budget is spent across the window (a token bucket in GCRA form, with a small
burst).

Budget
    The connection's ``rate_limit_per_minute`` override if set (capped by what
    ``X-RateLimit-Total`` reports), else learned from that header of the first answer. Until an
    answer arrives the limiter assumes the smallest documented plan and lets only a couple of
    requests through.
Sharing
    Other consumers of the same account (other Airflow tasks, integrations) spend the same
    budget. ``X-RateLimit-Remaining`` tells how much of it is left: when it runs out, the
    limiter stops and only probes every so often until the window has reset.
429
    When Freshdesk still answers 429, the whole process pauses for ``Retry-After`` and the
    pace is cut multiplicatively; it grows back slowly once a window passes without a 429.

Pacing bound: over any interval of one window the limiter lets through at most
``burst + (budget - burst) * (1 - margin)`` credits, below the budget whether Freshdesk counts
in fixed or sliding windows, which leaves room for network jitter.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Freshdesk's smallest plan (trial) allows 50 credits a minute: safe until the headers say more.
PROVISIONAL_BUDGET = 50
# A server that never sends X-RateLimit-Total: each window without a 429 doubles the provisional
# budget up to this (a 429 halves it), so such a server is not read at the trial plan's pace forever.
PROVISIONAL_MAX_BUDGET = 6000
# Requests allowed before any answer has told us the real budget.
INITIAL_BURST = 2
# The slowest the pace may be cut to after repeated 429s, as a fraction of the budget.
MIN_RATE_FACTOR = 0.25
# A 429 cuts the pace to this fraction; each quiet window gives back RECOVERY_PER_WINDOW.
THROTTLE_DECREASE = 0.85
RECOVERY_PER_WINDOW = 0.1
# Sleeping threads wake at least this often to notice a pause or a new budget.
MAX_SLEEP_CHUNK = 0.25


@dataclass(frozen=True)
class LimiterSnapshot:
    """A consistent view of the limiter, for logs and tests."""

    budget: int
    budget_source: str
    window_seconds: float
    rate_factor: float
    credits_per_second: float
    burst: int
    estimated_remaining: int | None
    paused_for: float
    acquired_credits: int
    throttle_events: int


class RateLimiter:
    """Thread-safe pacer of API credits for one Freshdesk account.

    Use :meth:`for_account` to get the process-wide instance of an account; construct one
    directly only in tests (with a fake ``clock`` and ``sleep``).

    Protocol for each HTTP attempt: ``acquire(cost)`` before sending, then exactly one
    ``observe(cost, ...)`` when the attempt ends (with the rate-limit headers if an answer came
    back), and ``throttled(retry_after)`` if the answer was a 429.
    """

    _registry: dict[str, RateLimiter] = {}
    _registry_lock = threading.Lock()

    def __init__(
        self,
        name: str = "",
        *,
        budget: int | None = None,
        window_seconds: float = 60.0,
        margin: float = 0.015,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        if not 0 <= margin < 0.5:
            raise ValueError("margin must be in [0, 0.5)")
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._margin = margin
        self._window = float(window_seconds)
        self._override_budget = _positive_or_none(budget)
        self._learned_budget: int | None = None
        self._provisional_budget = PROVISIONAL_BUDGET
        self._provisional_quiet_since: float | None = None
        now = clock()
        # GCRA's "theoretical arrival time": when the bucket would be empty again.
        self._tat = now
        self._paused_until = now
        # Bumped whenever a pause or a new budget invalidates slots reserved by sleeping threads.
        self._epoch = 0
        self._rate_factor = 1.0
        self._recover_from = now
        self._estimated_remaining: int | None = None
        self._remaining_seen_at = now
        self._in_flight = 0
        self._last_probe = float("-inf")
        self._acquired = 0
        self._throttle_events = 0
        self._warned_no_headers = False

    # ----------------------------------------------------------------------------- registry
    @classmethod
    def for_account(
        cls, base_url: str, *, budget: int | None = None, window_seconds: float | None = None
    ) -> RateLimiter:
        """The process-wide limiter of the Freshdesk account at ``base_url``.

        A ``budget`` or ``window_seconds`` given here replaces the instance's current setting,
        so the most recently built hook's connection settings win.
        """
        key = base_url.rstrip("/").lower()
        with cls._registry_lock:
            limiter = cls._registry.get(key)
            if limiter is None:
                limiter = cls(key, budget=budget, window_seconds=window_seconds or 60.0)
                cls._registry[key] = limiter
                return limiter
        limiter.configure(budget=budget, window_seconds=window_seconds)
        return limiter

    @classmethod
    def reset_registry(cls) -> None:
        """Forget every account's limiter (for tests)."""
        with cls._registry_lock:
            cls._registry.clear()

    def configure(self, *, budget: int | None = None, window_seconds: float | None = None) -> None:
        """Set the budget override and/or the window length; ``None`` keeps the current value."""
        with self._lock:
            changed = False
            if budget is not None and _positive_or_none(budget) != self._override_budget:
                self._override_budget = _positive_or_none(budget)
                changed = True
            if window_seconds is not None and window_seconds > 0 and window_seconds != self._window:
                self._window = float(window_seconds)
                changed = True
            if changed:
                self._epoch += 1

    # ----------------------------------------------------------------------------- pacing
    def _budget(self) -> tuple[int, str]:
        if self._override_budget:
            # The override is there to leave budget to others; pacing above what Freshdesk says
            # the account has would only buy 429s.
            if self._learned_budget and self._learned_budget < self._override_budget:
                return self._learned_budget, "X-RateLimit-Total"
            return self._override_budget, "connection"
        if self._learned_budget:
            return self._learned_budget, "X-RateLimit-Total"
        return self._provisional_budget, "provisional"

    def _burst(self, budget: int, source: str) -> int:
        if source == "provisional":
            return INITIAL_BURST
        # Big enough for an `include` request (3 credits) and a few parallel starts, small enough
        # that the burst does not eat the margin.
        return int(min(10, max(3, budget * 0.01)))

    def _interval(self, budget: int, burst: int) -> float:
        """Seconds per credit at the current pace."""
        paced = max(1.0, (budget - burst) * (1.0 - self._margin) * self._rate_factor)
        return self._window / paced

    def _recover(self, now: float) -> None:
        if self._rate_factor < 1.0 and now > self._recover_from:
            gained = RECOVERY_PER_WINDOW * (now - self._recover_from) / self._window
            self._rate_factor = min(1.0, self._rate_factor + gained)
            self._recover_from = now

    def _reserve(self, cost: int, now: float) -> tuple[float, int]:
        """Book the next slot for ``cost`` credits; returns (start time, epoch). Lock held."""
        self._recover(now)
        budget, source = self._budget()
        burst = self._burst(budget, source)
        interval = self._interval(budget, burst)
        capacity = max(burst, cost) * interval
        start = max(now, self._paused_until, self._tat + cost * interval - capacity)
        if self._estimated_remaining is not None and now - self._remaining_seen_at > self._window:
            # No fresh X-RateLimit-Remaining for a whole window: whatever it said has reset.
            self._estimated_remaining = None
        est = self._estimated_remaining
        if est is not None and est < cost:
            # Freshdesk says the account's budget is spent (others share it) and we cannot know
            # when its window resets: let one request through now and then as a probe. A probe
            # answers either with a fresh budget or with a 429 whose Retry-After says when.
            start = max(start, self._last_probe + max(self._window / 30.0, interval))
            self._last_probe = start
        self._tat = max(self._tat, start) + cost * interval
        if est is not None:
            self._estimated_remaining = est - cost
        self._in_flight += cost
        self._acquired += cost
        return start, self._epoch

    def acquire(self, cost: int = 1) -> float:
        """Block until ``cost`` credits may be spent; returns the seconds waited."""
        cost = max(1, int(cost))
        began = self._clock()
        with self._lock:
            start, epoch = self._reserve(cost, began)
        while True:
            now = self._clock()
            if now >= start:
                return now - began
            self._sleep(min(start - now, MAX_SLEEP_CHUNK))
            with self._lock:
                if self._epoch != epoch:
                    # A 429 or a new budget arrived while we slept: our slot may be wrong.
                    # Give back the booking (the credits were never spent) and book again.
                    self._in_flight -= cost
                    self._acquired -= cost
                    if self._estimated_remaining is not None:
                        self._estimated_remaining += cost
                    start, epoch = self._reserve(cost, self._clock())

    def observe(
        self,
        cost: int = 1,
        *,
        answered: bool = True,
        total: int | None = None,
        remaining: int | None = None,
        used: int | None = None,
    ) -> None:
        """Record the end of an attempt that acquired ``cost`` credits.

        ``total``/``remaining``/``used`` are the answer's ``X-RateLimit-*`` headers (``None``
        when absent); ``answered=False`` when no answer came back (timeout, connection error).
        """
        cost = max(1, int(cost))
        with self._lock:
            now = self._clock()
            self._in_flight = max(0, self._in_flight - cost)
            budget, source = self._budget()
            if used is not None and used > cost:
                # The request cost more than we booked: push the schedule back by the difference
                # so that the window's total stays right.
                self._tat = max(self._tat, now) + (used - cost) * self._interval(
                    budget, self._burst(budget, source)
                )
            if total is not None and total > 0 and total != self._learned_budget:
                first = self._learned_budget is None
                self._learned_budget = int(total)
                if self._budget() != (budget, source):
                    if first and source == "provisional":
                        # Slots booked at the provisional pace are far too late: start afresh.
                        self._tat = min(self._tat, now)
                    self._epoch += 1
            if remaining is not None:
                was_exhausted = self._estimated_remaining is not None and self._estimated_remaining < 1
                # Requests in flight may not be counted in this answer yet: assume the worst.
                self._estimated_remaining = int(remaining) - self._in_flight
                self._remaining_seen_at = now
                if was_exhausted and self._estimated_remaining >= 1:
                    # A probe found the window reset: wake the threads queued behind it.
                    self._tat = min(self._tat, now)
                    self._last_probe = float("-inf")
                    self._epoch += 1
            if answered and total is None and self._override_budget is None and self._learned_budget is None:
                self._grow_provisional_budget(now)
            if answered and total is None and self._override_budget is None and not self._warned_no_headers:
                self._warned_no_headers = True
                log.warning(
                    "Freshdesk answers for %s carry no X-RateLimit-Total header; pacing at %d "
                    "credits per %.0f s, doubling each window without a 429. Set rate_limit_per_minute "
                    "on the connection to pace at a known budget.",
                    self.name,
                    budget,
                    self._window,
                )

    def _grow_provisional_budget(self, now: float) -> None:
        """Lock held. Double the provisional budget after each whole window without a 429."""
        if self._provisional_quiet_since is None:
            self._provisional_quiet_since = now
        elif now - self._provisional_quiet_since >= self._window and self._provisional_budget < PROVISIONAL_MAX_BUDGET:
            self._provisional_budget = min(PROVISIONAL_MAX_BUDGET, self._provisional_budget * 2)
            self._provisional_quiet_since = now
            self._epoch += 1
            log.info("%s: no 429 for a whole window; pacing at %d credits now", self.name, self._provisional_budget)

    def throttled(self, retry_after: float) -> None:
        """Freshdesk answered 429: pause the whole process for ``retry_after`` seconds."""
        with self._lock:
            now = self._clock()
            until = now + max(0.0, retry_after)
            if self._learned_budget is None and self._override_budget is None:
                # Guessing without headers, and guessed too high: back to half, then grow again.
                self._provisional_budget = max(PROVISIONAL_BUDGET, self._provisional_budget // 2)
                self._provisional_quiet_since = until
            if now >= self._paused_until:
                # Only the first 429 of a burst cuts the pace; the others were already in flight.
                self._rate_factor = max(MIN_RATE_FACTOR, self._rate_factor * THROTTLE_DECREASE)
                self._throttle_events += 1
            self._recover_from = max(self._recover_from, until + self._window)
            if until > self._paused_until:
                self._paused_until = until
                self._epoch += 1
                # Every sleeping thread books again after the pause (epoch changed): drop their
                # old slots so that the pace resumes right when the pause ends.
                self._tat = until
            # After the pause the window has reset: the last Remaining no longer holds.
            self._estimated_remaining = None

    # ----------------------------------------------------------------------------- views
    @property
    def window_seconds(self) -> float:
        return self._window

    @property
    def budget(self) -> int:
        """Credits per window the limiter currently paces for (before margin and back-off)."""
        with self._lock:
            return self._budget()[0]

    def snapshot(self) -> LimiterSnapshot:
        with self._lock:
            now = self._clock()
            budget, source = self._budget()
            burst = self._burst(budget, source)
            return LimiterSnapshot(
                budget=budget,
                budget_source=source,
                window_seconds=self._window,
                rate_factor=self._rate_factor,
                credits_per_second=1.0 / self._interval(budget, burst),
                burst=burst,
                estimated_remaining=self._estimated_remaining,
                paused_for=max(0.0, self._paused_until - now),
                acquired_credits=self._acquired,
                throttle_events=self._throttle_events,
            )


def _positive_or_none(value: int | None) -> int | None:
    if value is None:
        return None
    value = int(value)
    return value if value > 0 else None
