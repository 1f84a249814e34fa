-- Groups whose resolution changes with this read, so their tickets' queue names change:
-- new (their tickets counted as "Group <id>" until now), renamed, removed, or back again.
INSERT INTO pg_temp._fd_groups_changed (group_id)
SELECT COALESCE(n.group_id, g.id)
FROM (
    SELECT DISTINCT ON (s.group_id) s.group_id, s.payload->>'name' AS name
    FROM pg_temp._fd_stage_groups s
    ORDER BY s.group_id, s.seq DESC
) n
FULL JOIN freshdesk_raw.groups g ON g.id = n.group_id
WHERE CASE
    WHEN n.group_id IS NULL THEN g.removed_at IS NULL
    WHEN g.id IS NULL THEN true
    ELSE g.removed_at IS NOT NULL OR g.name IS DISTINCT FROM n.name
END
