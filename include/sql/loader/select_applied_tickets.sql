-- Tickets whose staged version is the one now stored (written, or identical to what was
-- there) and whose conversations were read: their conversation lists replace the stored ones.
-- A ticket stored in a newer version keeps its conversations as they are.
INSERT INTO pg_temp._fd_load_applied (ticket_id)
SELECT l.ticket_id
FROM pg_temp._fd_load_tickets l
JOIN freshdesk_raw.tickets t ON t.id = l.ticket_id AND t.updated_at = l.updated_at
WHERE l.has_conversations
