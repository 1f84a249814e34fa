-- GET /groups is read in full, so a group missing from it no longer exists in Freshdesk.
-- The row stays (its payload documents what it was) but stops resolving.
UPDATE freshdesk_raw.groups g
SET removed_at = now(), loaded_at = now()
WHERE g.removed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_temp._fd_stage_groups s WHERE s.group_id = g.id)
