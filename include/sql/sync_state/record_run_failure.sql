UPDATE freshdesk_raw.sync_runs
SET status = 'failed', error = %(error)s, finished_at = clock_timestamp()
WHERE id = %(id)s
