-- V015: a backfill whose `end` lay in the future could store a watermark in the future (its
-- last, empty slice began there), and the hourly sync then skipped every change until that
-- date; since it never moves backwards, nothing repaired it. The run that stored it began its
-- transaction, and its reads, at advanced_at: everything updated before that was imported.
UPDATE freshdesk_raw.sync_watermarks
SET watermark = advanced_at
WHERE watermark > advanced_at;
