"""The counting rules end to end on a real PostgreSQL: hand-made Freshdesk data with the
expected queue volumes written out by hand, checked against the warehouse and against
contact_truth (which the other tests then trust), plus rollups and local time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from contact_truth import (
    CONVERSATION_SOURCE_NAMES,
    TICKET_SOURCE_NAMES,
    conversation_source_name,
    expected_volumes,
    ticket_source_name,
)
from warehouse_support import (
    assert_volumes,
    conv,
    derived_volumes,
    group,
    read_volumes,
    ticket,
    utc,
    warehouse,
)

from freshdesk_provider.warehouse.loader import RawLoader
from freshdesk_provider.warehouse.refresh import rebuild_volumes, refresh_volumes
from freshdesk_provider.warehouse.sql import load_sql

EQUIPE = "Équipe \"Nord\" — O'Brien's"
SUPPORT = "Support"


def at(hhmmss: str) -> datetime:
    return utc(f"2024-03-01 {hhmmss}")


def cell(hhmmss: str, group_name: str | None, source: str | None, kind: str, n: int = 1) -> tuple[Any, Any]:
    queue = f"Unknown group/source {kind}" if group_name is None else f"{group_name} {source} {kind}"
    return (at(hhmmss), queue), (group_name, source, kind, n)


# Phase 1: every rule and edge of the contract once.
GROUPS_1 = [group(1, SUPPORT), group(2, EQUIPE), group(3, "Billing")]
T1_CONVS = [
    conv(101, 1, "2024-03-01 10:14:59", incoming=True),  # customer email, 1 s before :15
    conv(102, 1, "2024-03-01 10:20:00", user_id=5000),  # agent reply: not a contact
    conv(103, 1, "2024-03-01 10:21:00", user_id=5000, source=2, private=True),  # private note
    conv(104, 1, "2024-03-01 10:22:00", source=2),  # public note by the requester: a note
    conv(105, 1, "2024-03-01 10:23:00", incoming=True, private=True),  # incoming but private
    conv(106, 1, "2024-03-01 10:15:00"),  # portal reply by the requester (incoming=false), on :15
    conv(107, 1, "2024-03-01 10:30:00", source=9, incoming=True),  # phone reply on an email ticket
    conv(108, 1, "2024-03-01 10:31:00", source=42, incoming=True),  # unknown conversation source
    conv(109, 1, "2024-03-01 10:44:59", source=8, incoming=True),  # forwarded email
    conv(110, 1, "2024-03-01 10:45:00", source=6),  # survey feedback by the requester
]
TICKETS_1 = {
    1: ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-01 10:45:00", group_id=1, source=1),
    2: ticket(2, "2024-03-01 10:14:59", group_id=None, source=3),
    3: ticket(3, "2024-03-01 10:15:00", group_id=3, source=7),
    4: ticket(4, "2024-03-01 09:59:59", group_id=99, source=99),
    5: ticket(5, "2024-03-01 10:05:00", group_id=1, source=1, deleted=True),
    6: ticket(6, "2024-03-01 10:06:00", group_id=2, source=2, spam=True),
    7: ticket(7, "2024-03-01 11:00:00", updated_at="2024-03-01 11:01:00", group_id=2, source=2, requester_id=2000),
    8: ticket(8, "2024-03-01 09:45:00", group_id=1, source=13),
}
CONVS_1: dict[int, list[dict[str, Any]] | None] = {
    1: T1_CONVS,
    2: [conv(201, 2, "2024-03-01 10:16:00", source=9, incoming=True)],
    3: [],
    4: [],
    5: [conv(501, 5, "2024-03-01 10:50:00", incoming=True)],
    6: [conv(601, 6, "2024-03-01 10:07:00", user_id=5000)],
    7: [conv(701, 7, "2024-03-01 11:01:00", user_id=2000)],
    8: [conv(801, 8, "2024-03-01 09:50:00", user_id=None, incoming=False)],
}
EXPECTED_1 = dict(
    [
        cell("09:45:00", "Group 99", "source_99", "Tickets"),
        cell("09:45:00", SUPPORT, "whatsapp", "Tickets"),
        cell("10:00:00", SUPPORT, "email", "Tickets"),
        cell("10:00:00", SUPPORT, "email", "Replies"),  # 101
        cell("10:15:00", SUPPORT, "email", "Replies"),  # 106
        cell("10:30:00", SUPPORT, "phone", "Replies"),  # 107
        cell("10:30:00", SUPPORT, "source_42", "Replies"),  # 108
        cell("10:30:00", SUPPORT, "email", "Replies"),  # 109
        cell("10:45:00", SUPPORT, "survey", "Replies"),  # 110
        cell("10:00:00", "No group", "phone", "Tickets"),
        cell("10:15:00", "No group", "phone", "Replies"),  # 201
        cell("10:15:00", "Billing", "chat", "Tickets"),
        cell("10:00:00", None, None, "Tickets", 2),  # deleted 5, spam 6
        cell("10:45:00", None, None, "Replies"),  # 501 of the deleted ticket
        cell("11:00:00", EQUIPE, "portal", "Tickets"),
        cell("11:00:00", EQUIPE, "email", "Replies"),  # 701: requester 2000 on the portal
    ]
)

# Phase 2: group 3 vanishes; ticket 1 moves to group 2 and loses its phone reply; ticket 5 is
# restored; ticket 6 is no longer spam; ticket 2 is deleted (its conversations unreadable: None);
# an older version of ticket 7 arrives late.
GROUPS_2 = [group(1, SUPPORT), group(2, EQUIPE)]
TICKETS_2 = {
    1: ticket(1, "2024-03-01 10:00:00", updated_at="2024-03-02 08:00:00", group_id=2, source=1),
    5: ticket(5, "2024-03-01 10:05:00", updated_at="2024-03-02 08:00:00", group_id=1, source=1),
    6: ticket(6, "2024-03-01 10:06:00", updated_at="2024-03-02 08:00:00", group_id=2, source=2),
    2: ticket(2, "2024-03-01 10:14:59", updated_at="2024-03-02 08:00:00", group_id=None, source=3, deleted=True),
}
CONVS_2: dict[int, list[dict[str, Any]] | None] = {
    1: [c for c in T1_CONVS if c["id"] != 107],
    5: [conv(501, 5, "2024-03-01 10:50:00", incoming=True)],
    6: [conv(601, 6, "2024-03-01 10:07:00", user_id=5000)],
    2: None,
}
STALE_T7 = ticket(7, "2024-03-01 11:00:00", updated_at="2024-03-01 11:00:30", group_id=1, source=1, requester_id=2000)
EXPECTED_2 = dict(
    [
        cell("09:45:00", "Group 99", "source_99", "Tickets"),
        cell("09:45:00", SUPPORT, "whatsapp", "Tickets"),
        cell("10:00:00", SUPPORT, "email", "Tickets"),  # restored 5
        cell("10:45:00", SUPPORT, "email", "Replies"),  # 501 back from Unknown
        cell("10:00:00", EQUIPE, "email", "Tickets"),  # 1 moved
        cell("10:00:00", EQUIPE, "email", "Replies"),
        cell("10:15:00", EQUIPE, "email", "Replies"),
        cell("10:30:00", EQUIPE, "source_42", "Replies"),
        cell("10:30:00", EQUIPE, "email", "Replies"),
        cell("10:45:00", EQUIPE, "survey", "Replies"),
        cell("10:00:00", EQUIPE, "portal", "Tickets"),  # 6 no longer spam
        cell("10:15:00", "Group 3", "chat", "Tickets"),  # group 3 vanished
        cell("10:00:00", None, None, "Tickets"),  # 2 deleted
        cell("10:15:00", None, None, "Replies"),  # 201 kept although unreadable now
        cell("11:00:00", EQUIPE, "portal", "Tickets"),
        cell("11:00:00", EQUIPE, "email", "Replies"),
    ]
)


def _truth(groups: list[dict[str, Any]], tickets: dict[int, Any], convs: dict[int, Any]) -> Any:
    return expected_volumes({g["id"]: g for g in groups}, tickets, convs)


def test_contact_truth_agrees_with_the_hand_written_expectations() -> None:
    assert _truth(GROUPS_1, TICKETS_1, CONVS_1) == EXPECTED_1
    tickets = {**TICKETS_1, **TICKETS_2}
    convs = {**CONVS_1, **{k: v for k, v in CONVS_2.items() if v is not None}}
    assert _truth(GROUPS_2, tickets, convs) == EXPECTED_2


def test_counting_rules_phase_by_phase(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load_groups(GROUPS_1)
        loader.load([(TICKETS_1[i], CONVS_1[i]) for i in sorted(TICKETS_1)])
        refresh_volumes(conn)
        conn.commit()
        assert_volumes(read_volumes(conn), EXPECTED_1)

        loader.load_groups(GROUPS_2)
        loader.load([(TICKETS_2[i], CONVS_2[i]) for i in TICKETS_2] + [(STALE_T7, [])])
        stats = refresh_volumes(conn)
        conn.commit()
        assert_volumes(read_volumes(conn), EXPECTED_2)
        assert stats.tickets == 5  # 1, 2, 5, 6 changed; 3 through its vanished group; not 7

        # A full rebuild agrees with the incremental result, and so does the view.
        assert_volumes(derived_volumes(conn), EXPECTED_2)
        rebuild_volumes(conn)
        conn.commit()
        assert_volumes(read_volumes(conn), EXPECTED_2)


def test_contacts_table_rows(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        loader.load_groups(GROUPS_1)
        loader.load([(TICKETS_1[i], CONVS_1[i]) for i in sorted(TICKETS_1)])
        refresh_volumes(conn)
        rows = conn.execute(
            "SELECT ticket_id, conversation_id, queue_kind, occurred_at, interval_start, group_name,"
            " source_name, queue_name, channel FROM freshdesk.contacts WHERE ticket_id IN (1, 6)"
            " ORDER BY ticket_id, conversation_id NULLS FIRST"
        ).fetchall()
    assert rows == [
        (1, None, "Tickets", at("10:00:00"), at("10:00:00"), SUPPORT, "email", "Support email Tickets", "Cases"),
        (1, 101, "Replies", at("10:14:59"), at("10:00:00"), SUPPORT, "email", "Support email Replies", "Cases"),
        (1, 106, "Replies", at("10:15:00"), at("10:15:00"), SUPPORT, "email", "Support email Replies", "Cases"),
        (1, 107, "Replies", at("10:30:00"), at("10:30:00"), SUPPORT, "phone", "Support phone Replies", "Cases"),
        (1, 108, "Replies", at("10:31:00"), at("10:30:00"), SUPPORT, "source_42", "Support source_42 Replies", "Cases"),
        (1, 109, "Replies", at("10:44:59"), at("10:30:00"), SUPPORT, "email", "Support email Replies", "Cases"),
        (1, 110, "Replies", at("10:45:00"), at("10:45:00"), SUPPORT, "survey", "Support survey Replies", "Cases"),
        (6, None, "Tickets", at("10:06:00"), at("10:00:00"), None, None, "Unknown group/source Tickets", "Cases"),
    ]


def test_groups_that_come_back_renamed_and_tickets_seen_before_their_group(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        loader = RawLoader(conn)
        # The ticket arrives before any groups read: its group does not resolve yet.
        loader.load([(ticket(1, "2024-03-01 10:00:00", group_id=3), []), (ticket(2, "2024-03-01 10:00:00"), [])])
        refresh_volumes(conn)
        assert set(q for _, q in read_volumes(conn)) == {"Group 3 email Tickets", "Group 1 email Tickets"}
        loader.load_groups([group(1, "Support"), group(3, "Billing")])
        refresh_volumes(conn)
        assert set(q for _, q in read_volumes(conn)) == {"Billing email Tickets", "Support email Tickets"}
        loader.load_groups([group(1, "Support")])  # 3 removed
        refresh_volumes(conn)
        assert set(q for _, q in read_volumes(conn)) == {"Group 3 email Tickets", "Support email Tickets"}
        loader.load_groups([group(1, "Support 'EMEA'"), group(3, "Billing & Co")])  # back, and a rename
        refresh_volumes(conn)
        assert set(q for _, q in read_volumes(conn)) == {"Billing & Co email Tickets", "Support 'EMEA' email Tickets"}
        assert_volumes(read_volumes(conn), derived_volumes(conn))


def test_source_names_follow_the_contract(warehouse_dsn: str) -> None:
    # Past integer (and bigint) too: such a value once failed every load of its ticket. 3.0 is 3.
    odd = [2**31, -(2**31) - 1, 2**63, 3.0]
    ticket_sources = [*range(0, 16), 99, 1000, -1, *odd]
    conversation_sources = [*range(0, 14), 99, *odd]
    tickets = {
        i: ticket(i, "2024-03-01 10:00:00", source=s, group_id=1) for i, s in enumerate(ticket_sources, start=1)
    }
    convs = {
        1: [
            conv(100 + j, 1, "2024-03-01 11:00:00", source=s, incoming=True)
            for j, s in enumerate(conversation_sources)
        ]
    }
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(tickets[i], convs.get(i, [])) for i in tickets])
        refresh_volumes(conn)
        assert_volumes(read_volumes(conn), expected_volumes({}, tickets, convs))
        for s in ticket_sources[: -len(odd)]:
            assert conn.execute("SELECT freshdesk.ticket_source_name(%s)", (s,)).fetchone()[0] == ticket_source_name(s)
        for s in conversation_sources[: -len(odd)]:
            assert (
                conn.execute("SELECT freshdesk.conversation_source_name(%s)", (s,)).fetchone()[0]
                == conversation_source_name(s)
            )
        assert dict(conn.execute("SELECT source, source_name FROM freshdesk.ticket_source_names").fetchall()) == (
            TICKET_SOURCE_NAMES
        )
        assert dict(conn.execute("SELECT source, source_name FROM freshdesk.conversation_source_names").fetchall()) == (
            CONVERSATION_SOURCE_NAMES
        )
    queues = {q for _, q in expected_volumes({}, tickets, convs)}
    assert "Group 1 source_14 Tickets" in queues and "Group 1 source_-1 Tickets" in queues
    assert "Group 1 email Replies" in queues and "Group 1 source_1 Replies" in queues
    assert "Group 1 source_2147483648 Tickets" in queues and "Group 1 source_9223372036854775808 Replies" in queues
    assert "Group 1 phone Tickets" in queues  # 3.0
    assert not any(q.endswith("source_2 Replies") for q in queues)  # a note never counts


def test_intervals_are_utc_aligned_whatever_the_session_time_zone(warehouse_dsn: str) -> None:
    tickets = {
        1: ticket(1, "2024-03-01 23:59:59"),
        2: ticket(2, "2024-03-02 00:00:00"),
        3: ticket(3, "2024-03-02 00:14:59"),
        4: ticket(4, "2024-03-02 00:15:00"),
    }
    with warehouse(warehouse_dsn) as conn:
        conn.execute("SET TimeZone = 'Asia/Kolkata'")  # +05:30: a zone offset must not shift buckets
        RawLoader(conn).load([(t, []) for t in tickets.values()])
        refresh_volumes(conn)
        starts = sorted({k[0] for k in read_volumes(conn)})
        # Also a timestamp without a zone is read as UTC, not as the session's time zone.
        RawLoader(conn).load([({**ticket(5, "2024-03-02 00:30:00"), "created_at": "2024-03-02T00:30:00"}, [])])
        refresh_volumes(conn)
        naive = conn.execute("SELECT interval_start FROM freshdesk.contacts WHERE ticket_id = 5").fetchone()[0]
    assert starts == [utc("2024-03-01 23:45:00"), utc("2024-03-02 00:00:00"), utc("2024-03-02 00:15:00")]
    assert naive == utc("2024-03-02 00:30:00")


def _every_interval(first: str, last: str) -> dict[int, dict[str, Any]]:
    """One ticket in every 15-minute UTC interval from first to last (inclusive)."""
    tickets = {}
    moment, end = utc(first), utc(last)
    i = 1
    while moment <= end:
        tickets[i] = ticket(i, (moment + timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M:%S"), group_id=1)
        moment += timedelta(minutes=15)
        i += 1
    return tickets


def test_rollup_views_sum_the_15_minute_volumes(warehouse_dsn: str) -> None:
    tickets = _every_interval("2024-03-01 22:00:00", "2024-03-02 02:45:00")
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(t, [conv(10_000 + i, i, t["created_at"][:19].replace("T", " "), incoming=True)])
                              for i, t in tickets.items()])
        refresh_volumes(conn)
        v30 = conn.execute(
            "SELECT interval_start, queue_name, contacts FROM freshdesk.queue_volume_30m ORDER BY 1, 2"
        ).fetchall()
        v60 = conn.execute(
            "SELECT interval_start, queue_name, contacts FROM freshdesk.queue_volume_60m ORDER BY 1, 2"
        ).fetchall()
        daily = conn.execute(
            "SELECT day::text, queue_name, contacts FROM freshdesk.queue_volume_daily ORDER BY 1, 2"
        ).fetchall()
    assert len(v30) == 2 * 10 and {r[2] for r in v30} == {2}
    assert v30[0][0] == utc("2024-03-01 22:00:00") and v30[2][0] == utc("2024-03-01 22:30:00")
    assert len(v60) == 2 * 5 and {r[2] for r in v60} == {4}
    assert daily == [
        ("2024-03-01", "Group 1 email Replies", 8),
        ("2024-03-01", "Group 1 email Tickets", 8),
        ("2024-03-02", "Group 1 email Replies", 12),
        ("2024-03-02", "Group 1 email Tickets", 12),
    ]


@pytest.mark.parametrize(
    ("local_day", "first_utc", "last_utc", "hours"),
    [
        ("2024-03-31", "2024-03-30 23:00:00", "2024-03-31 21:45:00", 23),  # spring forward
        ("2024-10-27", "2024-10-26 22:00:00", "2024-10-27 22:45:00", 25),  # fall back
        ("2024-06-15", "2024-06-14 22:00:00", "2024-06-15 21:45:00", 24),
    ],
)
def test_local_time_in_a_dst_zone(
    warehouse_dsn: str, local_day: str, first_utc: str, last_utc: str, hours: int
) -> None:
    # One contact in every 15-minute interval of the Berlin day, plus one on either side.
    tickets = _every_interval(
        (utc(first_utc) - timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M:%S"),
        (utc(last_utc) + timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M:%S"),
    )
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(t, []) for t in tickets.values()])
        refresh_volumes(conn)
        daily = dict(
            conn.execute(
                "SELECT local_date::text, contacts FROM freshdesk.queue_volume_local_daily('Europe/Berlin')"
            ).fetchall()
        )
        q15 = conn.execute(
            "SELECT local_interval_start, interval_start, utc_offset, contacts"
            " FROM freshdesk.queue_volume_local('Europe/Berlin') WHERE local_interval_start::date = %s::date"
            " ORDER BY interval_start",
            (local_day,),
        ).fetchall()
        q60 = conn.execute(
            "SELECT local_interval_start, interval_start, contacts"
            " FROM freshdesk.queue_volume_local('Europe/Berlin', 60) WHERE local_interval_start::date = %s::date"
            " ORDER BY interval_start",
            (local_day,),
        ).fetchall()
        conn.execute("SET TimeZone = 'Europe/Berlin'")
        view_rows = conn.execute(
            "SELECT count(*) FROM freshdesk.queue_interval_volume_local WHERE local_interval_start::date = %s::date",
            (local_day,),
        ).fetchone()[0]
    assert daily[local_day] == hours * 4
    assert len(q15) == hours * 4 and view_rows == hours * 4
    assert q15[0][1] == utc(first_utc) and q15[-1][1] == utc(last_utc)
    assert all(local == start.astimezone(timezone.utc).replace(tzinfo=None) + offset for local, start, offset, _ in q15)
    assert len(q60) == hours and {r[2] for r in q60} == {4}
    locals_ = [r[0] for r in q60]
    if hours == 25:  # 02:00 local happens twice, as two buckets with different UTC starts
        assert locals_.count(datetime.fromisoformat(f"{local_day} 02:00:00")) == 2
    if hours == 23:  # 02:00 local does not exist
        assert datetime.fromisoformat(f"{local_day} 02:00:00") not in locals_


def test_local_time_with_a_quarter_hour_offset_and_bad_bucket(warehouse_dsn: str) -> None:
    tickets = _every_interval("2024-03-01 00:00:00", "2024-03-01 01:45:00")
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(t, []) for t in tickets.values()])
        refresh_volumes(conn)
        rows = conn.execute(
            "SELECT local_interval_start, interval_start, contacts"
            " FROM freshdesk.queue_volume_local('Asia/Kathmandu', 60) ORDER BY interval_start"
        ).fetchall()
        conn.commit()
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("SELECT * FROM freshdesk.queue_volume_local('UTC', 20)")
    # Kathmandu is UTC+05:45: local hours start at :15 UTC.
    assert [(r[0].isoformat(), r[1].astimezone(timezone.utc).isoformat(), r[2]) for r in rows] == [
        ("2024-03-01T05:00:00", "2024-02-29T23:15:00+00:00", 1),
        ("2024-03-01T06:00:00", "2024-03-01T00:15:00+00:00", 4),
        ("2024-03-01T07:00:00", "2024-03-01T01:15:00+00:00", 3),
    ]


def test_consistency_check_used_by_the_dags(warehouse_dsn: str) -> None:
    with warehouse(warehouse_dsn) as conn:
        RawLoader(conn).load([(TICKETS_1[i], CONVS_1[i]) for i in sorted(TICKETS_1)])
        refresh_volumes(conn)
        check = load_sql("checks/queue_interval_volume_is_consistent.sql")
        assert all(conn.execute(check).fetchone())
        conn.execute("UPDATE freshdesk.queue_interval_volume SET contacts = contacts + 1 WHERE queue_kind = 'Replies'")
        assert conn.execute(check).fetchone() == (True, False, True, True, True)
