-- Never backwards: a late or overlapping run must not make the next incremental read skip
-- back over (or forward past) what is already imported.
INSERT INTO freshdesk_raw.sync_watermarks AS w (stream, watermark, advanced_at, run_id, rows_loaded)
VALUES (%(stream)s, %(watermark)s, now(), %(run_id)s, %(rows_loaded)s)
ON CONFLICT (stream) DO UPDATE SET
    watermark = excluded.watermark,
    advanced_at = excluded.advanced_at,
    run_id = excluded.run_id,
    rows_loaded = excluded.rows_loaded
WHERE excluded.watermark > w.watermark
