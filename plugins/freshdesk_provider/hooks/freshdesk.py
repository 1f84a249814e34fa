"""FreshdeskHook: read Freshdesk API v2 through HttpHook's session, paced and retried.

Design notes (why, not what):

* One ``requests.Session`` per hook, built once by HttpHook's ``get_conn()`` and shared by every
  thread of :meth:`FreshdeskHook.fetch_conversations`: keep-alive connections are what makes
  tens of thousands of small conversation reads affordable. ``HttpHook.run()`` would build a
  new session per call, so the hook sends through the session itself.
* Every attempt goes through the process-wide :class:`~freshdesk_provider.hooks.rate_limit.RateLimiter`
  of the account, so parallel readers share one budget instead of racing into 429s.
* Errors become the typed exceptions of :mod:`freshdesk_provider.exceptions`; their messages
  name the domain and the endpoint, never the API key.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from airflow.providers.http.hooks.http import HttpHook
from requests.auth import HTTPBasicAuth
from requests_toolbelt.adapters.socket_options import TCPKeepAliveAdapter

from freshdesk_provider.exceptions import (
    FreshdeskAccessDenied,
    FreshdeskAuthError,
    FreshdeskConfigError,
    FreshdeskConnectionError,
    FreshdeskError,
    FreshdeskMalformedResponse,
    FreshdeskNotFound,
    FreshdeskPaginationError,
    FreshdeskRateLimitError,
    FreshdeskServerError,
    FreshdeskTicketDeleted,
    FreshdeskValidationError,
)
from freshdesk_provider.hooks.rate_limit import RateLimiter

if TYPE_CHECKING:
    from airflow.sdk import Connection

log = logging.getLogger(__name__)

API_PATH = "/api/v2"
PER_PAGE = 100
DEFAULT_PAGE_CAP = 300
#: how many times one second shared by more than a page of tickets is read again while each
#: reading still finds tickets the previous one missed (see FreshdeskHook.iter_tickets)
MAX_SECOND_REREADS = 3
#: retries when DNS says the domain does not exist (a typo in the connection, usually)
UNKNOWN_NAME_RETRIES = 1
DEFAULT_MAX_CONCURRENCY = 8
DEFAULT_WINDOW_SECONDS = 60.0
TICKET_FILTERS = (None, "deleted", "spam")

# Connection extras that configure this hook. HttpHook sends every extra it does not know as an
# HTTP header (an int value even fails the request), so these are removed before it sees them.
HOOK_EXTRA_KEYS = ("rate_limit_per_minute", "max_concurrency", "rate_limit_window_seconds")

_NETWORK_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    # A connection dropped in the middle of a body: the request is safe to repeat (GET).
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


# --------------------------------------------------------------------------------- base URL
def is_loopback_host(hostname: str) -> bool:
    """Whether ``hostname`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    name = hostname.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def build_base_url(host: str | None, port: int | None = None, *, conn_id: str = "freshdesk_default") -> str:
    """The API base URL (``.../api/v2``) for a connection's ``host`` (and optional ``port``).

    ``acme.freshdesk.com`` means ``https://acme.freshdesk.com/api/v2``. A full URL is accepted,
    with or without a trailing ``/`` or ``/api/v2``; plain ``http`` only for loopback hosts
    (the simulator), because the API key travels in every request.
    """
    raw = (host or "").strip()
    if not raw:
        raise FreshdeskConfigError(
            f"Connection '{conn_id}' has no host: set it to your Freshdesk domain, e.g. acme.freshdesk.com."
        )
    if "://" not in raw:
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if "@" in parts.netloc:
        # Do not echo the value: user info in a URL is usually a credential.
        raise FreshdeskConfigError(
            f"Connection '{conn_id}': the host must not contain credentials; put the API key in the "
            "password field."
        )
    if scheme not in ("http", "https"):
        raise FreshdeskConfigError(
            f"Connection '{conn_id}': unsupported scheme '{scheme}' in host; use a domain such as "
            "acme.freshdesk.com or an https:// URL."
        )
    hostname = parts.hostname
    try:
        url_port = parts.port
    except ValueError:
        raise FreshdeskConfigError(f"Connection '{conn_id}': invalid port in host '{host}'.") from None
    if not hostname:
        raise FreshdeskConfigError(f"Connection '{conn_id}': cannot read a domain from host '{host}'.")
    path = parts.path.rstrip("/")
    if path.lower().endswith(API_PATH):
        path = path[: -len(API_PATH)]
    if path or parts.query or parts.fragment:
        raise FreshdeskConfigError(
            f"Connection '{conn_id}': host '{host}' has a path; give only the domain "
            "(e.g. acme.freshdesk.com) or the base URL (https://acme.freshdesk.com)."
        )
    if scheme == "http" and not is_loopback_host(hostname):
        raise FreshdeskConfigError(
            f"Connection '{conn_id}': plain http is refused for {hostname}. Freshdesk's API is HTTPS "
            f"only and the API key would travel in clear text; use https://{hostname} or just the "
            "domain (http is allowed only for loopback hosts such as 127.0.0.1)."
        )
    effective_port = url_port or port
    netloc = f"[{hostname}]" if ":" in hostname else hostname
    if effective_port:
        netloc = f"{netloc}:{effective_port}"
    return f"{scheme}://{netloc}{API_PATH}"


# --------------------------------------------------------------------------------- helpers
def format_timestamp(value: datetime) -> str:
    """Freshdesk's UTC timestamp format; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    """Parse Freshdesk's ``YYYY-MM-DDTHH:MM:SSZ`` (Python 3.10's fromisoformat lacks ``Z``)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = f"{text[:-1]}+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception inside it (requests wraps urllib3, which wraps socket errors)."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    chain: list[BaseException] = []
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        chain.append(current)
        stack.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        stack.extend(current.args)
    return chain


def _is_unknown_name(exc: BaseException) -> bool:
    """True when DNS answered that the name does not exist (not a resolver's passing failure)."""
    return any(
        isinstance(e, socket.gaierror) and e.errno == socket.EAI_NONAME for e in _exception_chain(exc)
    )


def _describe_network_error(exc: BaseException) -> str:
    """A one-line reason for a requests network error, without its long repr."""
    names = [type(e).__name__ for e in _exception_chain(exc)]
    text = " ".join(names) + " " + str(exc)
    if "NameResolutionError" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "the domain name does not resolve (check the domain spelling)"
    if "ConnectionRefused" in text or "Connection refused" in text:
        return "the connection was refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connecting timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within the read timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "the connection broke while reading the answer"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "reset by peer" in text:
        return "the server closed the connection"
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            "its TLS certificate could not be verified (for a private CA, point the connection "
            'extra "verify" at the CA bundle)'
        )
    if "SSLError" in text or "SSL" in text:
        return "the TLS/SSL handshake failed"
    return type(exc).__name__


def _is_connect_failure(exc: BaseException) -> bool:
    """True when no connection could be made at all (DNS, refused, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = _describe_network_error(exc)
    return reason.startswith(("the domain name", "the connection was refused", "its TLS", "the TLS"))


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port made explicit, for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme)


_TAG_RE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_WS_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------------- stats
_STAT_FIELDS = (
    "requests",
    "credits",
    "throttled_429",
    "retries",
    "pages",
    "throttle_wait_seconds",
    "rate_limit_remaining",
    "rate_limit_total",
)


def _in_updated_order(tickets: list[Any], after: datetime | None) -> bool:
    """True when a page of tickets is sorted by ``updated_at`` and starts no earlier than ``after``
    (the latest ``updated_at`` already read): what ``order_by=updated_at&order_type=asc`` promises."""
    previous = after
    for ticket in tickets:
        if not isinstance(ticket, dict) or not ticket.get("updated_at"):
            return True  # malformed: reported by the caller with its own message
        updated = parse_timestamp(str(ticket["updated_at"]))
        if previous is not None and updated < previous:
            return False
        previous = updated
    return True


def _spans_two_seconds(tickets: list[Any]) -> bool:
    """True when a page holds at least two distinct ``updated_at`` values."""
    seen = {parse_timestamp(str(t["updated_at"])) for t in tickets if isinstance(t, dict) and t.get("updated_at")}
    return len(seen) >= 2


@dataclass
class FreshdeskStats(Mapping[str, Any]):
    """Counters of one hook's traffic, shared by its threads.

    ``credits`` adds up ``X-RateLimit-Used-CurrentRequest`` (the estimate when absent);
    ``retries`` counts repeated attempts after 5xx, timeouts, network errors and unreadable
    bodies, not 429 waits. Readable as attributes or as a read-only mapping (``stats["pages"]``,
    ``stats.get("requests")``, ``dict(stats)``).
    """

    requests: int = 0
    credits: int = 0
    throttled_429: int = 0
    retries: int = 0
    pages: int = 0
    throttle_wait_seconds: float = 0.0
    rate_limit_remaining: int | None = None
    rate_limit_total: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {name: getattr(self, name) for name in _STAT_FIELDS}

    def __getitem__(self, name: str) -> Any:
        if name not in _STAT_FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_STAT_FIELDS)

    def __len__(self) -> int:
        return len(_STAT_FIELDS)


@dataclass
class _TicketProgress:
    label: str
    tickets: int = 0
    pages: int = 0
    restarts: int = 0
    cap_restarts: int = 0


@dataclass(frozen=True)
class HookSettings:
    """What the connection's extra configures (validated)."""

    rate_limit_per_minute: int | None
    max_concurrency: int
    rate_limit_window_seconds: float


def read_hook_settings(extra: dict[str, Any], *, conn_id: str) -> HookSettings:
    """Validate our keys of a connection's extra (values from the UI form may be strings)."""

    def number(key: str, cast: type, default: Any) -> Any:
        value = extra.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        try:
            parsed = cast(value)
        except (TypeError, ValueError):
            raise FreshdeskConfigError(
                f"Connection '{conn_id}': extra field {key} must be a positive number, got {value!r}."
            ) from None
        if parsed <= 0:
            raise FreshdeskConfigError(
                f"Connection '{conn_id}': extra field {key} must be a positive number, got {value!r}."
            )
        return parsed

    return HookSettings(
        rate_limit_per_minute=number("rate_limit_per_minute", int, None),
        max_concurrency=number("max_concurrency", int, DEFAULT_MAX_CONCURRENCY),
        rate_limit_window_seconds=number("rate_limit_window_seconds", float, DEFAULT_WINDOW_SECONDS),
    )


# --------------------------------------------------------------------------------- hook
class FreshdeskHook(HttpHook):
    """Read-only access to the Freshdesk API v2 of one account.

    :param freshdesk_conn_id: Airflow connection of type ``freshdesk``: ``host`` is the domain
        (``acme.freshdesk.com``) or a base URL, ``password`` the API key; extra may hold
        ``rate_limit_per_minute``, ``max_concurrency`` and ``rate_limit_window_seconds``.
    :param timeout: requests timeout (connect, read) for every request, in seconds.
    :param max_retries: retries after a 5xx, a timeout, a network error or an unreadable body
        before giving up (429s are waited out separately, see ``max_throttle_wait``).
    :param page_cap: Freshdesk's page limit of list endpoints (300); lower it only in tests.
    :param backoff_base: first retry delay in seconds; doubles each retry, with jitter.
    :param backoff_max: the longest single retry delay.
    :param retry_after_default: seconds to wait after a 429 without ``Retry-After``
        (default: one rate-limit window, after which any window has reset).
    :param max_throttle_wait: the most one request may spend waiting out 429s before
        :class:`FreshdeskRateLimitError` ends it (a permanently throttled account).
    :param progress_every_pages: log progress of long reads every this many pages.
    :param keyset_pagination: restart ticket walks from the last ``updated_at`` after every
        page rather than only at the page cap (see :meth:`iter_tickets`); ``False`` follows the
        ``Link`` header up to the cap.
    """

    conn_name_attr = "freshdesk_conn_id"
    default_conn_name = "freshdesk_default"
    conn_type = "freshdesk"
    hook_name = "Freshdesk"

    def __init__(
        self,
        freshdesk_conn_id: str = default_conn_name,
        *,
        timeout: float | tuple[float, float] = (10, 60),
        max_retries: int = 6,
        page_cap: int = DEFAULT_PAGE_CAP,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_default: float | None = None,
        max_throttle_wait: float = 900.0,
        progress_every_pages: int = 50,
        keyset_pagination: bool = True,
    ) -> None:
        super().__init__(method="GET", http_conn_id=freshdesk_conn_id)
        if page_cap < 1:
            raise ValueError("page_cap must be at least 1")
        self.freshdesk_conn_id = freshdesk_conn_id
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.page_cap = int(page_cap)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_default = retry_after_default
        self.max_throttle_wait = max_throttle_wait
        self.progress_every_pages = max(1, int(progress_every_pages))
        self.keyset_pagination = keyset_pagination
        #: ticket-list includes this server refused (400 on `include`): not asked for again
        self._refused_includes: set[str] = set()
        self.stats = FreshdeskStats()
        self.settings: HookSettings | None = None
        self.domain = ""
        self._api_key: str | None = None
        self._session: requests.Session | None = None
        self._limiter: RateLimiter | None = None
        self._session_lock = threading.Lock()

    # ----------------------------------------------------------------------------- session
    def _set_base_url(self, connection: Connection) -> None:
        # Replaces HttpHook's: the domain alone means https, and the API lives under /api/v2.
        self.base_url = build_base_url(connection.host, connection.port, conn_id=self.freshdesk_conn_id)
        self.domain = urlsplit(self.base_url).netloc
        self._base_url_initialized = True

    def _extract_auth(self, connection: Connection) -> Any:
        # Freshdesk wants basic auth "api_key:X"; HttpHook would only set auth from `login`.
        api_key = (connection.password or connection.login or "").strip()
        if not api_key:
            raise FreshdeskConfigError(
                f"Connection '{self.freshdesk_conn_id}' has no API key: put it in the password field."
            )
        _mask(api_key)
        self._api_key = api_key
        return HTTPBasicAuth(api_key, "X")

    def _configure_session_from_extra(
        self, session: requests.Session, connection: Any, extra_options: dict[str, Any]
    ) -> requests.Session:
        # Hand HttpHook a view of the connection without our keys, or they become headers.
        extra = {k: v for k, v in connection.extra_dejson.items() if k not in HOOK_EXTRA_KEYS}
        for key in ("verify", "verify_ssl"):
            # A URI's query (?verify=false) gives strings; requests would read "false" as a CA path.
            if isinstance(extra.get(key), str) and extra[key].strip().lower() in _BOOLEAN_WORDS:
                extra[key] = _BOOLEAN_WORDS[extra[key].strip().lower()]
        view = SimpleNamespace(extra_dejson=extra, extra=json.dumps(extra), host=connection.host)
        return super()._configure_session_from_extra(session, view, extra_options)

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> requests.Session:
        """The hook's one shared session; with ``headers``/``extra_options`` a new one, as HttpHook."""
        if headers or extra_options:
            return super().get_conn(headers, extra_options)
        return self._ensure_session()

    def _ensure_session(self) -> requests.Session:
        if self._session is not None:
            return self._session
        with self._session_lock:
            if self._session is None:
                connection = self.get_connection(self.freshdesk_conn_id)
                settings = read_hook_settings(connection.extra_dejson, conn_id=self.freshdesk_conn_id)
                # Enough pooled connections for every worker thread, so none opens a throwaway one.
                pool = max(10, settings.max_concurrency + 2)
                self.keep_alive_adapter = TCPKeepAliveAdapter(
                    idle=120, count=20, interval=30, pool_connections=4, pool_maxsize=pool
                )
                self.adapter = None
                session = super().get_conn()
                session.headers["Accept"] = "application/json"
                self._limiter = RateLimiter.for_account(
                    self.base_url,
                    budget=settings.rate_limit_per_minute,
                    window_seconds=settings.rate_limit_window_seconds,
                )
                self.settings = settings
                self._session = session
        return self._session

    @property
    def limiter(self) -> RateLimiter:
        """The process-wide rate limiter of this hook's account."""
        self._ensure_session()
        assert self._limiter is not None
        return self._limiter

    @property
    def max_concurrency(self) -> int:
        self._ensure_session()
        assert self.settings is not None
        return self.settings.max_concurrency

    def close(self) -> None:
        """Close the pooled connections (the hook builds a new session if used again)."""
        with self._session_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    # ----------------------------------------------------------------------------- request
    def _scrub(self, text: str) -> str:
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, "***")
        return text

    def _excerpt(self, response: requests.Response, limit: int = 300) -> str:
        """A short, single-line description of an error body (JSON or an HTML error page)."""
        try:
            body = response.content[:20000].decode(response.encoding or "utf-8", errors="replace")
        except Exception:
            return ""
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            bits = [str(data[k]) for k in ("code", "description", "message") if data.get(k)]
            if isinstance(data.get("errors"), list):
                bits.append(json.dumps(data["errors"])[:limit])
            text = "; ".join(bits) or json.dumps(data)
        else:
            text = _WS_RE.sub(" ", _TAG_RE.sub(" ", body)).strip()
        text = self._scrub(text)
        return text if len(text) <= limit else f"{text[:limit]}…"

    def _backoff(self, attempt: int) -> float:
        # Exponential with "equal jitter": never zero, and parallel retries spread out.
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            # Next-page links must stay on the account: session auth would follow them anywhere.
            target = urlsplit(path_or_url)
            if _origin(target.geturl()) != _origin(self.base_url):
                raise FreshdeskMalformedResponse(
                    f"Freshdesk {self.domain} returned a pagination link to another origin "
                    f"({target.scheme}://{target.netloc}); refusing to send the API key there."
                )
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def _request(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        cost: int = 1,
        expect: type = dict,
        max_retries: int | None = None,
    ) -> tuple[Any, requests.Response]:
        """GET ``path`` (relative to /api/v2, or a next-page URL); returns (JSON body, response).

        Paced by the account's rate limiter; waits out 429s; retries 5xx, timeouts, network
        errors and unreadable bodies with backoff; maps other errors to typed exceptions.
        """
        session = self._ensure_session()
        limiter = self.limiter
        url = self._url(path)
        endpoint = urlsplit(url).path.removeprefix(API_PATH) or "/"
        retries_allowed = self.max_retries if max_retries is None else max_retries
        failures = 0
        throttle_waited = 0.0
        while True:
            limiter.acquire(cost)
            try:
                # verify passed explicitly, as HttpHook does: requests would otherwise let a
                # REQUESTS_CA_BUNDLE variable override the connection's "verify": false.
                response = session.get(url, params=params, timeout=self.timeout, verify=session.verify)
                body = response.content  # read now so a broken body is a retryable network error
            except _NETWORK_ERRORS as exc:
                limiter.observe(cost, answered=False)
                self.stats.add(requests=1)
                failures += 1
                reason = _describe_network_error(exc)
                # An untrusted certificate will not become trusted by retrying, and a name DNS
                # says does not exist gets one more try (a resolver's blip), not minutes of them.
                if (
                    failures > retries_allowed
                    or reason.startswith("its TLS certificate")
                    or (failures > UNKNOWN_NAME_RETRIES and _is_unknown_name(exc))
                ):
                    if _is_connect_failure(exc):
                        raise FreshdeskConnectionError(
                            f"Could not reach Freshdesk at {self.domain}: {reason} "
                            f"(GET {endpoint}, {_attempts(failures)}).",
                            path=endpoint,
                        ) from None
                    raise FreshdeskServerError(
                        f"Freshdesk {self.domain} did not answer GET {endpoint}: {reason} "
                        f"({_attempts(failures)}).",
                        path=endpoint,
                    ) from None
                self._retry_pause(failures, retries_allowed, endpoint, reason)
                continue

            headers = response.headers
            used = _int_header(headers, "X-RateLimit-Used-CurrentRequest")
            total = _int_header(headers, "X-RateLimit-Total")
            remaining = _int_header(headers, "X-RateLimit-Remaining")
            status = response.status_code
            # Only Freshdesk's own answers carry the headers; an edge proxy's 502 page does not.
            limiter.observe(cost, answered=200 <= status < 300, total=total, remaining=remaining, used=used)
            self.stats.add(requests=1, credits=used if used is not None else cost)
            if remaining is not None:
                self.stats.rate_limit_remaining = remaining
            if total is not None:
                self.stats.rate_limit_total = total

            if status == 429:
                wait_for = _retry_after_seconds(headers.get("Retry-After"))
                if wait_for is None:
                    wait_for = self.retry_after_default
                    if wait_for is None:
                        wait_for = limiter.window_seconds
                self.stats.add(throttled_429=1)
                if throttle_waited + wait_for > self.max_throttle_wait:
                    raise FreshdeskRateLimitError(
                        f"Freshdesk {self.domain} kept answering 429 (rate limit) to GET {endpoint}: "
                        f"waited {throttle_waited:.0f} s in total, giving up. Another consumer may be "
                        "using the whole API budget; lower rate_limit_per_minute or retry later.",
                        http_status=429,
                        path=endpoint,
                    )
                self.log.warning(
                    "Freshdesk %s rate limit reached (429 on %s); pausing requests for %.1f s.",
                    self.domain,
                    endpoint,
                    wait_for,
                )
                limiter.throttled(wait_for)
                throttle_waited += wait_for
                self.stats.add(throttle_wait_seconds=wait_for)
                # Not a failure: the limiter makes the next attempt wait for the pause.
                continue

            if status >= 500:
                failures += 1
                excerpt = self._excerpt(response)
                if failures > retries_allowed:
                    raise FreshdeskServerError(
                        f"Freshdesk {self.domain} answered HTTP {status} to GET {endpoint} "
                        f"{failures} times; last answer: {excerpt or response.reason}",
                        http_status=status,
                        path=endpoint,
                    )
                self._retry_pause(failures, retries_allowed, endpoint, f"HTTP {status}")
                continue

            if status >= 400:
                self._raise_for_client_error(response, endpoint)

            try:
                data = json.loads(body)
            except ValueError:
                failures += 1
                excerpt = self._excerpt(response, limit=120)
                if failures > retries_allowed:
                    raise FreshdeskMalformedResponse(
                        f"Freshdesk {self.domain} answered GET {endpoint} with HTTP {status} but the "
                        f"body is not JSON ({headers.get('Content-Type', 'no content type')}): {excerpt}",
                        http_status=status,
                        path=endpoint,
                    ) from None
                self._retry_pause(failures, retries_allowed, endpoint, "unreadable body")
                continue
            if not isinstance(data, expect):
                raise FreshdeskMalformedResponse(
                    f"Freshdesk {self.domain} answered GET {endpoint} with a JSON "
                    f"{type(data).__name__} where a {expect.__name__} was expected.",
                    http_status=status,
                    path=endpoint,
                )
            return data, response

    def _retry_pause(self, failures: int, allowed: int, endpoint: str, reason: str) -> None:
        delay = self._backoff(failures)
        self.stats.add(retries=1)
        self.log.warning(
            "Freshdesk %s: GET %s failed (%s); retry %d of %d in %.1f s.",
            self.domain,
            endpoint,
            reason,
            failures,
            allowed,
            delay,
        )
        time.sleep(delay)

    def _raise_for_client_error(self, response: requests.Response, endpoint: str) -> None:
        status = response.status_code
        excerpt = self._excerpt(response)
        where = f"GET {endpoint}"
        if status == 401:
            raise FreshdeskAuthError(
                f"Freshdesk rejected the API key for {self.domain} (HTTP 401 on {where}). Check the "
                f"password (API key) of connection '{self.freshdesk_conn_id}'.",
                http_status=401,
                path=endpoint,
            )
        if status == 403:
            raise FreshdeskAccessDenied(
                f"Freshdesk {self.domain} denied access to {where} (HTTP 403): {excerpt}",
                http_status=403,
                path=endpoint,
            )
        if status == 404:
            raise FreshdeskNotFound(
                f"Freshdesk {self.domain}: {where} not found (HTTP 404).", http_status=404, path=endpoint
            )
        if status == 400:
            errors: list[dict[str, Any]] = []
            try:
                payload = response.json()
                if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
                    errors = [e for e in payload["errors"] if isinstance(e, dict)]
            except ValueError:
                pass
            detail = self._scrub(json.dumps(errors)) if errors else excerpt
            raise FreshdeskValidationError(
                f"Freshdesk {self.domain} refused {where} (HTTP 400): {detail}",
                errors=errors,
                path=endpoint,
            )
        raise FreshdeskError(
            f"Freshdesk {self.domain} answered HTTP {status} to {where}: {excerpt or response.reason}",
            http_status=status,
            path=endpoint,
        )

    # ----------------------------------------------------------------------------- pagination
    def _paginate(self, path: str, params: dict[str, Any] | None, *, cost: int = 1) -> Iterator[dict[str, Any]]:
        """Items of every page of a list endpoint, following the ``Link: rel="next"`` header.
        ``params=None``: an endpoint that takes no parameters, not even ``per_page``."""
        url: str | None = path
        page_params: dict[str, Any] | None = None if params is None else {**params, "per_page": PER_PAGE}
        while url:
            items, response = self._request(url, page_params, cost=cost, expect=list)
            self.stats.add(pages=1)
            yield from items
            url = response.links.get("next", {}).get("url")
            page_params = None  # the next link carries every parameter

    # ----------------------------------------------------------------------------- tickets
    def iter_tickets(
        self,
        updated_since: datetime,
        until: datetime | None = None,
        filter: str | None = None,
        include: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """Tickets with ``updated_since <= updated_at < until``, in ``updated_at`` order.

        Dicts are yielded exactly as Freshdesk returns them. The walk restarts at page 1 with
        ``updated_since`` = the last ``updated_at`` read, skipping the ids of that second already
        yielded (the only ids kept in memory):

        * at Freshdesk's 300-page cap (proactively at ``page_cap`` when there is a next page, or
          when a page answers 400 on ``page``), which is how it reads more than 30,000 tickets;
        * with ``keyset_pagination`` (the default), after every page whose last ``updated_at``
          moved on. Offset pages shift when a ticket already read is updated during the walk (it
          moves to the end), which would silently skip the ticket that slides into the read
          pages; restarting from the last ``updated_at`` is immune to that. The ``Link`` header is
          still followed while whole pages share one second (a bulk update), where the same
          shift can happen; so such a second is read once more, and again (up to
          ``MAX_SECOND_REREADS`` times) while a reading finds tickets the previous one missed.

        Both restarts on ``updated_at`` and the stop at ``until`` need the order asked for. A page
        out of that order switches to reading every page and filtering here; until a page has
        shown the order with at least two seconds, no keyset restart is made and tickets at or
        after ``until`` are skipped rather than ending the walk.

        A ticket updated during the walk may be yielded again (newer); an upsert absorbs it.

        :param filter: ``None`` (live tickets), ``"deleted"`` or ``"spam"``.
        :param include: e.g. ``("stats",)``; each include costs Freshdesk 2 more credits a page.
        :raises FreshdeskPaginationError: more than a whole page cap of tickets share one second.
        """
        if isinstance(include, str):
            include = (include,)
        asked = tuple(i for i in include if i not in self._refused_includes)
        yielded = 0
        try:
            for ticket in self._walk_tickets(updated_since, until=until, filter=filter, include=asked):
                yielded += 1
                yield ticket
        except FreshdeskValidationError as exc:
            # `include` is an extra (ticket stats feed the response times, not the contract's
            # counts): a server that refuses it must not stop the import.
            if not asked or "include" not in exc.fields or yielded:
                raise
            self._refused_includes.update(asked)
            self.log.warning(
                "Freshdesk %s refused include=%s on the ticket list (%s); reading tickets without it.",
                self.domain,
                ",".join(asked),
                exc,
            )
            yield from self._walk_tickets(updated_since, until=until, filter=filter, include=())

    def _walk_tickets(
        self,
        updated_since: datetime,
        until: datetime | None = None,
        filter: str | None = None,
        include: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        if filter not in TICKET_FILTERS:
            raise ValueError(f"filter must be one of {TICKET_FILTERS}, got {filter!r}")
        cost = 1 + 2 * len(include)
        until_dt = None if until is None else parse_timestamp(format_timestamp(until))
        base_params: dict[str, Any] = {"order_by": "updated_at", "order_type": "asc", "per_page": PER_PAGE}
        if include:
            base_params["include"] = ",".join(include)
        if filter:
            base_params["filter"] = filter

        progress = _TicketProgress(label=filter or "live")
        since_text = format_timestamp(updated_since)
        # Every ticket version yielded at or after the current run's start: those are the only
        # ones a restart can list again (memory: about a page, or one bulk-updated second).
        yielded: dict[Any, datetime] = {}
        # A page whose tickets all share one second is "in order" whatever the server does (a bulk
        # update of the newest tickets under created_at desc): the shortcuts that skip tickets (the
        # keyset restart, the `until` stop) wait for a page that shows the order with two seconds.
        order_evidenced = False
        reread_of: str | None = None
        rereads = 0
        first_run = True
        while True:
            run_since = parse_timestamp(since_text)
            # The latest updated_at read in this run: its next page must not start before it, and
            # the next restart begins there.
            run_latest: datetime | None = None if first_run else run_since
            run_latest_text = since_text
            first_run = False
            yielded = {i: at for i, at in yielded.items() if at >= run_since}
            url: str | None = "tickets"
            params: dict[str, Any] | None = {**base_params, "updated_since": since_text}
            page = cap_pages = 0
            restart_reason = ""
            # Offset pages inside one second (more than a page of tickets share run_since) shift
            # when one of those tickets changes meanwhile, skipping the ticket that slides back
            # onto a page already read: such a second is read again until a read finds none new.
            offsets_in_second = False
            new_in_second = 0
            until_reached = False
            listed_text = since_text
            while url:
                page += 1
                try:
                    tickets, response = self._request(url, params, cost=cost, expect=list)
                except FreshdeskValidationError as exc:
                    if "page" not in exc.fields or page == 1:
                        raise
                    # Freshdesk's cap is lower than ours: the same remedy as at our own cap.
                    restart_reason = f"Freshdesk refused page {page}"
                    cap_pages = page - 1
                    break
                self.stats.add(pages=1)
                progress.pages += 1
                params = None
                if not _in_updated_order(tickets, run_latest):
                    # Restarts and the `until` stop both rely on the order asked for; a server
                    # that ignores it would make them skip tickets silently.
                    yield from self._iter_tickets_unordered(base_params, updated_since, until_dt, cost, progress)
                    return
                if not order_evidenced:
                    order_evidenced = _spans_two_seconds(tickets)
                for ticket in tickets:
                    if not isinstance(ticket, dict) or "id" not in ticket or not ticket.get("updated_at"):
                        raise FreshdeskMalformedResponse(
                            f"Freshdesk {self.domain} returned a ticket without id/updated_at in GET /tickets."
                        )
                    updated_text = listed_text = str(ticket["updated_at"])
                    updated = parse_timestamp(updated_text)
                    if until_dt is not None and updated >= until_dt:
                        if not order_evidenced:
                            continue
                        until_reached = True
                        break
                    if run_latest is None or updated > run_latest:
                        run_latest, run_latest_text = updated, updated_text
                    if yielded.get(ticket["id"]) == updated:
                        continue
                    yielded[ticket["id"]] = updated
                    if updated == run_since:
                        new_in_second += 1
                    progress.tickets += 1
                    yield ticket
                if until_reached:
                    break
                if progress.pages % self.progress_every_pages == 0:
                    self._log_ticket_progress(progress)
                url = response.links.get("next", {}).get("url")
                if not url:
                    break
                moved = run_latest is not None and run_latest > run_since
                if page >= self.page_cap:
                    restart_reason = f"page cap ({self.page_cap}) reached"
                    cap_pages = page
                    break
                if moved and self.keyset_pagination and order_evidenced:
                    restart_reason = "keyset"
                    break
                if not moved:
                    offsets_in_second = True
            if restart_reason and (run_latest is None or run_latest <= run_since):
                # (pages wholly at or after `until` are read on until one shows the order, so
                # the second that fills the cap may lie past the window)
                raise FreshdeskPaginationError(
                    f"Freshdesk {self.domain}: more than {cap_pages} pages ({cap_pages * PER_PAGE} "
                    f"tickets) of {progress.label} tickets share updated_at {listed_text} (reading from "
                    f"{since_text}); Freshdesk's page cap cannot be worked around with updated_since."
                )
            if offsets_in_second and new_in_second:
                rereads = rereads + 1 if reread_of == since_text else 1
                reread_of = since_text
                if rereads <= MAX_SECOND_REREADS:
                    progress.restarts += 1
                    self.log.info(
                        "Freshdesk %s: %d %s tickets sharing updated_at %s were read by page offset; reading "
                        "that second again in case one of them changed meanwhile and shifted the pages.",
                        self.domain,
                        new_in_second,
                        progress.label,
                        since_text,
                    )
                    continue
                self.log.warning(
                    "Freshdesk %s: %s tickets sharing updated_at %s were still changing after %d readings; "
                    "one may have been skipped (a backfill over that time reads it).",
                    self.domain,
                    progress.label,
                    since_text,
                    rereads,
                )
            if until_reached or not restart_reason:
                self._log_ticket_progress(progress, done=True)
                return
            since_text = run_latest_text
            progress.restarts += 1
            if restart_reason != "keyset":
                progress.cap_restarts += 1
                self.log.info(
                    "Freshdesk %s: %s for %s tickets; restarting at page 1 with updated_since=%s "
                    "(%d tickets so far).",
                    self.domain,
                    restart_reason,
                    progress.label,
                    since_text,
                    progress.tickets,
                )

    def _iter_tickets_unordered(
        self,
        base_params: dict[str, Any],
        updated_since: datetime,
        until_dt: datetime | None,
        cost: int,
        progress: _TicketProgress,
    ) -> Iterator[dict[str, Any]]:
        """Read the whole list page by page, filtering the window here: for a server that does not
        return tickets in ``updated_at`` order. Tickets already yielded may come again (an upsert
        absorbs them); past the page cap nothing safe is possible, so that is an error."""
        self.log.warning(
            "Freshdesk %s does not return %s tickets in updated_at order: reading every page from %s "
            "and filtering here (no restarts past the %d-page cap).",
            self.domain,
            progress.label,
            format_timestamp(updated_since),
            self.page_cap,
        )
        since_dt = parse_timestamp(format_timestamp(updated_since))
        url: str | None = "tickets"
        params: dict[str, Any] | None = {**base_params, "updated_since": format_timestamp(updated_since)}
        page = 0
        while url:
            page += 1
            tickets, response = self._request(url, params, cost=cost, expect=list)
            self.stats.add(pages=1)
            progress.pages += 1
            params = None
            for ticket in tickets:
                if not isinstance(ticket, dict) or "id" not in ticket or not ticket.get("updated_at"):
                    raise FreshdeskMalformedResponse(
                        f"Freshdesk {self.domain} returned a ticket without id/updated_at in GET /tickets."
                    )
                updated = parse_timestamp(str(ticket["updated_at"]))
                if updated < since_dt or (until_dt is not None and updated >= until_dt):
                    continue
                progress.tickets += 1
                yield ticket
            url = response.links.get("next", {}).get("url")
            if url and page >= self.page_cap:
                raise FreshdeskPaginationError(
                    f"Freshdesk {self.domain} lists {progress.label} tickets out of updated_at order and has "
                    f"more than {self.page_cap} pages of them: they cannot all be read. Use a narrower window."
                )
        self._log_ticket_progress(progress, done=True)

    def _log_ticket_progress(self, progress: _TicketProgress, *, done: bool = False) -> None:
        stats = self.stats
        self.log.info(
            "Freshdesk %s %s tickets: %s%d tickets, %d pages (%d restarts at the page cap); "
            "rate limit %s of %s credits left; %d requests, %d throttled, %d retried.",
            self.domain,
            progress.label,
            "done, " if done else "",
            progress.tickets,
            progress.pages,
            progress.cap_restarts,
            "?" if stats.rate_limit_remaining is None else stats.rate_limit_remaining,
            "?" if stats.rate_limit_total is None else stats.rate_limit_total,
            stats.requests,
            stats.throttled_429,
            stats.retries,
        )

    def get_archived_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """An archived ticket, or ``None`` when Freshdesk has no archived ticket of that id."""
        try:
            data, _ = self._request(f"tickets/archived/{int(ticket_id)}", expect=dict)
        except FreshdeskNotFound:
            return None
        return data

    # ----------------------------------------------------------------------------- conversations
    def iter_conversations(self, ticket_id: int) -> Iterator[dict[str, Any]]:
        """All conversations of a ticket, falling back to the archive when the ticket is archived.

        :raises FreshdeskTicketDeleted: the ticket is deleted (Freshdesk answers 403).
        :raises FreshdeskNotFound: neither the live nor the archived endpoint knows the ticket.
        """
        ticket_id = int(ticket_id)
        try:
            pages = self._paginate(f"tickets/{ticket_id}/conversations", {})
            first = list(itertools.islice(pages, PER_PAGE))
        except FreshdeskNotFound:
            # Archived tickets (closed, inactive for 120 days) answer 404 on the live endpoint.
            pages = self._paginate(f"tickets/archived/{ticket_id}/conversations", {})
            first = self._conversation_page(pages, ticket_id)
        except FreshdeskAccessDenied as exc:
            raise self._deleted(ticket_id, exc) from None
        yield from first
        try:
            yield from pages
        except FreshdeskAccessDenied as exc:
            raise self._deleted(ticket_id, exc) from None

    def _conversation_page(self, pages: Iterator[dict[str, Any]], ticket_id: int) -> list[dict[str, Any]]:
        try:
            return list(itertools.islice(pages, PER_PAGE))
        except FreshdeskNotFound:
            raise FreshdeskNotFound(
                f"Freshdesk {self.domain}: ticket {ticket_id} not found, neither live nor archived.",
                http_status=404,
                path=f"/tickets/{ticket_id}/conversations",
            ) from None
        except FreshdeskAccessDenied as exc:
            raise self._deleted(ticket_id, exc) from None

    def _deleted(self, ticket_id: int, exc: FreshdeskAccessDenied) -> FreshdeskTicketDeleted:
        return FreshdeskTicketDeleted(
            f"Freshdesk {self.domain}: conversations of ticket {ticket_id} are not readable (HTTP 403); "
            "Freshdesk answers so for deleted tickets.",
            ticket_id=ticket_id,
            path=exc.path,
        )

    def get_conversations(self, ticket_id: int) -> list[dict[str, Any]] | None:
        """All conversations of a ticket, or ``None`` when it is deleted or gone everywhere."""
        try:
            return list(self.iter_conversations(ticket_id))
        except (FreshdeskTicketDeleted, FreshdeskNotFound):
            return None

    def fetch_conversations(
        self,
        ticket_ids: Iterable[int],
        max_workers: int | None = None,
        *,
        skip: Callable[[int], bool] | None = None,
    ) -> Iterator[tuple[int, list[dict[str, Any]] | None]]:
        """``(ticket_id, conversations)`` for each id, read concurrently, in completion order.

        ``conversations`` is ``None`` when the ticket is deleted (403) or unknown both live and
        archived (404). ``ticket_ids`` is consumed lazily and at most ``2 * max_workers`` reads are
        in flight, so memory stays bounded for any number of ids. Any other error cancels the
        remaining reads and propagates.

        :param max_workers: threads; default the connection's ``max_concurrency`` (8).
        :param skip: ids for which it answers True are not read (no request, no credit) and come
            back as ``(ticket_id, None)`` in their turn, e.g. tickets whose stored conversations
            are known to be current.
        """
        workers = max(1, int(max_workers or self.max_concurrency))
        ids = iter(ticket_ids)
        window = workers * 2
        done_count = 0
        gone = 0
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="freshdesk-conversations")
        pending: dict[Future[list[dict[str, Any]] | None], int] = {}
        skipped: set[Future[list[dict[str, Any]] | None]] = set()

        def submit(ticket_id: int) -> Future[list[dict[str, Any]] | None]:
            if skip is not None and skip(ticket_id):
                future: Future[list[dict[str, Any]] | None] = Future()
                future.set_result(None)
                skipped.add(future)
                return future
            return pool.submit(self.get_conversations, ticket_id)

        try:
            for ticket_id in itertools.islice(ids, window):
                pending[submit(ticket_id)] = int(ticket_id)
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                ready = []
                for future in finished:
                    ticket_id = pending.pop(future)
                    ready.append((ticket_id, future.result(), future in skipped))
                    skipped.discard(future)
                # Refill before yielding so the workers keep going while the caller consumes.
                for ticket_id in itertools.islice(ids, len(finished)):
                    pending[submit(ticket_id)] = int(ticket_id)
                for ticket_id, conversations, was_skipped in ready:
                    done_count += 1
                    gone += conversations is None and not was_skipped
                    if done_count % (self.progress_every_pages * 20) == 0:
                        self.log.info(
                            "Freshdesk %s: conversations of %d tickets read (%d deleted or gone); "
                            "%d requests, %d throttled, %d retried.",
                            self.domain,
                            done_count,
                            gone,
                            self.stats.requests,
                            self.stats.throttled_429,
                            self.stats.retries,
                        )
                    yield ticket_id, conversations
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    # ----------------------------------------------------------------------------- others
    def get_groups(self) -> list[dict[str, Any]]:
        """Every group of the account (all pages)."""
        return list(self._paginate("groups", {}))

    def get_agent_me(self, *, max_retries: int | None = None) -> dict[str, Any]:
        """The agent owning the API key (``GET /agents/me``)."""
        data, _ = self._request("agents/me", expect=dict, max_retries=max_retries)
        return data

    def iter_time_entries(
        self, executed_after: datetime, executed_before: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """Time entries Freshdesk lists for ``executed_after``/``executed_before`` (all pages).

        The bounds are applied by Freshdesk, as it defines them; entries of deleted and spam
        tickets are not listed.
        """
        params: dict[str, Any] = {"executed_after": format_timestamp(executed_after)}
        if executed_before is not None:
            params["executed_before"] = format_timestamp(executed_before)
        yield from self._paginate("time_entries", params)

    def iter_ticket_time_entries(self, ticket_id: int) -> Iterator[dict[str, Any]]:
        """Time entries of one ticket (``GET /tickets/{id}/time_entries``); Freshdesk answers 404
        for a deleted or spam ticket (:class:`FreshdeskNotFound`). The endpoint takes no
        ``per_page``; a ``Link`` to a next page, should one come, is followed."""
        yield from self._paginate(f"tickets/{int(ticket_id)}/time_entries", None)

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's connection test (the UI's Test button): ``GET /agents/me``."""
        try:
            me = self.get_agent_me(max_retries=1)
        except FreshdeskError as exc:
            return False, self._scrub(str(exc))
        except Exception as exc:
            return False, self._scrub(f"{type(exc).__name__}: {exc}")
        contact = me.get("contact") if isinstance(me.get("contact"), dict) else {}
        who = contact.get("name") or contact.get("email") or f"agent {me.get('id', '?')}"
        email = contact.get("email")
        if email and email != who:
            who = f"{who} <{email}>"
        return True, f"Connected to Freshdesk {self.domain} as {who}."


def _mask(secret: str) -> None:
    """Register the API key with Airflow's secrets masker so that no log line can show it."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover - older task SDKs
        try:
            from airflow.sdk.execution_time.secrets_masker import mask_secret
        except ImportError:
            return
    mask_secret(secret)
