-- A ticket staged twice in one load keeps its newest version; on equal updated_at the one
-- read last (higher seq) wins, as it is the fresher read.
INSERT INTO pg_temp._fd_load_tickets (ticket_id, seq, has_conversations, updated_at)
SELECT DISTINCT ON (s.ticket_id)
    s.ticket_id, s.seq, s.has_conversations, s.updated_at
FROM (
    SELECT st.ticket_id, st.seq, st.has_conversations,
           freshdesk_raw.utc_timestamp(st.payload->>'updated_at') AS updated_at
    FROM pg_temp._fd_stage st
    WHERE st.conversation_id IS NULL
) s
ORDER BY s.ticket_id, s.updated_at DESC NULLS LAST, s.seq DESC
