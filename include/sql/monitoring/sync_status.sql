SELECT stream, last_success_at, last_success_started_at, since_last_success, last_failure_at,
       last_error, healthy, watermark, last_success_rows_loaded
FROM freshdesk.sync_status
WHERE stream = ANY(%(streams)s)
