"""HTTP face of the simulator: Freshdesk API v2 under /api/v2, admin endpoints under /_simulator."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import logging
import math
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from freshdesk_provider.simulator.account import FreshdeskAccount
from freshdesk_provider.simulator.config import RUNTIME_KNOBS, SimulatorConfig
from freshdesk_provider.simulator.models import Ticket, contact_info, iso

log = logging.getLogger(__name__)

# What X-RateLimit-Total says when no limit is configured: large, but a real number.
UNLIMITED_TOTAL = 1_000_000
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
THIRTY_DAYS = 30 * 86_400

TICKET_LIST_INCLUDES = ("requester", "stats", "description")
TICKET_VIEW_INCLUDES = ("conversations", "requester", "company", "stats")
TICKET_FILTERS = ("new_and_my_open", "watching", "spam", "deleted")
ORDER_BY = ("created_at", "due_by", "updated_at", "status")

_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"/api/v2/tickets", "tickets_list"),
        (r"/api/v2/tickets/archived/(\d+)", "archived_ticket"),
        (r"/api/v2/tickets/archived/(\d+)/conversations", "archived_conversations"),
        (r"/api/v2/tickets/(\d+)", "ticket"),
        (r"/api/v2/tickets/(\d+)/conversations", "conversations"),
        (r"/api/v2/tickets/(\d+)/time_entries", "ticket_time_entries"),
        (r"/api/v2/groups", "groups"),
        (r"/api/v2/groups/(\d+)", "group"),
        (r"/api/v2/agents/me", "agents_me"),
        (r"/api/v2/time_entries", "time_entries"),
    )
)

_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_HTML_504 = (
    b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    b"<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    # Admin responses may stream (the whole account can be hundreds of megabytes).
    chunks: Iterable[bytes] | None = None

    @classmethod
    def json(cls, status: int, payload: Any, **headers: str) -> Response:
        return cls(status, _json(payload), dict(headers))


class _ValidationError(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("validation failed")
        self.errors = errors


class _Params:
    """Query parameters with Freshdesk's validation errors, collected rather than raised one by one."""

    def __init__(self, pairs: list[tuple[str, str]], allowed: Iterable[str]) -> None:
        self.pairs = pairs
        self.values = dict(pairs)
        self.errors: list[dict[str, str]] = []
        for name in self.values:
            if name not in allowed:
                self.error(name, "Unexpected/invalid field in request", "invalid_field")

    def error(self, name: str, message: str, code: str) -> None:
        self.errors.append({"field": name, "message": message, "code": code})

    def positive_int(self, name: str, default: int | None, maximum: int | None = None) -> int | None:
        raw = self.values.get(name)
        if raw is None:
            return default
        if not raw.strip().lstrip("+").isdigit():
            self.error(name, "It should be a/an Positive Integer", "datatype_mismatch")
            return default
        value = int(raw)
        if value < 1 or (maximum is not None and value > maximum):
            limit = f" less than or equal to {maximum}" if maximum is not None else ""
            self.error(name, f"It should be a/an Positive Integer{limit}", "invalid_value")
            return default
        return value

    def choice(self, name: str, options: Iterable[str], default: str | None) -> str | None:
        raw = self.values.get(name)
        if raw is None:
            return default
        options = tuple(options)
        if raw not in options:
            self.error(name, f"It should be one of these values: '{','.join(options)}'", "invalid_value")
            return default
        return raw

    def timestamp(self, name: str) -> int | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            self.error(name, "It should be in the 'valid date' format", "invalid_date")
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        # updated_at has whole seconds: updated_at >= 12:00:00.5 means >= 12:00:01.
        return math.ceil(value.timestamp())

    def includes(self, options: Iterable[str]) -> list[str]:
        raw = self.values.get("include")
        if raw is None:
            return []
        options = tuple(options)
        values = [v.strip() for v in raw.split(",") if v.strip()]
        if not values or any(v not in options for v in values):
            self.error("include", f"It should be one of these values: '{','.join(options)}'", "invalid_value")
        return values

    def check(self) -> None:
        if self.errors:
            raise _ValidationError(self.errors)


