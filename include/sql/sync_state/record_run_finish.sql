UPDATE freshdesk_raw.sync_runs
SET status = 'success', rows_loaded = %(rows_loaded)s, counts = %(counts)s, error = NULL, finished_at = clock_timestamp()
WHERE id = %(id)s
