-- Versions already imported in a read window: lets a re-read skip the conversations of tickets
-- whose listed version is the stored one (the incremental run's overlap, a repeated backfill).
-- Capped by the caller (LIMIT), so memory stays bounded whatever the window.
SELECT id, updated_at, deleted, spam
FROM freshdesk_raw.tickets
WHERE updated_at >= %(since)s
  AND (%(until)s::timestamptz IS NULL OR updated_at < %(until)s::timestamptz)
LIMIT %(limit)s
