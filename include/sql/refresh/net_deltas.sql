-- Net change per (interval, queue) cell: each stale contact leaves its cell (-1), each fresh
-- one enters its cell (+1). Cells whose contacts only moved within themselves net to zero
-- and are left alone.
INSERT INTO pg_temp._fd_refresh_net (interval_start, queue_name, group_name, source_name, queue_kind, channel, delta)
SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, sum(delta)::integer
FROM (
    SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, -1 AS delta
    FROM pg_temp._fd_refresh_stale
    UNION ALL
    SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, 1 AS delta
    FROM pg_temp._fd_refresh_fresh
) d
GROUP BY interval_start, queue_name, group_name, source_name, queue_kind, channel
HAVING sum(delta) <> 0
