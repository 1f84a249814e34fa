-- Every contact was derived again: the planning measures are rebuilt in full next time.
INSERT INTO freshdesk_raw.dirty_planning_cells (interval_start, queue_name)
VALUES ('-infinity', '')
ON CONFLICT DO NOTHING
