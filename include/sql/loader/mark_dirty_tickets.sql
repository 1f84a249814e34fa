INSERT INTO freshdesk_raw.dirty_tickets (ticket_id)
SELECT DISTINCT ticket_id FROM pg_temp._fd_load_changed
