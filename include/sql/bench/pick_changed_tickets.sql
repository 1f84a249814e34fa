-- Bench only: %(n)s tickets among those with id > %(after_id)s, one in every %(step)s, with
-- their conversations as stored (what Freshdesk would send again for them).
SELECT t.payload, t.id, t.group_id, t.requester_id, t.source, t.created_at, t.updated_at,
       COALESCE(jsonb_agg(v.payload ORDER BY v.id) FILTER (WHERE v.id IS NOT NULL), '[]'::jsonb)
FROM freshdesk_raw.tickets t
LEFT JOIN freshdesk_raw.conversations v ON v.ticket_id = t.id
WHERE t.id > %(after_id)s AND t.id %% %(step)s = %(offset)s
GROUP BY t.id
ORDER BY t.id
LIMIT %(n)s
