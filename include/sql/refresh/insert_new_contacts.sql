-- New or changed contacts, as positive deltas. A contact still present after the stale ones
-- were removed is identical to its new version, so the unique key decides what is new.
WITH added AS (
    INSERT INTO freshdesk.contacts (
        ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
        group_name, source_name, queue_name, channel
    )
    SELECT
        n.ticket_id, n.conversation_id, n.queue_kind, n.occurred_at, n.interval_start,
        n.group_name, n.source_name, n.queue_name, n.channel
    FROM pg_temp._fd_refresh_new n
    ON CONFLICT (ticket_id, COALESCE(conversation_id, 0)) DO NOTHING
    RETURNING interval_start, queue_name, group_name, source_name, queue_kind, channel
)
INSERT INTO pg_temp._fd_refresh_delta (interval_start, queue_name, group_name, source_name, queue_kind, channel, delta)
SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, count(*)
FROM added
GROUP BY interval_start, queue_name, group_name, source_name, queue_kind, channel
