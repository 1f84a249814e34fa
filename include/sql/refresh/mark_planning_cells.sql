-- A re-derived ticket's handle time and response times may have moved (its queue) or changed
-- (its stats, its status): its Tickets cells before and after, for refresh_planning_measures.
INSERT INTO freshdesk_raw.dirty_planning_cells (interval_start, queue_name)
SELECT interval_start, queue_name FROM pg_temp._fd_refresh_old WHERE queue_kind = 'Tickets'
UNION
SELECT interval_start, queue_name FROM pg_temp._fd_refresh_new WHERE queue_kind = 'Tickets'
ON CONFLICT DO NOTHING
