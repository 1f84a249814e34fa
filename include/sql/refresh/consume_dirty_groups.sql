-- Expanded here rather than when the group changed, so that tickets of the group committed
-- since then are included.
WITH consumed AS (
    DELETE FROM freshdesk_raw.dirty_groups RETURNING group_id
)
INSERT INTO pg_temp._fd_refresh_tickets (ticket_id)
SELECT t.id
FROM freshdesk_raw.tickets t
WHERE t.group_id IN (SELECT group_id FROM consumed)
ON CONFLICT (ticket_id) DO NOTHING
