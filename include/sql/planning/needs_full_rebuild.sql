-- A full rebuild when asked for (-infinity), or when the measures were never built (empty
-- tables next to contacts).
SELECT EXISTS (SELECT 1 FROM pg_temp._fd_planning_cells WHERE interval_start = '-infinity')
    OR (NOT EXISTS (SELECT 1 FROM freshdesk.queue_interval_handle_time)
        AND EXISTS (SELECT 1 FROM freshdesk.contacts WHERE queue_kind = 'Tickets'))
