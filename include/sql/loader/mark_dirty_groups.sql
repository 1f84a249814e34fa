-- Expanded into tickets again by the refresh, under its lock: that also catches tickets of
-- these groups loaded by transactions still in flight now.
INSERT INTO freshdesk_raw.dirty_groups (group_id)
SELECT group_id FROM pg_temp._fd_groups_changed
