-- Contacts the counting rules give now that are not stored exactly so: new or changed.
INSERT INTO pg_temp._fd_refresh_fresh (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
       group_name, source_name, queue_name, channel
FROM pg_temp._fd_refresh_new
EXCEPT ALL
SELECT ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
       group_name, source_name, queue_name, channel
FROM pg_temp._fd_refresh_old
