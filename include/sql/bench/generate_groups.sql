-- Bench only: a scratch warehouse's groups.
INSERT INTO freshdesk_raw.groups (id, name, payload)
SELECT g, 'Team ' || g, jsonb_build_object('id', g, 'name', 'Team ' || g)
FROM generate_series(1, %(groups)s) AS g
