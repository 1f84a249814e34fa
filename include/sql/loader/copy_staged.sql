COPY pg_temp._fd_stage (seq, ticket_id, conversation_id, ord, has_conversations, payload) FROM STDIN
