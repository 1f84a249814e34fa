-- The conversations of the chosen bundle of each applied ticket; a conversation id listed
-- twice keeps its last occurrence.
INSERT INTO pg_temp._fd_load_conversations (id, ticket_id, seq, ord)
SELECT DISTINCT ON (c.conversation_id)
    c.conversation_id,
    c.ticket_id,
    c.seq,
    c.ord
FROM pg_temp._fd_stage c
JOIN pg_temp._fd_load_tickets l ON l.ticket_id = c.ticket_id AND l.seq = c.seq
JOIN pg_temp._fd_load_applied a ON a.ticket_id = c.ticket_id
WHERE c.conversation_id IS NOT NULL
ORDER BY c.conversation_id, c.seq DESC, c.ord DESC
