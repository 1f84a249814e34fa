-- The stored contacts of these tickets, read once (index scans by ticket; an array, so the
-- planner probes the index whatever the size of the warehouse). The pages read here are the
-- ones the changes below write, so those find them in the buffer cache.
INSERT INTO pg_temp._fd_refresh_old (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT
    c.ticket_id, c.conversation_id, c.queue_kind, c.occurred_at, c.interval_start,
    c.group_name, c.source_name, c.queue_name, c.channel
FROM freshdesk.contacts c
WHERE c.ticket_id = ANY (ARRAY(SELECT r.ticket_id FROM pg_temp._fd_refresh_tickets r))
