-- Cells that lose all their contacts: intervals with no contacts have no row.
DELETE FROM freshdesk.queue_interval_volume q
USING pg_temp._fd_refresh_net n
WHERE q.interval_start = n.interval_start
  AND q.queue_name = n.queue_name
  AND n.delta < 0
  AND q.contacts + n.delta = 0
