-- Bench only: the row-at-a-time baseline the COPY loader is compared with.
INSERT INTO freshdesk_raw.conversations AS v (
    id, ticket_id, user_id, source, incoming, private, created_at, updated_at, payload
)
VALUES (
    %(id)s, %(ticket_id)s, %(user_id)s, %(source)s, %(incoming)s, %(private)s,
    %(created_at)s, %(updated_at)s, %(payload)s
)
ON CONFLICT (id) DO UPDATE SET
    ticket_id = excluded.ticket_id,
    user_id = excluded.user_id,
    source = excluded.source,
    incoming = excluded.incoming,
    private = excluded.private,
    created_at = excluded.created_at,
    updated_at = excluded.updated_at,
    payload = excluded.payload
