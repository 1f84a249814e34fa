-- V002: watermarks per stream and a log of import runs.

CREATE TABLE freshdesk_raw.sync_watermarks (
    stream        text        PRIMARY KEY,
    watermark     timestamptz NOT NULL,
    advanced_at   timestamptz NOT NULL DEFAULT now(),
    run_id        text,
    rows_loaded   bigint
);
COMMENT ON TABLE freshdesk_raw.sync_watermarks IS
    'Per stream, the largest Freshdesk updated_at fully imported; the incremental sync resumes from it. Never moves backwards.';
COMMENT ON COLUMN freshdesk_raw.sync_watermarks.stream IS 'Stream name, e.g. tickets, tickets_deleted, tickets_spam.';
COMMENT ON COLUMN freshdesk_raw.sync_watermarks.watermark IS 'Largest updated_at imported for the stream (UTC).';
COMMENT ON COLUMN freshdesk_raw.sync_watermarks.advanced_at IS 'When the watermark last moved forward.';
COMMENT ON COLUMN freshdesk_raw.sync_watermarks.run_id IS 'Airflow run that last moved the watermark.';
COMMENT ON COLUMN freshdesk_raw.sync_watermarks.rows_loaded IS 'Rows that run loaded for the stream.';

CREATE TABLE freshdesk_raw.sync_runs (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dag_id        text        NOT NULL,
    run_id        text        NOT NULL,
    stream        text        NOT NULL,
    window_start  timestamptz,
    window_end    timestamptz,
    status        text        NOT NULL DEFAULT 'running'
                              CHECK (status IN ('running', 'success', 'failed')),
    rows_loaded   bigint,
    counts        jsonb,
    error         text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
-- sync_status looks up the latest success/failure per stream.
CREATE INDEX sync_runs_stream_status_idx ON freshdesk_raw.sync_runs (stream, status, finished_at DESC);
CREATE INDEX sync_runs_run_idx ON freshdesk_raw.sync_runs (dag_id, run_id);

COMMENT ON TABLE freshdesk_raw.sync_runs IS
    'One row per import attempt of a stream (task tries and backfill slices each get their own row).';
COMMENT ON COLUMN freshdesk_raw.sync_runs.id IS 'Run record id, returned by record_run_start.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.dag_id IS 'Airflow DAG id.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.run_id IS 'Airflow run id.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.stream IS 'Stream imported, e.g. tickets, tickets_deleted, tickets_spam, groups.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.window_start IS 'Start of the updated_at window read (inclusive), when known.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.window_end IS 'End of the updated_at window read (exclusive); NULL means up to now.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.status IS 'running, success or failed.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.rows_loaded IS 'Rows loaded by the run.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.counts IS 'Further counts reported by the run (JSON object).';
COMMENT ON COLUMN freshdesk_raw.sync_runs.error IS 'Error of a failed run.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN freshdesk_raw.sync_runs.finished_at IS 'When the run succeeded or failed.';
