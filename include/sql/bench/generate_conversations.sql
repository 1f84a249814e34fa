-- Bench only: three conversations per ticket (a customer email, an agent reply, and a
-- requester's portal reply or a note); ids are ticket id * 4 + 0..2.
INSERT INTO freshdesk_raw.conversations (
    id, ticket_id, user_id, source, incoming, private, created_at, updated_at, payload
)
SELECT
    t.id * 4 + k,
    t.id,
    CASE k WHEN 1 THEN 5000 ELSE t.requester_id END,
    CASE WHEN k = 2 AND t.id %% 3 = 0 THEN 2 ELSE 0 END,
    k = 0,
    false,
    t.created_at + (k + 1) * interval '37 minutes',
    t.created_at + (k + 1) * interval '37 minutes',
    jsonb_build_object('id', t.id * 4 + k, 'ticket_id', t.id)
FROM freshdesk_raw.tickets t
CROSS JOIN generate_series(0, 2) AS k
