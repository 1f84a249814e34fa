COPY pg_temp._fd_stage_conversations (seq, ord, ticket_id, conversation_id, payload) FROM STDIN
