-- Bench only: %(tickets)s tickets spread evenly over %(days)s days from 2024-01-01, with a mix
-- of groups (some none), sources, deleted and spam tickets.
INSERT INTO freshdesk_raw.tickets (
    id, group_id, requester_id, responder_id, source, status, priority,
    spam, deleted, created_at, updated_at, payload
)
SELECT
    s.i,
    CASE WHEN s.i %% 20 = 0 THEN NULL ELSE 1 + (s.i * 7) %% %(groups)s END,
    1000000 + s.i,
    NULL,
    (ARRAY[1, 1, 1, 2, 3, 7, 9, 13])[1 + s.i %% 8],
    2,
    1,
    s.i %% 97 = 0,
    s.i %% 89 = 0,
    s.created,
    s.created + interval '1 hour',
    jsonb_build_object('id', s.i, 'subject', 'Generated ticket ' || s.i)
FROM (
    SELECT i, timestamptz '2024-01-01 00:00:00+00'
              + make_interval(secs => %(days)s * 86400.0 * i / %(tickets)s) AS created
    FROM generate_series(1, %(tickets)s) AS i
) s
