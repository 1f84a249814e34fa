-- Conversations are versioned by their ticket (only applied tickets get here), so the
-- current list simply wins; unchanged rows are not rewritten. No ORDER BY (unlike tickets):
-- whoever writes a ticket's conversations holds that ticket's row lock, so two loads never
-- race for the same conversations.
WITH written AS (
    INSERT INTO freshdesk_raw.conversations AS v (
        id, ticket_id, user_id, source, incoming, private, created_at, updated_at, payload, loaded_at
    )
    SELECT
        n.id,
        n.ticket_id,
        freshdesk_raw.json_bigint(s.payload->'user_id'),
        freshdesk_raw.json_integer(s.payload->'source'),
        freshdesk_raw.json_boolean(s.payload->'incoming'),
        freshdesk_raw.json_boolean(s.payload->'private'),
        freshdesk_raw.utc_timestamp(s.payload->>'created_at'),
        freshdesk_raw.utc_timestamp(s.payload->>'updated_at'),
        s.payload,
        now()
    FROM pg_temp._fd_load_conversations n
    JOIN pg_temp._fd_stage s ON s.seq = n.seq AND s.ord = n.ord AND s.conversation_id IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET
        ticket_id = excluded.ticket_id,
        user_id = excluded.user_id,
        source = excluded.source,
        incoming = excluded.incoming,
        private = excluded.private,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        payload = excluded.payload,
        loaded_at = excluded.loaded_at
    WHERE v.ticket_id IS DISTINCT FROM excluded.ticket_id
       OR v.payload IS DISTINCT FROM excluded.payload
    RETURNING v.ticket_id
)
INSERT INTO pg_temp._fd_load_changed (ticket_id)
SELECT ticket_id FROM written
