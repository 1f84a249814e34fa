-- Records this read of GET /groups as the one freshdesk_raw.groups mirrors, unless a read that
-- began later is already applied: then no row is written, and the caller skips this read.
INSERT INTO freshdesk_raw.groups_read AS r (only_row, read_at, applied_at)
VALUES (true, %(read_at)s, now())
ON CONFLICT (only_row) DO UPDATE SET
    read_at = excluded.read_at,
    applied_at = excluded.applied_at
WHERE r.read_at <= excluded.read_at
