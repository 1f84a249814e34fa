-- Conversations Freshdesk no longer returns for an applied ticket stop existing (and counting).
WITH removed AS (
    DELETE FROM freshdesk_raw.conversations v
    USING pg_temp._fd_load_applied a
    WHERE v.ticket_id = a.ticket_id
      AND NOT EXISTS (
          SELECT 1 FROM pg_temp._fd_load_conversations n
          WHERE n.id = v.id AND n.ticket_id = v.ticket_id
      )
    RETURNING v.ticket_id
)
INSERT INTO pg_temp._fd_load_changed (ticket_id)
SELECT ticket_id FROM removed
