COPY pg_temp._fd_stage_tickets (seq, ticket_id, has_conversations, payload) FROM STDIN
