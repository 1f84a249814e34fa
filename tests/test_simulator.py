"""The Freshdesk simulator over real HTTP: auth, paging, filters, limits, faults, mutations, CLI."""

from __future__ import annotations

import base64
import http.client
import json
import math
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from freshdesk_provider.simulator import FreshdeskAccount, FreshdeskSimulator, SimulatorConfig

NOW = "2026-06-15T12:00:00Z"
EPOCH = "2000-01-01T00:00:00Z"
RL_HEADERS = ("X-RateLimit-Total", "X-RateLimit-Remaining", "X-RateLimit-Used-CurrentRequest")

MakeSim = Callable[..., FreshdeskSimulator]


def _session(sim: FreshdeskSimulator) -> requests.Session:
    s = requests.Session()
    s.auth = (sim.api_key, "X")
    return s


def _walk(s: requests.Session, url: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Follow Link headers from the first page; return (items, pages)."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    next_params: dict[str, Any] | None = params
    while next_url:
        r = s.get(next_url, params=next_params, timeout=10)
        assert r.status_code == 200, r.text
        items.extend(r.json())
        pages += 1
        next_url = r.links.get("next", {}).get("url")
        next_params = None
    return items, pages


def _ts(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_auth_required(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW)
    url = f"{sim.url}/api/v2/tickets"
    for auth in (None, ("wrong-key", "X")):
        r = requests.get(url, auth=auth, timeout=5)
        assert r.status_code == 401
        assert r.json() == {
            "code": "invalid_credentials",
            "message": "You have to be logged in to perform this action.",
        }
        assert all(h in r.headers for h in RL_HEADERS)
    # Any password goes with the right key.
    assert requests.get(url, auth=(sim.api_key, "anything"), timeout=5).status_code == 200
    assert requests.get(f"{sim.url}/api/v2/agents/me", auth=(sim.api_key, "X"), timeout=5).json()["id"] > 2**32


def test_validation_errors(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW)
    s = _session(sim)
    url = f"{sim.url}/api/v2/tickets"
    for params in ({"per_page": 101}, {"per_page": 0}, {"include": "stats,bogus"}, {"order_by": "id"}):
        r = s.get(url, params=params, timeout=5)
        assert r.status_code == 400, params
        body = r.json()
        assert body["description"] == "Validation failed"
        assert body["errors"][0]["code"] == "invalid_value"
    r = s.get(url, params={"updated_since": "yesterday"}, timeout=5)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "updated_since"
    assert s.get(f"{sim.url}/api/v2/tickets/1/conversations", params={"per_page": 101}, timeout=5).status_code == 400
    r = s.get(f"{sim.url}/api/v2/nothing/here", timeout=5)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert s.get(f"{sim.url}/api/v2/tickets/999999", timeout=5).status_code == 404


def test_page_cap(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=200, now=NOW, page_cap=3)
    s = _session(sim)
    url = f"{sim.url}/api/v2/tickets"
    params = {"updated_since": EPOCH, "order_by": "updated_at", "order_type": "asc", "per_page": 10}
    r = s.get(url, params={**params, "page": 3}, timeout=5)
    assert r.status_code == 200
    # More results exist, so page 3 links to page 4 even though page 4 is refused.
    assert "page=4" in r.links["next"]["url"]
    r = s.get(r.links["next"]["url"], timeout=5)
    assert r.status_code == 400
    assert r.json()["description"] == "Validation failed"
    assert r.json()["errors"][0]["field"] == "page"
    assert r.json()["errors"][0]["code"] == "invalid_value"


def test_link_walk_returns_every_visible_ticket_once(make_simulator: MakeSim) -> None:
    sim = make_simulator(
        tickets=1500, days=240, now=NOW, archived_fraction=0.5, archive_after_days=120, bulk_update_size=150
    )
    s = _session(sim)
    truth = dict(sim.account.tickets)
    visible = {t["id"] for t in truth.values() if not (t["deleted"] or t["spam"] or t["archived"])}
    assert len(visible) < len(truth)
    assert any(t["archived"] for t in truth.values())

    params = {"updated_since": EPOCH, "order_by": "updated_at", "order_type": "asc", "per_page": 100}
    items, pages = _walk(s, f"{sim.url}/api/v2/tickets", params)
    ids = [t["id"] for t in items]
    assert len(ids) == len(set(ids)) == len(visible)
    assert set(ids) == visible
    assert pages == math.ceil(len(visible) / 100)
    keys = [(t["updated_at"], t["id"]) for t in items]
    assert keys == sorted(keys), "updated_at asc, ties by id"
    assert all("deleted" not in t and t["spam"] is False for t in items)

    # Descending with the default page size; ties still by id ascending.
    items, _ = _walk(s, f"{sim.url}/api/v2/tickets", {"updated_since": EPOCH, "order_by": "status"})
    assert sorted(t["id"] for t in items) == sorted(visible)
    keys = [(-t["status"], t["id"]) for t in items]
    assert keys == sorted(keys)


def test_default_window_is_30_days_of_creation(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=600, days=90, now=NOW)
    s = _session(sim)

    def expected() -> set[int]:
        cutoff = sim.account.now() - timedelta(days=30)
        return {
            t["id"]
            for t in sim.account.tickets.values()
            if not (t["deleted"] or t["spam"] or t["archived"]) and _ts(t["created_at"]) >= cutoff
        }

    before = expected()
    items, _ = _walk(s, f"{sim.url}/api/v2/tickets", {"per_page": 100})
    after = expected()
    ids = [t["id"] for t in items]
    assert after <= set(ids) <= before
    assert len(ids) == len(set(ids))
    assert 0 < len(ids) < 600
    created = [(t["created_at"], -t["id"]) for t in items]
    assert created == sorted(created, reverse=True), "created_at desc by default"


def test_filters_deleted_and_spam(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=800, days=60, now=NOW, deleted_fraction=0.05, spam_fraction=0.05)
    s = _session(sim)
    truth = sim.account.tickets
    url = f"{sim.url}/api/v2/tickets"
    deleted, _ = _walk(s, url, {"updated_since": EPOCH, "filter": "deleted", "per_page": 100})
    spam, _ = _walk(s, url, {"updated_since": EPOCH, "filter": "spam", "per_page": 100})
    assert {t["id"] for t in deleted} == {t["id"] for t in truth.values() if t["deleted"]}
    assert {t["id"] for t in spam} == {t["id"] for t in truth.values() if t["spam"] and not t["deleted"]}
    assert deleted and spam
    assert all(t["deleted"] is True for t in deleted)
    assert all(t["spam"] is True and "deleted" not in t for t in spam)
    # A deleted ticket is still readable by id, flagged.
    r = s.get(f"{url}/{deleted[0]['id']}", timeout=5)
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert s.get(url, params={"filter": "bogus"}, timeout=5).status_code == 400


def test_conversations_paging_and_403(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=400, days=60, now=NOW, deleted_fraction=0.05)
    s = _session(sim)
    convs = sim.account.conversations
    big = [tid for tid in convs if len(convs[tid]) > 100 and not sim.account.state(tid)["deleted"]]
    assert big, "generation guarantees tickets with > 100 conversations"
    tid = big[0]
    expected = [c["id"] for c in convs[tid]]
    for per_page in (100, 30):
        items, pages = _walk(s, f"{sim.url}/api/v2/tickets/{tid}/conversations", {"per_page": per_page})
        assert [c["id"] for c in items] == expected
        assert pages == math.ceil(len(expected) / per_page)
    assert all(c["ticket_id"] == tid for c in items)
    assert any(len(convs[t]) == 0 for t in convs), "some tickets have no conversation"

    deleted = next(t for t in sim.account.tickets.values() if t["deleted"])
    r = s.get(f"{sim.url}/api/v2/tickets/{deleted['id']}/conversations", timeout=5)
    assert r.status_code == 403
    assert r.json() == {"code": "access_denied", "message": "You are not authorized to perform this action."}
    assert s.get(f"{sim.url}/api/v2/tickets/999999/conversations", timeout=5).status_code == 404


def test_archived_endpoints(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=600, days=300, now=NOW, archived_fraction=1.0, archive_after_days=120)
    s = _session(sim)
    tickets = sim.account.tickets
    archived = [t for t in tickets.values() if t["archived"]]
    assert archived and all(t["status"] == 5 for t in archived)
    a = max(archived, key=lambda t: len(sim.account.conversations[t["id"]]))
    api = f"{sim.url}/api/v2/tickets"
    assert s.get(f"{api}/{a['id']}", timeout=5).status_code == 404
    assert s.get(f"{api}/{a['id']}/conversations", timeout=5).status_code == 404
    r = s.get(f"{api}/archived/{a['id']}", params={"include": "stats"}, timeout=5)
    assert r.status_code == 200 and r.json()["id"] == a["id"]
    assert r.json()["stats"]["closed_at"] is not None
    items, _ = _walk(s, f"{api}/archived/{a['id']}/conversations", {"per_page": 2})
    assert [c["id"] for c in items] == [c["id"] for c in sim.account.conversations[a["id"]]]
    live = next(t for t in tickets.values() if not (t["archived"] or t["deleted"] or t["spam"]))
    assert s.get(f"{api}/archived/{live['id']}", timeout=5).status_code == 404
    assert s.get(f"{api}/archived/{live['id']}/conversations", timeout=5).status_code == 404
    # Archiving at run time.
    sim.account.archive_ticket(live["id"])
    assert s.get(f"{api}/{live['id']}", timeout=5).status_code == 404
    assert s.get(f"{api}/archived/{live['id']}", timeout=5).json()["status"] == 5


def test_rate_limit_headers_429_and_retry_after(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW, rate_limit=5, window_seconds=1.5)
    s = _session(sim)
    url = f"{sim.url}/api/v2/groups"
    remaining = []
    for _ in range(5):
        r = s.get(url, timeout=5)
        assert r.status_code == 200
        assert r.headers["X-RateLimit-Total"] == "5"
        assert r.headers["X-RateLimit-Used-CurrentRequest"] == "1"
        remaining.append(int(r.headers["X-RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    r = s.get(url, timeout=5)
    assert r.status_code == 429
    assert all(h in r.headers for h in RL_HEADERS)
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= 2
    # Invalid requests are refused as well once the budget is gone.
    assert s.get(url, params={"per_page": 500}, timeout=5).status_code == 429
    time.sleep(retry_after)
    assert s.get(url, timeout=5).status_code == 200
    stats = sim.stats()
    assert stats["throttled_429"] == 2
    assert stats["requests_by_status"][429] == 2

    sim.configure(retry_after_missing_rate=1.0)
    while (r := s.get(url, timeout=5)).status_code != 429:
        pass
    assert "Retry-After" not in r.headers


def test_ticket_list_sub_limit(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW, list_rate_limit=2, window_seconds=30)
    s = _session(sim)
    assert [s.get(f"{sim.url}/api/v2/tickets", timeout=5).status_code for _ in range(3)] == [200, 200, 429]
    assert s.get(f"{sim.url}/api/v2/groups", timeout=5).status_code == 200


def test_not_found_body_option(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=20, now=NOW)
    s = _session(sim)
    r = s.get(f"{sim.url}/api/v2/tickets/999999", timeout=5)
    assert r.status_code == 404 and r.content == b""
    sim.configure(not_found_body="json")
    r = s.get(f"{sim.url}/api/v2/tickets/999999", timeout=5)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_include_costs_credits(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=100, now=NOW, rate_limit=100, window_seconds=30)
    s = _session(sim)
    url = f"{sim.url}/api/v2/tickets"
    r = s.get(url, params={"include": "stats"}, timeout=5)
    assert r.headers["X-RateLimit-Used-CurrentRequest"] == "3"
    assert r.headers["X-RateLimit-Remaining"] == "97"
    assert all("stats" in t for t in r.json())
    r = s.get(url, params={"include": "stats,requester,description"}, timeout=5)
    assert r.headers["X-RateLimit-Used-CurrentRequest"] == "7"
    t = r.json()[0]
    assert {"stats", "requester", "description", "description_text"} <= set(t)
    # Invalid requests count too.
    r = s.get(url, params={"per_page": 1000}, timeout=5)
    assert r.status_code == 400 and r.headers["X-RateLimit-Remaining"] == "89"
    assert sim.stats()["credits_used"] == 11


def test_fault_injection(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW, fault_rate=1.0)
    before = sim.account.snapshot()
    s = _session(sim)
    seen: Counter[str] = Counter()
    for _ in range(60):
        try:
            r = s.get(f"{sim.url}/api/v2/tickets", timeout=5)
        except requests.ConnectionError:
            seen["drop"] += 1
            continue
        assert r.status_code >= 500
        if r.status_code in (502, 504):
            assert r.headers["Content-Type"].startswith("text/html")
            assert "<html>" in r.text
        else:
            assert r.json()["code"]
        seen[str(r.status_code)] += 1
    assert set(seen) == {"500", "502", "503", "504", "drop"}
    stats = sim.stats()
    assert stats["faults_injected"] == 60
    assert stats["faults_by_kind"]["drop"] == seen["drop"]
    after = sim.account.snapshot()
    before.pop("now")
    after.pop("now")
    assert after == before, "faults change no state"
    # The outage ends.
    sim.configure(fault_rate=0.0)
    assert s.get(f"{sim.url}/api/v2/tickets", timeout=5).status_code == 200


def test_mutations_bump_updated_at_and_appear_with_updated_since(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=300, days=60, now=NOW)
    s = _session(sim)
    account = sim.account
    start = account.now()
    url = f"{sim.url}/api/v2/tickets"
    live = [t for t in account.tickets.values() if not (t["deleted"] or t["spam"] or t["archived"])]
    live.sort(key=lambda t: t["updated_at"])
    a, b, c, d = (t["id"] for t in live[:4])

    conv = account.add_conversation(a, "customer_phone")
    assert conv["source"] == 9 and conv["incoming"] is True
    account.move_to_group(b, None)
    account.delete_ticket(c)
    account.mark_spam(d)
    for tid in (a, b, c, d):
        assert _ts(account.tickets[tid]["updated_at"]) >= start

    since = {"updated_since": _iso(start), "order_by": "updated_at", "order_type": "asc", "per_page": 100}
    items, _ = _walk(s, url, since)
    assert {a, b} <= {t["id"] for t in items}
    assert not {c, d} & {t["id"] for t in items}
    assert next(t for t in items if t["id"] == b)["group_id"] is None
    deleted, _ = _walk(s, url, {**since, "filter": "deleted"})
    assert c in [t["id"] for t in deleted]
    assert d in [t["id"] for t in _walk(s, url, {**since, "filter": "spam"})[0]]
    convs = s.get(f"{url}/{a}/conversations", params={"per_page": 100}, timeout=5).json()
    assert convs[-1]["id"] == conv["id"]

    account.restore_ticket(c)
    account.unmark_spam(d)
    account.remove_conversation(conv["id"])
    items, _ = _walk(s, url, since)
    assert {a, b, c, d} <= {t["id"] for t in items}
    assert conv["id"] not in [x["id"] for x in s.get(f"{url}/{a}/conversations", timeout=5).json()]

    # Group changes touch no ticket.
    gid = next(iter(account.groups))
    account.rename_group(gid, "L'équipe \"renamed\"")
    assert account.groups[gid]["name"] == "L'équipe \"renamed\""
    new_gid = account.add_group("Brand new")
    account.remove_group(gid)
    groups, _ = _walk(s, f"{sim.url}/api/v2/groups", {})
    assert new_gid in {g["id"] for g in groups} and gid not in {g["id"] for g in groups}
    assert gid in account.vanished_group_ids

    summary = account.random_mutations(200, seed=3)
    assert sum(v for k, v in summary["counts"].items() if "group" not in k) <= 200
    assert summary["counts"]["customer_reply"] > 0 and summary["counts"]["rename_group"] >= 1
    for tid in summary["ticket_ids"]:
        t = account.tickets[tid]
        assert t["archived"] or _ts(t["updated_at"]) >= start
    items, _ = _walk(s, url, since)
    seen = {t["id"] for t in items}
    for tid in summary["ticket_ids"]:
        state = account.state(tid)
        assert (tid in seen) == (not any(state.values()))


def test_generated_account_shape() -> None:
    account = FreshdeskAccount(SimulatorConfig(seed=11, tickets=3000, days=90, now=NOW))
    tickets = list(account.tickets.values())
    convs = account.conversations
    now = _ts(NOW)
    ids = [t["id"] for t in tickets]
    assert ids == list(range(1, 3001))
    created = [t["created_at"] for t in tickets]
    assert created == sorted(created), "ids follow created_at"
    assert all(now - timedelta(days=90) <= _ts(c) <= now for c in created)
    assert sum(_ts(c).minute % 15 == 0 and _ts(c).second == 0 for c in created) > 100
    assert {t["source"] for t in tickets} >= set(range(1, 14)) | {14, 99}
    assert Counter(t["updated_at"] for t in tickets).most_common(1)[0][1] >= 200, "a bulk update"
    group_ids = set(account.groups)
    assert any(t["group_id"] is None for t in tickets)
    assert any(t["group_id"] is not None and t["group_id"] not in group_ids for t in tickets)
    names = {g["name"] for g in account.groups.values()}
    assert {'Kundenservice "Süd"', "L'équipe été", "CustomerService"} <= names
    kinds = Counter()
    for t in tickets:
        assert t["updated_at"] >= t["created_at"]
        assert ("deleted" in t) and (t["deleted"] in (True, False))
        cs = convs[t["id"]]
        for c in cs:
            assert t["created_at"] <= c["created_at"] <= t["updated_at"]
            assert c["updated_at"] <= t["updated_at"]
            kinds[(c["source"], c["incoming"], c["private"], c["user_id"] == t["requester_id"])] += 1
    # Customer messages through every channel, and the awkward ones.
    for source in (0, 5, 6, 7, 8, 9, 10, 11, 42):
        assert (source, True, False, True) in kinds, source
    assert (0, False, False, True) in kinds  # portal reply by the requester
    assert (0, False, False, False) in kinds  # agent reply
    assert (2, False, True, False) in kinds  # private note
    assert (2, False, False, True) in kinds  # public note by the requester
    assert (2, True, False, True) in kinds  # note with incoming=true
    assert (0, True, True, True) in kinds  # private incoming message
    all_conv_ids = [c["id"] for cs in convs.values() for c in cs]
    assert len(all_conv_ids) == len(set(all_conv_ids)) and min(all_conv_ids) > 2**32
    # Stats agree with the status.
    for t in tickets[:500]:
        st = account.get_ticket(t["id"], archived=t["archived"], include={"stats": True})
        if st is None:
            continue
        stats = st["stats"]
        assert (stats["closed_at"] is not None) == (t["status"] == 5)
        assert (stats["pending_since"] is not None) == (t["status"] == 3)
        assert (stats["resolved_at"] is not None) == (t["status"] in (4, 5))
    assert account.time_entries and account.time_entries[0]["time_spent"].count(":") == 1


def test_determinism() -> None:
    a = FreshdeskAccount(SimulatorConfig(seed=5, tickets=400, now=NOW)).snapshot()
    b = FreshdeskAccount(SimulatorConfig(seed=5, tickets=400, now=NOW)).snapshot()
    c = FreshdeskAccount(SimulatorConfig(seed=6, tickets=400, now=NOW)).snapshot()
    for snap in (a, b, c):
        snap.pop("now")
    assert a == b
    assert a["tickets"] != c["tickets"]


def test_time_entries(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=400, now=NOW, time_entry_fraction=0.3, deleted_fraction=0.1)
    s = _session(sim)
    items, _ = _walk(s, f"{sim.url}/api/v2/time_entries", {"per_page": 50})
    visible = {tid for tid in sim.account.tickets if not (sim.account.is_deleted(tid) or sim.account.is_spam(tid))}
    expected = [e["id"] for e in sim.account.time_entries if e["ticket_id"] in visible]
    assert [e["id"] for e in items] == expected
    cutoff = items[len(items) // 2]["executed_at"]
    later, _ = _walk(s, f"{sim.url}/api/v2/time_entries", {"executed_after": cutoff, "per_page": 100})
    assert later and all(e["executed_at"] >= cutoff for e in later)
    tid = items[0]["ticket_id"]
    r = s.get(f"{sim.url}/api/v2/tickets/{tid}/time_entries", timeout=5)
    assert r.status_code == 200 and all(e["ticket_id"] == tid for e in r.json())
    deleted = next(tid for tid in sim.account.tickets if sim.account.is_deleted(tid))
    assert s.get(f"{sim.url}/api/v2/tickets/{deleted}/time_entries", timeout=5).status_code == 404


def test_updated_since_accepts_offsets(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=300, now=NOW)
    s = _session(sim)
    url = f"{sim.url}/api/v2/tickets"
    base = {"order_by": "updated_at", "order_type": "asc", "per_page": 100}
    z, _ = _walk(s, url, {**base, "updated_since": "2026-06-01T10:00:00Z"})
    offset, _ = _walk(s, url, {**base, "updated_since": "2026-06-01T12:00:00+02:00"})
    assert z and [t["id"] for t in z] == [t["id"] for t in offset]
    assert all(t["updated_at"] >= "2026-06-01T10:00:00Z" for t in z)


def test_keep_alive_and_stop(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=50, now=NOW)
    auth = "Basic " + base64.b64encode(f"{sim.api_key}:X".encode()).decode()
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    for _ in range(3):
        conn.request("GET", "/api/v2/groups", headers={"Authorization": auth})
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    sock = conn.sock
    conn.request("GET", "/api/v2/agents/me", headers={"Authorization": auth})
    conn.getresponse().read()
    assert conn.sock is sock, "the same TCP connection served every request"
    sim.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/api/v2/groups", headers={"Authorization": auth})
        conn.getresponse()
    conn.close()


def test_admin_endpoints(make_simulator: MakeSim) -> None:
    sim = make_simulator(tickets=200, now=NOW)
    s = _session(sim)
    admin = f"{sim.url}/_simulator"
    s.get(f"{sim.url}/api/v2/tickets", timeout=5)
    stats = requests.get(f"{admin}/stats", timeout=5).json()
    assert stats["requests"] == 1 and stats["requests_by_kind"] == {"tickets_list": 1}
    assert requests.post(f"{admin}/reset_stats", timeout=5).json() == {"ok": True}
    assert sim.stats()["requests"] == 0, "admin calls are not counted"

    r = requests.post(f"{admin}/mutate", json={"op": "random", "n": 40, "seed": 1}, timeout=5)
    assert r.status_code == 200 and r.json()["result"]["ticket_ids"]
    tid = r.json()["result"]["ticket_ids"][0]
    r = requests.post(f"{admin}/mutate", json={"ops": [{"op": "add_group", "name": "Über Team"}]}, timeout=5)
    new_gid = r.json()["results"][0]
    live = next(t for t in sim.account.tickets if not any(sim.account.state(t).values()))
    r = requests.post(f"{admin}/mutate", json={"op": "move_to_group", "ticket_id": live, "group_id": new_gid})
    assert r.json()["result"]["group_id"] == new_gid
    assert requests.post(f"{admin}/mutate", json={"op": "delete_ticket", "ticket_id": 10**9}).status_code == 404
    assert requests.post(f"{admin}/mutate", json={"op": "no_such_op"}, timeout=5).status_code == 400

    r = requests.post(f"{admin}/configure", json={"latency_ms": 1, "rate_limit": 1000}, timeout=5)
    assert r.json()["rate_limit"] == 1000 and sim.config.latency_ms == 1
    assert requests.post(f"{admin}/configure", json={"tickets": 5}, timeout=5).status_code == 400

    truth = requests.get(f"{admin}/account", timeout=10).json()
    assert len(truth["tickets"]) == len(sim.account.tickets)
    assert truth["conversations"][str(tid)] == sim.account.conversations[tid]
    assert {g["id"] for g in truth["groups"]} == set(sim.account.groups)
    assert next(t for t in truth["tickets"] if t["id"] == live)["group_id"] == new_gid
    lean = requests.get(f"{admin}/account", params={"conversations": 0}, timeout=10).json()
    assert "conversations" not in lean and len(lean["tickets"]) == len(truth["tickets"])
    assert s.get(f"{sim.url}/api/v2/groups/{new_gid}", timeout=5).json()["name"] == "Über Team"
    assert sim.stats()["requests"] == 1


def test_cli_prints_url_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "freshdesk_provider.simulator", "--port", "0", "--tickets", "100", "--api-key", "k1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Freshdesk simulator ready:"), line
        fields = dict(part.split("=", 1) for part in line.split()[3:])
        assert fields["api_key"] == "k1"
        r = requests.get(f"{fields['url']}/api/v2/agents/me", auth=("k1", "X"), timeout=5)
        assert r.status_code == 200
        assert json.loads(r.text)["id"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_tls_mode_serves_https_with_a_self_signed_certificate() -> None:
    import urllib3

    from freshdesk_provider.simulator import FreshdeskSimulator, SimulatorConfig

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    with FreshdeskSimulator(SimulatorConfig(tickets=20, days=3, tls=True)) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        response = requests.get(f"{sim.url}/api/v2/groups", auth=(sim.api_key, "X"), verify=False, timeout=10)
        assert response.status_code == 200 and response.json()
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{sim.url}/api/v2/groups", auth=(sim.api_key, "X"), timeout=10)
