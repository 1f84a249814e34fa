INSERT INTO freshdesk_raw.sync_runs (dag_id, run_id, stream, window_start, window_end, status)
VALUES (%(dag_id)s, %(run_id)s, %(stream)s, %(window_start)s, %(window_end)s, 'running')
RETURNING id
