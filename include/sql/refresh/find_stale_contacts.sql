-- Stored contacts that the counting rules no longer give exactly so: gone (conversation
-- removed) or changed (moved queue, ticket deleted, ...). EXCEPT compares every column and
-- treats NULLs as equal. Most ticket updates (status, agent replies, notes) leave the
-- contacts as they were and find nothing here.
INSERT INTO pg_temp._fd_refresh_stale (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
       group_name, source_name, queue_name, channel
FROM pg_temp._fd_refresh_old
EXCEPT ALL
SELECT ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
       group_name, source_name, queue_name, channel
FROM pg_temp._fd_refresh_new
