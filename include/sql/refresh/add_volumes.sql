-- Cells that gain contacts: one index probe each, inserting or adding.
INSERT INTO freshdesk.queue_interval_volume AS q (
    interval_start, queue_name, group_name, source_name, queue_kind, channel, contacts
)
SELECT n.interval_start, n.queue_name, n.group_name, n.source_name, n.queue_kind, n.channel, n.delta
FROM pg_temp._fd_refresh_net n
WHERE n.delta > 0
ON CONFLICT (interval_start, queue_name) DO UPDATE SET contacts = q.contacts + excluded.contacts
