-- A conversation now listed under another ticket leaves its old ticket, whose contacts must
-- be derived again too.
INSERT INTO pg_temp._fd_load_changed (ticket_id)
SELECT v.ticket_id
FROM freshdesk_raw.conversations v
JOIN pg_temp._fd_load_conversations n ON n.id = v.id
WHERE v.ticket_id <> n.ticket_id
