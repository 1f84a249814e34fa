-- Versions already imported in a read window: lets a re-read skip the conversations of tickets
-- whose listed version is the stored one (the incremental run's overlap, a repeated backfill).
-- Only rows of the list being read (its deleted/spam flags, NULL: any); capped by the caller
-- (LIMIT), so memory stays bounded whatever the window.
SELECT id, updated_at, deleted, spam
FROM freshdesk_raw.tickets
WHERE updated_at >= %(since)s
  AND (%(until)s::timestamptz IS NULL OR updated_at < %(until)s::timestamptz)
  AND (%(deleted)s::boolean IS NULL OR deleted = %(deleted)s::boolean)
  AND (%(spam)s::boolean IS NULL OR spam = %(spam)s::boolean)
LIMIT %(limit)s
