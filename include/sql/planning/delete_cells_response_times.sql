DELETE FROM freshdesk.queue_interval_response_times r
USING pg_temp._fd_planning_cells d
WHERE r.interval_start = d.interval_start
  AND r.queue_name = d.queue_name
