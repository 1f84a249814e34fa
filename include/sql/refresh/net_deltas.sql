-- Net change per (interval, queue) cell, beside the cell's current count. Cells whose
-- contacts only moved within themselves net to zero and are left alone.
INSERT INTO pg_temp._fd_refresh_net (
    interval_start, queue_name, group_name, source_name, queue_kind, channel, delta, current
)
SELECT d.interval_start, d.queue_name, d.group_name, d.source_name, d.queue_kind, d.channel, d.delta, q.contacts
FROM (
    SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, sum(delta)::integer AS delta
    FROM pg_temp._fd_refresh_delta
    GROUP BY interval_start, queue_name, group_name, source_name, queue_kind, channel
    HAVING sum(delta) <> 0
) d
LEFT JOIN freshdesk.queue_interval_volume q
       ON q.interval_start = d.interval_start AND q.queue_name = d.queue_name
