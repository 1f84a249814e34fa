-- Cells that lose some contacts. A count that would drop below zero means contacts and
-- volumes disagreed: the contacts > 0 check then fails the refresh instead of storing a
-- wrong number.
UPDATE freshdesk.queue_interval_volume q
SET contacts = q.contacts + n.delta
FROM pg_temp._fd_refresh_net n
WHERE q.interval_start = n.interval_start
  AND q.queue_name = n.queue_name
  AND n.delta < 0
  AND q.contacts + n.delta <> 0
