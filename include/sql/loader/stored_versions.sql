-- Versions already imported in a read window: lets a re-read skip the conversations of tickets
-- whose listed version is the stored one (the incremental run's overlap, a repeated backfill).
-- Only versions written at least %(min_read_lag)s after their updated_at: Freshdesk's updated_at
-- has whole seconds, so a reply added in the same second as an earlier read leaves the listed
-- version as it was; a version whose conversations were read that close to it is read again.
-- loaded_at is the start of the writing transaction, which ingest begins before any read (so
-- the read came later still); the margin also covers clock skew between Freshdesk and the
-- warehouse. Only rows of the list being read (its deleted/spam flags, NULL: any); capped by
-- the caller (LIMIT), so memory stays bounded whatever the window.
SELECT id, updated_at, deleted, spam
FROM freshdesk_raw.tickets
WHERE updated_at >= %(since)s
  AND (%(until)s::timestamptz IS NULL OR updated_at < %(until)s::timestamptz)
  AND (%(deleted)s::boolean IS NULL OR deleted = %(deleted)s::boolean)
  AND (%(spam)s::boolean IS NULL OR spam = %(spam)s::boolean)
  AND loaded_at >= updated_at + %(min_read_lag)s::interval
LIMIT %(limit)s
