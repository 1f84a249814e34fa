-- Stale contacts with no new version (a conversation removed or no longer a customer
-- message). Changed ones are updated in place by upsert_fresh_contacts.sql instead.
DELETE FROM freshdesk.contacts c
USING (
    SELECT ticket_id, COALESCE(conversation_id, 0) AS conversation_key FROM pg_temp._fd_refresh_stale
    EXCEPT
    SELECT ticket_id, COALESCE(conversation_id, 0) FROM pg_temp._fd_refresh_fresh
) gone
WHERE c.ticket_id = gone.ticket_id
  AND COALESCE(c.conversation_id, 0) = gone.conversation_key