class _RateWindow:
    """Fixed-window credit counter for the whole account (all connections, all threads)."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.used = 0
        self.list_calls = 0

    def _roll(self, now: float, window: float) -> None:
        if self.start is None or now >= self.start + window:
            self.start = now
            self.used = 0
            self.list_calls = 0

    def peek(self, limit: int | None, window: float, now: float) -> tuple[int, int]:
        self._roll(now, window)
        total = limit if limit is not None else UNLIMITED_TOTAL
        return total, max(0, total - self.used)

    def charge(
        self, cost: int, is_list: bool, limit: int | None, list_limit: int | None, window: float, now: float
    ) -> tuple[bool, int, int, int]:
        """(allowed, total, remaining, retry_after seconds)."""
        self._roll(now, window)
        total = limit if limit is not None else UNLIMITED_TOTAL
        over = limit is not None and self.used + cost > limit
        over_list = is_list and list_limit is not None and self.list_calls + 1 > list_limit
        if over or over_list:
            assert self.start is not None
            retry = max(1, math.ceil(self.start + window - now))
            return False, total, max(0, total - self.used), retry
        self.used += cost
        if is_list:
            self.list_calls += 1
        return True, total, max(0, total - self.used), 0


def route(path: str) -> tuple[str, tuple[int, ...]]:
    """(endpoint kind, numeric path arguments); kind "unknown" for anything else."""
    path = path.rstrip("/") or "/"
    for pattern, kind in _ROUTES:
        m = pattern.fullmatch(path)
        if m:
            return kind, tuple(int(g) for g in m.groups())
    return "unknown", ()


class FreshdeskSimulator:
    """A Freshdesk account served over real HTTP (see the package docstring)."""

    def __init__(self, config: SimulatorConfig | None = None, account: FreshdeskAccount | None = None) -> None:
        self.config = config if config is not None else SimulatorConfig()
        self.account = account if account is not None else FreshdeskAccount(self.config)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._rate = _RateWindow()
        self._rng = random.Random(self.config.seed * 7919 + 1)
        # The usual `key:X` header, precomputed; other passwords go through _key_matches.
        self._auth_ok = "Basic " + base64.b64encode(f"{self.config.api_key}:X".encode()).decode()
        self.reset_stats()

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> FreshdeskSimulator:
        if self._server is not None:
            return self
        server = _Server((self.config.host, self.config.port), _Handler)
        server.simulator = self
        if self.config.tls:
            from freshdesk_provider.simulator.tls import self_signed_context

            server.socket = self_signed_context().wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="freshdesk-simulator", daemon=True
        )
        self._thread.start()
        log.info("Freshdesk simulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FreshdeskSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL without /api/v2, e.g. http://127.0.0.1:8099."""
        host = self.config.host
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.config.tls else "http"
        return f"{scheme}://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        return self.config.api_key

    def configure(self, **knobs: Any) -> dict[str, Any]:
        """Change HTTP behaviour at run time (rate_limit, window_seconds, list_rate_limit,
        fault_rate, fault_kinds, latency_ms, page_cap, retry_after_missing_rate, not_found_body)."""
        unknown = set(knobs) - RUNTIME_KNOBS
        if unknown:
            raise ValueError(f"not changeable at run time: {sorted(unknown)}; allowed: {sorted(RUNTIME_KNOBS)}")
        checked = dataclasses.replace(self.config, **knobs)  # runs the config's validation
        with self._lock:
            for name in knobs:
                setattr(self.config, name, getattr(checked, name))
            if "rate_limit" in knobs or "window_seconds" in knobs:
                self._rate = _RateWindow()
        return {name: getattr(self.config, name) for name in sorted(RUNTIME_KNOBS)}

    # ----------------------------------------------------------------- stats
    def reset_stats(self) -> None:
        with self._lock:
            self._started = time.monotonic()
            self._requests = 0
            self._by_kind: Counter[str] = Counter()
            self._by_status: Counter[int] = Counter()
            self._by_kind_status: dict[str, Counter[int]] = {}
            self._credits = 0
            self._throttled = 0
            self._faults: Counter[str] = Counter()
            self._items: Counter[str] = Counter()
            self._in_flight = getattr(self, "_in_flight", 0)
            self._max_in_flight = self._in_flight

    def stats(self) -> dict[str, Any]:
        """Snapshot: requests per endpoint kind and per HTTP status, credits, 429s, faults, items."""
        with self._lock:
            total, remaining = self._rate.peek(self.config.rate_limit, self.config.window_seconds, time.monotonic())
            return {
                "requests": self._requests,
                "requests_by_kind": dict(self._by_kind),
                "requests_by_status": dict(self._by_status),
                "requests_by_kind_status": {k: dict(v) for k, v in self._by_kind_status.items()},
                "credits_used": self._credits,
                "throttled_429": self._throttled,
                "faults_injected": sum(self._faults.values()),
                "faults_by_kind": dict(self._faults),
                "items_served": dict(self._items),
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "elapsed_seconds": round(time.monotonic() - self._started, 3),
                "rate_limit_total": total,
                "rate_limit_remaining": remaining,
            }

    def _record(self, kind: str, status: int | None, items: int = 0) -> None:
        with self._lock:
            self._requests += 1
            self._by_kind[kind] += 1
            key = status if status is not None else 0  # 0: connection dropped, no status at all
            self._by_status[key] += 1
            self._by_kind_status.setdefault(kind, Counter())[key] += 1
            if items:
                self._items[kind] += items

    # ----------------------------------------------------------------- the API
    def handle_api(self, method: str, target: str, authorization: str | None, host: str | None) -> Response | None:
        """Answer one /api/v2 request; None means: drop the connection without an answer."""
        split = urlsplit(target)
        kind, args = route(split.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        cfg = self.config
        if cfg.latency_ms > 0:
            time.sleep(cfg.latency_ms / 1000.0)
        include_count = len([v for v in dict(pairs).get("include", "").split(",") if v.strip()])
        if kind == "tickets_list":
            cost = 1 + 2 * include_count
        elif kind in ("ticket", "archived_ticket"):
            cost = 1 + include_count
        else:
            cost = 1
        with self._lock:
            now = time.monotonic()
            if authorization != self._auth_ok and not self._key_matches(authorization):
                total, remaining = self._rate.peek(cfg.rate_limit, cfg.window_seconds, now)
                headers = self._rl_headers(total, remaining, 0)
                payload = {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                }
                resp = Response.json(401, payload, **headers)
                fault = None
            else:
                allowed, total, remaining, retry = self._rate.charge(
                    cost, kind == "tickets_list", cfg.rate_limit, cfg.list_rate_limit, cfg.window_seconds, now
                )
                if not allowed:
                    self._throttled += 1
                    headers = self._rl_headers(total, remaining, 0)
                    if self._rng.random() >= cfg.retry_after_missing_rate:
                        headers["Retry-After"] = str(retry)
                    payload = {
                        "code": "too_many_requests",
                        "message": "The API rate limit allotted for your Freshdesk domain has been exhausted.",
                    }
                    resp = Response.json(429, payload, **headers)
                    fault = None
                else:
                    self._credits += cost
                    headers = self._rl_headers(total, remaining, cost)
                    resp = None
                    fault = None
                    if cfg.fault_rate > 0 and self._rng.random() < cfg.fault_rate:
                        fault = self._rng.choice(cfg.fault_kinds)
                        self._faults[fault] += 1
        if resp is not None:
            self._record(kind, resp.status)
            return resp
        if fault is not None:
            resp = self._fault(fault, headers)
            self._record(kind, None if resp is None else resp.status)
            return resp
        if method != "GET" and kind != "unknown":
            resp = Response.json(
                405, {"code": "method_not_allowed", "message": f"{method} method is not allowed here"}, **headers
            )
            self._record(kind, resp.status)
            return resp
        try:
            resp, items = self._dispatch(kind, args, pairs, split.path, host)
        except _ValidationError as exc:
            resp, items = Response.json(400, {"description": "Validation failed", "errors": exc.errors}), 0
        resp.headers.update(headers)
        self._record(kind, resp.status, items)
        return resp

    def _key_matches(self, authorization: str | None) -> bool:
        # Any password is accepted with the right key, as Freshdesk does.
        if not authorization or not authorization.startswith("Basic "):
            return False
        try:
            user, _, _ = base64.b64decode(authorization[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.config.api_key

    @staticmethod
    def _rl_headers(total: int, remaining: int, used: int) -> dict[str, str]:
        return {
            "X-RateLimit-Total": str(total),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Used-CurrentRequest": str(used),
        }

    @staticmethod
    def _fault(fault: str, headers: dict[str, str]) -> Response | None:
        if fault == "drop":
            return None
        if fault == "500":
            payload = {"code": "internal_error", "message": "We're sorry, but something went wrong."}
            return Response.json(500, payload, **headers)
        if fault == "503":
            payload = {"code": "service_unavailable", "message": "The service is temporarily unavailable."}
            return Response.json(503, payload, **headers)
        # Edge proxies answer these with their own HTML page and none of Freshdesk's headers.
        body = _HTML_502 if fault == "502" else _HTML_504
        return Response(int(fault), body, {}, "text/html")

    def _not_found(self) -> Response:
        if self.config.not_found_body == "empty":
            return Response(404, b"", {})
        return Response.json(404, {"code": "not_found", "message": "The requested resource was not found."})

    def _page(
        self,
        payload: list[dict[str, Any]],
        more: bool,
        page: int,
        pairs: list[tuple[str, str]],
        path: str,
        host: str | None,
    ) -> Response:
        resp = Response.json(200, payload)
        if more:
            query = [(k, v) for k, v in pairs if k != "page"] + [("page", str(page + 1))]
            base = f"http://{host}" if host else self.url
            resp.headers["Link"] = f'<{base}{path}?{urlencode(query)}>; rel="next"'
        return resp

    def _dispatch(
        self, kind: str, args: tuple[int, ...], pairs: list[tuple[str, str]], path: str, host: str | None
    ) -> tuple[Response, int]:
        account = self.account
        if kind == "tickets_list":
            return self._tickets_list(pairs, path, host)
        if kind in ("ticket", "archived_ticket"):
            p = _Params(pairs, ("include",))
            includes = p.includes(TICKET_VIEW_INCLUDES)
            p.check()
            ticket = account.get_ticket(
                args[0],
                archived=kind == "archived_ticket",
                include={"stats": "stats" in includes, "requester": "requester" in includes},
                conversations="conversations" in includes,
            )
            if ticket is None:
                return self._not_found(), 0
            if "company" in includes:
                ticket["company"] = (
                    {"id": ticket["company_id"], "name": f"Company {ticket['company_id']}"}
                    if ticket["company_id"]
                    else {}
                )
            return Response.json(200, ticket), 1
        if kind in ("conversations", "archived_conversations"):
            p = _Params(pairs, ("page", "per_page"))
            per_page = p.positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE) or DEFAULT_PER_PAGE
            page = p.positive_int("page", 1) or 1
            p.check()
            status, items, more = account.list_conversations(
                args[0], archived=kind == "archived_conversations", offset=(page - 1) * per_page, limit=per_page
            )
            if status == 404:
                return self._not_found(), 0
            if status == 403:
                payload = {"code": "access_denied", "message": "You are not authorized to perform this action."}
                return Response.json(403, payload), 0
            return self._page(items, more, page, pairs, path, host), len(items)
        if kind == "groups":
            p = _Params(pairs, ("page", "per_page"))
            per_page = p.positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE) or DEFAULT_PER_PAGE
            page = p.positive_int("page", 1) or 1
            p.check()
            items, more = account.list_groups(offset=(page - 1) * per_page, limit=per_page)
            return self._page(items, more, page, pairs, path, host), len(items)
        if kind == "group":
            group = account.groups.get(args[0])
            return (Response.json(200, group), 1) if group else (self._not_found(), 0)
        if kind == "agents_me":
            return Response.json(200, account.agent_me()), 1
        if kind in ("time_entries", "ticket_time_entries") and not self.config.time_tracking:
            payload = {"code": "access_denied", "message": "You are not authorized to perform this action."}
            return Response.json(403, payload), 0
        if kind == "time_entries":
            allowed = ("page", "per_page", "executed_after", "executed_before", "agent_id", "company_id", "billable")
            p = _Params(pairs, allowed)
            per_page = p.positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE) or DEFAULT_PER_PAGE
            page = p.positive_int("page", 1) or 1
            after = p.timestamp("executed_after")
            before = p.timestamp("executed_before")
            agent = p.positive_int("agent_id", None)
            billable_raw = p.choice("billable", ("true", "false"), None)
            p.check()
            items, more = account.list_time_entries(
                executed_after=after,
                executed_before=before,
                agent_id=agent,
                billable=None if billable_raw is None else billable_raw == "true",
                offset=(page - 1) * per_page,
                limit=per_page,
            )
            return self._page(items, more, page, pairs, path, host), len(items)
        if kind == "ticket_time_entries":
            _Params(pairs, ()).check()
            entries = account.ticket_time_entries(args[0])
            return (Response.json(200, entries), len(entries)) if entries is not None else (self._not_found(), 0)
        return Response.json(404, {"code": "not_found", "message": "The requested URL was not found."}), 0

    def _tickets_list(self, pairs: list[tuple[str, str]], path: str, host: str | None) -> tuple[Response, int]:
        allowed = (
            "updated_since",
            "order_by",
            "order_type",
            "per_page",
            "page",
            "include",
            "filter",
            "requester_id",
            "email",
            "company_id",
        )
        p = _Params(pairs, allowed)
        per_page = p.positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE) or DEFAULT_PER_PAGE
        page = p.positive_int("page", 1) or 1
        cap = self.config.page_cap
        if page > cap:
            p.error("page", f"You cannot access a page number greater than {cap}", "invalid_value")
        order_by = p.choice("order_by", ORDER_BY, "created_at") or "created_at"
        order_type = p.choice("order_type", ("asc", "desc"), "desc") or "desc"
        if self.config.ignore_ticket_order:
            order_by, order_type = "created_at", "desc"
        includes = p.includes(() if self.config.refuse_ticket_list_includes else TICKET_LIST_INCLUDES)
        flt = p.choice("filter", TICKET_FILTERS, None)
        since = p.timestamp("updated_since")
        requester_id = p.positive_int("requester_id", None)
        company_id = p.positive_int("company_id", None)
        email = p.values.get("email")
        p.check()

        account = self.account
        me = account.me
        view = flt if flt in ("deleted", "spam") else "normal"
        tests = []
        if flt == "new_and_my_open":
            tests.append(lambda t: t.status == 2 and t.responder_id in (None, me))
        elif flt == "watching":
            tests.append(lambda t: False)
        if requester_id is not None:
            tests.append(lambda t: t.requester_id == requester_id)
        if company_id is not None:
            tests.append(lambda t: t.company_id == company_id)
        if email is not None:
            wanted = email.strip().lower()
            tests.append(lambda t: contact_info(t.requester_id)[1] == wanted)

        def predicate(t: Ticket) -> bool:
            return all(test(t) for test in tests)

        items, more = account.query_tickets(
            view=view,
            order_by=order_by,
            descending=order_type == "desc",
            updated_since=since,
            created_since=account.clock() - THIRTY_DAYS,
            offset=(page - 1) * per_page,
            limit=per_page,
            include={k: k in includes for k in TICKET_LIST_INCLUDES},
            predicate=predicate if tests else None,
            predicate_key=(flt, requester_id, company_id, email),
        )
        return self._page(items, more, page, pairs, path, host), len(items)

    # ----------------------------------------------------------------- admin
    def handle_admin(self, method: str, target: str, body: bytes) -> Response:
        split = urlsplit(target)
        path = split.path.rstrip("/")
        query = dict(parse_qsl(split.query))
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return Response.json(400, {"error": "the body is not JSON"})
        try:
            if path == "/_simulator/health" and method == "GET":
                return Response.json(200, {"ok": True, "url": self.url, "api_key_set": bool(self.api_key)})
            if path == "/_simulator/stats" and method == "GET":
                return Response.json(200, self.stats())
            if path == "/_simulator/reset_stats" and method == "POST":
                self.reset_stats()
                return Response.json(200, {"ok": True})
            if path == "/_simulator/summary" and method == "GET":
                return Response.json(200, self.account.summary())
            if path == "/_simulator/configure" and method in ("POST", "GET"):
                return Response.json(200, self.configure(**data) if method == "POST" else self.configure())
            if path == "/_simulator/mutate" and method == "POST":
                if isinstance(data, dict) and "ops" in data:
                    return Response.json(200, {"results": [self.mutate(op) for op in data["ops"]]})
                return Response.json(200, {"result": self.mutate(data)})
            if path == "/_simulator/account" and method == "GET":
                with_convs = query.get("conversations", "1").lower() not in ("0", "false", "no")
                return Response(200, chunks=self._stream_account(with_convs))
        except KeyError as exc:
            return Response.json(404, {"error": str(exc.args[0]) if exc.args else "not found"})
        except (ValueError, TypeError) as exc:
            return Response.json(400, {"error": str(exc)})
        return Response.json(404, {"error": f"no admin endpoint {method} {path}"})

    _MUTATIONS = frozenset(
        {
            "add_ticket",
            "update_ticket",
            "add_conversation",
            "remove_conversation",
            "move_to_group",
            "delete_ticket",
            "restore_ticket",
            "mark_spam",
            "unmark_spam",
            "archive_ticket",
            "add_time_entry",
            "add_group",
            "rename_group",
            "remove_group",
            "random_mutations",
        }
    )

    def mutate(self, spec: dict[str, Any]) -> Any:
        """Run one mutation described as JSON: {"op": "delete_ticket", "ticket_id": 5},
        {"op": "random", "n": 100, "seed": 1}, {"op": "update_ticket", "ticket_id": 5, "status": 4}."""
        if not isinstance(spec, dict) or "op" not in spec:
            raise ValueError('a mutation needs an "op"')
        kwargs = dict(spec)
        op = kwargs.pop("op")
        if op == "random":
            op = "random_mutations"
        if op not in self._MUTATIONS:
            raise ValueError(f"unknown op {op!r}; one of {sorted(self._MUTATIONS | {'random'})}")
        return getattr(self.account, op)(**kwargs)

    def _stream_account(self, with_conversations: bool) -> Iterator[bytes]:
        """The ground truth as one JSON document, produced in slices so that a 300k-ticket
        account never sits in memory as one string. Take it while no mutation runs."""
        account = self.account
        snap_head = {
            "now": account.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "generated_at": iso(account.generated_at),
            "me": account.me,
            "groups": list(account.groups.values()),
            "vanished_group_ids": account.vanished_group_ids,
            "time_entries": account.time_entries,
        }
        yield _json(snap_head)[:-1] + b',"tickets":['
        ids = list(account.tickets)
        tickets = account.tickets
        for start in range(0, len(ids), 1000):
            chunk = [tickets[i] for i in ids[start : start + 1000]]
            yield (b"," if start else b"") + _json(chunk)[1:-1]
        yield b"]"
        if with_conversations:
            yield b',"conversations":{'
            convs = account.conversations
            for start in range(0, len(ids), 1000):
                part = {str(i): convs[i] for i in ids[start : start + 1000]}
                yield (b"," if start else b"") + _json(part)[1:-1]
            yield b"}"
        yield b"}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512
    simulator: FreshdeskSimulator

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Kick idle keep-alive clients so that stop() really stops serving."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    server_version = "FreshdeskSimulator/1.0"
    sys_version = ""
    timeout = 300  # idle keep-alive connections give their thread back eventually
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        sim = self.server.simulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path = urlsplit(self.path).path
        if path.startswith("/_simulator"):
            self._send(sim.handle_admin(method, self.path, body))
            return
        if path == "/api/v2" or path.startswith("/api/v2/"):
            with sim._lock:
                sim._in_flight += 1
                sim._max_in_flight = max(sim._max_in_flight, sim._in_flight)
            try:
                resp = sim.handle_api(method, self.path, self.headers.get("Authorization"), self.headers.get("Host"))
            finally:
                with sim._lock:
                    sim._in_flight -= 1
            if resp is None:
                self.close_connection = True
                return
            self._send(resp)
            return
        self._send(Response.json(404, {"code": "not_found", "message": "The requested URL was not found."}))

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.chunks is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in resp.chunks:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)
