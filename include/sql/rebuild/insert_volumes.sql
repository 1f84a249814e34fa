INSERT INTO freshdesk.queue_interval_volume (
    interval_start, queue_name, group_name, source_name, queue_kind, channel, contacts
)
SELECT c.interval_start, c.queue_name, c.group_name, c.source_name, c.queue_kind, c.channel, count(*)
FROM freshdesk.contacts c
GROUP BY c.interval_start, c.queue_name, c.group_name, c.source_name, c.queue_kind, c.channel
-- Stored in key order, so the cells a refresh touches (neighbouring intervals) share pages.
ORDER BY c.interval_start, c.queue_name
