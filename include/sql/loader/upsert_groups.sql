INSERT INTO freshdesk_raw.groups AS g (id, name, updated_at, removed_at, payload, loaded_at)
SELECT DISTINCT ON (s.group_id)
    s.group_id,
    s.payload->>'name',
    freshdesk_raw.utc_timestamp(s.payload->>'updated_at'),
    NULL,
    s.payload,
    now()
FROM pg_temp._fd_stage_groups s
ORDER BY s.group_id, s.seq DESC
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name,
    updated_at = excluded.updated_at,
    removed_at = NULL,
    payload = excluded.payload,
    loaded_at = excluded.loaded_at
WHERE g.payload IS DISTINCT FROM excluded.payload
   OR g.removed_at IS NOT NULL
