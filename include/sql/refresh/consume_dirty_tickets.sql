-- Deletes only the marks this statement's snapshot sees: marks of loads still in flight stay
-- for the next refresh.
WITH consumed AS (
    DELETE FROM freshdesk_raw.dirty_tickets RETURNING ticket_id
)
INSERT INTO pg_temp._fd_refresh_tickets (ticket_id)
SELECT DISTINCT ticket_id FROM consumed
ON CONFLICT (ticket_id) DO NOTHING
