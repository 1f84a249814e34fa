-- New contacts are inserted; changed ones are updated in place. The key (ticket,
-- conversation) does not change, and contacts' pages keep room (fillfactor, V011), so an
-- update stays on its page (HOT) without touching the index: on a large warehouse each
-- changed ticket costs one page of contacts, not a page plus an index page plus a new page.
INSERT INTO freshdesk.contacts AS c (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT
    f.ticket_id, f.conversation_id, f.queue_kind, f.occurred_at, f.interval_start,
    f.group_name, f.source_name, f.queue_name, f.channel
FROM pg_temp._fd_refresh_fresh f
ORDER BY f.ticket_id, f.conversation_id NULLS FIRST
ON CONFLICT (ticket_id, COALESCE(conversation_id, 0)) DO UPDATE SET
    queue_kind = excluded.queue_kind,
    occurred_at = excluded.occurred_at,
    interval_start = excluded.interval_start,
    group_name = excluded.group_name,
    source_name = excluded.source_name,
    queue_name = excluded.queue_name,
    channel = excluded.channel
