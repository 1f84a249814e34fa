-- Before the upsert, while the stored rows still say spam or deleted: a ticket whose applied
-- version is neither has been taken off spam or restored, and its older time entries, which
-- Freshdesk's time-entry list left out meanwhile, are read again by ticket (V017).
INSERT INTO freshdesk_raw.time_entries_to_reread (ticket_id)
SELECT l.ticket_id
FROM pg_temp._fd_load_tickets l
JOIN freshdesk_raw.tickets t ON t.id = l.ticket_id
JOIN pg_temp._fd_stage s ON s.seq = l.seq AND s.conversation_id IS NULL
WHERE (t.spam OR t.deleted)
  AND l.updated_at >= t.updated_at
  AND NOT COALESCE(freshdesk_raw.json_boolean(s.payload->'spam'), false)
  AND NOT COALESCE(freshdesk_raw.json_boolean(s.payload->'deleted'), false)
ON CONFLICT (ticket_id) DO NOTHING
