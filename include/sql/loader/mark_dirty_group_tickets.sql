INSERT INTO freshdesk_raw.dirty_tickets (ticket_id)
SELECT t.id
FROM freshdesk_raw.tickets t
JOIN pg_temp._fd_groups_changed c ON c.group_id = t.group_id
