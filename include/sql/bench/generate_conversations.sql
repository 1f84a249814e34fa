-- Bench only: three conversations per ticket (a customer email, an agent reply, and a
-- requester's portal reply or a note); ids are ticket id * 4 + 0..2. The payload carries the
-- fields the loader reads, as Freshdesk sends them, so that a re-read of an unchanged
-- conversation is recognised as unchanged (as it is with real Freshdesk data).
INSERT INTO freshdesk_raw.conversations (
    id, ticket_id, user_id, source, incoming, private, created_at, updated_at, payload
)
SELECT
    c.id, c.ticket_id, c.user_id, c.source, c.incoming, false, c.created_at, c.created_at,
    jsonb_build_object(
        'id', c.id, 'ticket_id', c.ticket_id, 'user_id', c.user_id, 'source', c.source,
        'incoming', c.incoming, 'private', false,
        'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'updated_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
FROM (
    SELECT
        t.id * 4 + k AS id,
        t.id AS ticket_id,
        CASE k WHEN 1 THEN 5000 ELSE t.requester_id END AS user_id,
        CASE WHEN k = 2 AND t.id %% 3 = 0 THEN 2 ELSE 0 END AS source,
        k = 0 AS incoming,
        t.created_at + (k + 1) * interval '37 minutes' AS created_at
    FROM freshdesk_raw.tickets t
    CROSS JOIN generate_series(0, 2) AS k
) c
