DELETE FROM freshdesk.queue_interval_handle_time h
USING pg_temp._fd_planning_cells d
WHERE h.interval_start = d.interval_start
  AND h.queue_name = d.queue_name
