"""FreshdeskHook configuration: base URL, connection extras, session, auth, typed errors.

No HTTP here; the behaviour against a (simulated) Freshdesk is in test_hook.py.
"""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.exceptions import AirflowException

from freshdesk_provider import exceptions as fx
from freshdesk_provider.hooks.freshdesk import (
    FreshdeskHook,
    FreshdeskStats,
    _retry_after_seconds,
    build_base_url,
    format_timestamp,
    is_loopback_host,
    parse_timestamp,
    read_hook_settings,
)


def set_conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, **fields: object) -> None:
    conn = {"conn_type": "freshdesk", **fields}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("acme.freshdesk.com", None, "https://acme.freshdesk.com/api/v2"),
        ("  ACME.freshdesk.com  ", None, "https://acme.freshdesk.com/api/v2"),
        ("acme.freshdesk.com/", None, "https://acme.freshdesk.com/api/v2"),
        ("https://acme.freshdesk.com", None, "https://acme.freshdesk.com/api/v2"),
        ("https://acme.freshdesk.com/", None, "https://acme.freshdesk.com/api/v2"),
        ("https://acme.freshdesk.com/api/v2", None, "https://acme.freshdesk.com/api/v2"),
        ("https://acme.freshdesk.com/api/v2/", None, "https://acme.freshdesk.com/api/v2"),
        ("acme.freshdesk.com/api/v2", None, "https://acme.freshdesk.com/api/v2"),
        ("https://acme.freshdesk.com:8443", None, "https://acme.freshdesk.com:8443/api/v2"),
        ("acme.freshdesk.com", 8443, "https://acme.freshdesk.com:8443/api/v2"),
        ("http://127.0.0.1:8099", None, "http://127.0.0.1:8099/api/v2"),
        ("http://127.0.0.1:8099/", None, "http://127.0.0.1:8099/api/v2"),
        ("http://127.0.0.1:8099/api/v2", None, "http://127.0.0.1:8099/api/v2"),
        ("http://127.0.0.1", 8099, "http://127.0.0.1:8099/api/v2"),
        ("http://127.10.20.30:81", None, "http://127.10.20.30:81/api/v2"),
        ("http://localhost:8099", None, "http://localhost:8099/api/v2"),
        ("http://[::1]:8099", None, "http://[::1]:8099/api/v2"),
        ("https://10.0.0.5:8443", None, "https://10.0.0.5:8443/api/v2"),
    ],
)
def test_base_url(host: str, port: int | None, expected: str) -> None:
    assert build_base_url(host, port) == expected


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", "has no host"),
        (None, "has no host"),
        ("http://acme.freshdesk.com", "plain http is refused for acme.freshdesk.com"),
        ("http://10.0.0.5:8099", "plain http is refused for 10.0.0.5"),
        ("http://128.0.0.1", "plain http is refused"),
        ("ftp://acme.freshdesk.com", "unsupported scheme"),
        ("https://acme.freshdesk.com/a/tickets/1", "has a path"),
        ("https://acme.freshdesk.com/?x=1", "has a path"),
        ("https://abc:key@acme.freshdesk.com", "must not contain credentials"),
        ("https://acme.freshdesk.com:notaport", "invalid port"),
    ],
)
def test_base_url_refused(host: str | None, message: str) -> None:
    with pytest.raises(fx.FreshdeskConfigError, match=message) as info:
        build_base_url(host, conn_id="my_fd")
    assert "my_fd" in str(info.value)
    assert "key@" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("acme.freshdesk.com", False),
        ("localhost.evil.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_settings_from_extra() -> None:
    defaults = read_hook_settings({}, conn_id="c")
    assert (defaults.rate_limit_per_minute, defaults.max_concurrency, defaults.rate_limit_window_seconds) == (
        None,
        8,
        60.0,
    )
    # The UI form may send strings or empty strings.
    s = read_hook_settings(
        {"rate_limit_per_minute": "700", "max_concurrency": 16, "rate_limit_window_seconds": "6"}, conn_id="c"
    )
    assert (s.rate_limit_per_minute, s.max_concurrency, s.rate_limit_window_seconds) == (700, 16, 6.0)
    assert read_hook_settings({"rate_limit_per_minute": "", "max_concurrency": None}, conn_id="c").max_concurrency == 8
    for bad in ({"max_concurrency": 0}, {"rate_limit_per_minute": "fast"}, {"rate_limit_window_seconds": -1}):
        with pytest.raises(fx.FreshdeskConfigError, match="conn_x"):
            read_hook_settings(bad, conn_id="conn_x")


def test_retry_after_parsing() -> None:
    assert _retry_after_seconds("7") == 7.0
    assert _retry_after_seconds(" 2.5 ") == 2.5
    assert _retry_after_seconds(None) is None
    assert _retry_after_seconds("") is None
    assert _retry_after_seconds("soon") is None
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= (_retry_after_seconds(format_datetime(later, usegmt=True)) or 0) <= 31


def test_timestamps() -> None:
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=timezone.utc)) == "2026-01-02T03:04:05Z"
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"  # naive is UTC
    cet = timezone(timedelta(hours=1))
    assert format_timestamp(datetime(2026, 1, 2, 4, 4, 5, tzinfo=cet)) == "2026-01-02T03:04:05Z"
    assert parse_timestamp("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_hook_identity() -> None:
    assert issubclass(FreshdeskHook, HttpHook)
    assert FreshdeskHook.conn_name_attr == "freshdesk_conn_id"
    assert FreshdeskHook.default_conn_name == "freshdesk_default"
    assert FreshdeskHook.conn_type == "freshdesk"
    assert FreshdeskHook.hook_name == "Freshdesk"
    assert FreshdeskHook().freshdesk_conn_id == "freshdesk_default"


def test_session_auth_extras_and_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    set_conn(
        monkeypatch,
        "fd_cfg",
        host="https://acme.freshdesk.com/api/v2/",
        password="abcdefghijklmnop",
        extra={
            "rate_limit_per_minute": 700,
            "max_concurrency": 24,
            "rate_limit_window_seconds": 60,
            "X-Custom-Header": "kept",
        },
    )
    hook = FreshdeskHook("fd_cfg")
    session = hook.get_conn()
    assert hook.get_conn() is session  # one session per hook, reused
    assert hook.base_url == "https://acme.freshdesk.com/api/v2"
    assert hook.domain == "acme.freshdesk.com"
    assert (session.auth.username, session.auth.password) == ("abcdefghijklmnop", "X")
    # Our extras configure the hook and never become HTTP headers; other extras still do.
    lowered = {k.lower() for k in session.headers}
    assert not lowered & {"rate_limit_per_minute", "max_concurrency", "rate_limit_window_seconds"}
    assert session.headers["X-Custom-Header"] == "kept"
    assert session.headers["Accept"] == "application/json"
    adapter = session.get_adapter("https://acme.freshdesk.com/api/v2/tickets")
    assert adapter._pool_maxsize >= 24
    assert hook.max_concurrency == 24
    assert hook.limiter.budget == 700


@pytest.mark.parametrize(("given", "verify"), [("false", False), ("False", False), ("true", True), (False, False)])
def test_verify_from_a_uri_query_is_a_boolean(monkeypatch: pytest.MonkeyPatch, given: object, verify: bool) -> None:
    # freshdesk://:KEY@host?verify=false gives the string "false", which requests takes for a CA bundle path.
    set_conn(monkeypatch, "fd_verify", host="acme.freshdesk.com", password="k" * 16, extra={"verify": given})
    session = FreshdeskHook("fd_verify").get_conn()
    assert session.verify is verify
    assert "verify" not in {k.lower() for k in session.headers}


def test_api_key_falls_back_to_login(monkeypatch: pytest.MonkeyPatch) -> None:
    set_conn(monkeypatch, "fd_login", host="acme.freshdesk.com", login="key-in-login-field")
    session = FreshdeskHook("fd_login").get_conn()
    assert (session.auth.username, session.auth.password) == ("key-in-login-field", "X")


def test_missing_api_key_and_host_name_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    set_conn(monkeypatch, "fd_nokey", host="acme.freshdesk.com")
    with pytest.raises(fx.FreshdeskConfigError, match=r"'fd_nokey' has no API key"):
        FreshdeskHook("fd_nokey").get_conn()
    set_conn(monkeypatch, "fd_nohost", password="abcdefghijk")
    with pytest.raises(fx.FreshdeskConfigError, match=r"'fd_nohost' has no host"):
        FreshdeskHook("fd_nohost").get_conn()


def test_plain_http_to_a_real_host_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    set_conn(monkeypatch, "fd_http", host="http://acme.freshdesk.com", password="abcdefghijk")
    hook = FreshdeskHook("fd_http")
    with pytest.raises(fx.FreshdeskConfigError, match="plain http is refused"):
        hook.get_groups()
    ok, message = hook.test_connection()
    assert not ok
    assert "plain http is refused" in message
    assert hook.stats.requests == 0


def test_stats_read_as_attributes_and_mapping() -> None:
    stats = FreshdeskStats()
    stats.add(requests=3, pages=1)
    assert stats.requests == 3
    assert stats["pages"] == 1
    assert stats.get("throttled_429") == 0
    assert dict(stats)["requests"] == 3
    assert stats.as_dict() == dict(stats)
    with pytest.raises(KeyError):
        stats["_lock"]


def test_exception_hierarchy_and_serialisation() -> None:
    for cls in (
        fx.FreshdeskConfigError,
        fx.FreshdeskConnectionError,
        fx.FreshdeskAuthError,
        fx.FreshdeskAccessDenied,
        fx.FreshdeskTicketDeleted,
        fx.FreshdeskNotFound,
        fx.FreshdeskValidationError,
        fx.FreshdeskRateLimitError,
        fx.FreshdeskServerError,
        fx.FreshdeskMalformedResponse,
        fx.FreshdeskPaginationError,
    ):
        assert issubclass(cls, fx.FreshdeskError)
        assert issubclass(cls, AirflowException)
        err = cls("boom")
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is cls
        assert str(copy) == "boom"
        # Airflow rebuilds exceptions from serialize(): the message must be enough.
        path, args, kwargs = err.serialize()
        assert path.endswith(cls.__name__)
        assert cls(*args, **kwargs).args == ("boom",)
    assert issubclass(fx.FreshdeskTicketDeleted, fx.FreshdeskAccessDenied)
    err = fx.FreshdeskValidationError("bad", errors=[{"field": "page", "code": "invalid_value"}])
    assert err.fields == {"page"}
    assert pickle.loads(pickle.dumps(err)).errors == err.errors


def test_pagination_links_must_stay_on_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    set_conn(monkeypatch, "fd_links", host="acme.freshdesk.com", password="abcdefghijk")
    hook = FreshdeskHook("fd_links")
    hook.get_conn()
    same = "https://ACME.freshdesk.com:443/api/v2/tickets?page=2"
    assert hook._url(same) == same
    assert hook._url("tickets") == "https://acme.freshdesk.com/api/v2/tickets"
    for elsewhere in (
        "https://evil.example.com/api/v2/tickets?page=2",
        "http://acme.freshdesk.com/api/v2/tickets?page=2",
        "https://acme.freshdesk.com:8443/api/v2/tickets?page=2",
    ):
        with pytest.raises(fx.FreshdeskMalformedResponse, match="refusing to send the API key"):
            hook._url(elsewhere)
