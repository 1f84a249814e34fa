-- V006: a view of import health per stream for dashboards and alerting.

CREATE VIEW freshdesk.sync_status AS
SELECT
    s.stream,
    w.watermark,
    now() - w.watermark AS lag,
    w.advanced_at AS watermark_advanced_at,
    ok.finished_at AS last_success_at,
    ok.run_id AS last_success_run_id,
    bad.finished_at AS last_failure_at,
    bad.run_id AS last_failure_run_id,
    bad.error AS last_error,
    (bad.finished_at IS NULL OR COALESCE(ok.finished_at > bad.finished_at, false)) AS healthy,
    (SELECT count(*) FROM freshdesk_raw.sync_runs r
      WHERE r.stream = s.stream AND r.status = 'running') AS runs_in_progress
FROM (
    SELECT stream FROM freshdesk_raw.sync_watermarks
    UNION
    SELECT DISTINCT stream FROM freshdesk_raw.sync_runs
) s
LEFT JOIN freshdesk_raw.sync_watermarks w ON w.stream = s.stream
LEFT JOIN LATERAL (
    SELECT r.finished_at, r.run_id FROM freshdesk_raw.sync_runs r
    WHERE r.stream = s.stream AND r.status = 'success'
    ORDER BY r.finished_at DESC LIMIT 1
) ok ON true
LEFT JOIN LATERAL (
    SELECT r.finished_at, r.run_id, r.error FROM freshdesk_raw.sync_runs r
    WHERE r.stream = s.stream AND r.status = 'failed'
    ORDER BY r.finished_at DESC LIMIT 1
) bad ON true;

COMMENT ON VIEW freshdesk.sync_status IS 'Import health per stream: watermark and lag, last success, last failure and its error.';
COMMENT ON COLUMN freshdesk.sync_status.stream IS 'Stream name (tickets, tickets_deleted, tickets_spam, ...).';
COMMENT ON COLUMN freshdesk.sync_status.watermark IS 'Largest Freshdesk updated_at imported for the stream.';
COMMENT ON COLUMN freshdesk.sync_status.lag IS 'How far the warehouse is behind now for the stream (now() - watermark).';
COMMENT ON COLUMN freshdesk.sync_status.watermark_advanced_at IS 'When the watermark last moved forward.';
COMMENT ON COLUMN freshdesk.sync_status.last_success_at IS 'When a run of the stream last succeeded.';
COMMENT ON COLUMN freshdesk.sync_status.last_success_run_id IS 'Airflow run id of that success.';
COMMENT ON COLUMN freshdesk.sync_status.last_failure_at IS 'When a run of the stream last failed.';
COMMENT ON COLUMN freshdesk.sync_status.last_failure_run_id IS 'Airflow run id of that failure.';
COMMENT ON COLUMN freshdesk.sync_status.last_error IS 'Error of the last failed run.';
COMMENT ON COLUMN freshdesk.sync_status.healthy IS 'True unless the latest finished run of the stream failed.';
COMMENT ON COLUMN freshdesk.sync_status.runs_in_progress IS 'Runs of the stream recorded as running.';
