-- V009: GREATEST(0, NULL) is 0 in PostgreSQL (GREATEST ignores NULLs), so V008's derivation
-- counted a ticket without a first response as a zero-second first response. A duration is
-- now NULL when its event has not happened, and clamped at 0 only when it has.

CREATE OR REPLACE VIEW freshdesk_raw.ticket_response_times_derived AS
SELECT
    c.ticket_id,
    c.interval_start,
    c.queue_name,
    c.group_name,
    c.source_name,
    (t.payload ? 'stats' AND jsonb_typeof(t.payload->'stats') = 'object') AS has_stats,
    CASE WHEN fr.first_responded_at IS NOT NULL
         THEN GREATEST(0, extract(epoch FROM fr.first_responded_at - t.created_at))
    END AS first_response_seconds,
    -- Only a ticket that is resolved or closed now has a resolution time (a reopened ticket
    -- gets one again when it is resolved again).
    CASE WHEN t.status IN (4, 5) AND fr.resolved_at IS NOT NULL
         THEN GREATEST(0, extract(epoch FROM fr.resolved_at - t.created_at))
    END AS resolution_seconds
FROM freshdesk.contacts c
JOIN freshdesk_raw.tickets t ON t.id = c.ticket_id
CROSS JOIN LATERAL (
    SELECT
        freshdesk_raw.utc_timestamp(t.payload->'stats'->>'first_responded_at') AS first_responded_at,
        COALESCE(freshdesk_raw.utc_timestamp(t.payload->'stats'->>'resolved_at'),
                 freshdesk_raw.utc_timestamp(t.payload->'stats'->>'closed_at')) AS resolved_at
) fr
WHERE c.queue_kind = 'Tickets';

-- Rebuilt by the next import; until then, drop the wrong zeros.
DELETE FROM freshdesk.queue_interval_response_times;
