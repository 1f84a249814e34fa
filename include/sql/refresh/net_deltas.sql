-- Net change per (interval, queue) cell. Cells whose contacts only moved within themselves
-- net to zero and are left alone.
INSERT INTO pg_temp._fd_refresh_net (interval_start, queue_name, group_name, source_name, queue_kind, channel, delta)
SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, sum(delta)::integer
FROM pg_temp._fd_refresh_delta
GROUP BY interval_start, queue_name, group_name, source_name, queue_kind, channel
HAVING sum(delta) <> 0
