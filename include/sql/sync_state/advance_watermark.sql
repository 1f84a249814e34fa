-- Never backwards: a late or overlapping run must not make the next incremental read skip
-- back over (or forward past) what is already imported. Nor into the future: nothing updated
-- later than this moment can have been read (a backfill asked to end next month once set one
-- there, and the hourly sync skipped every change until then).
INSERT INTO freshdesk_raw.sync_watermarks AS w (stream, watermark, advanced_at, run_id, rows_loaded)
VALUES (%(stream)s, least(%(watermark)s::timestamptz, clock_timestamp()), now(), %(run_id)s, %(rows_loaded)s)
ON CONFLICT (stream) DO UPDATE SET
    watermark = excluded.watermark,
    advanced_at = excluded.advanced_at,
    run_id = excluded.run_id,
    rows_loaded = excluded.rows_loaded
WHERE excluded.watermark > w.watermark
