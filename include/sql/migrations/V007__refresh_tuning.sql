-- V007: tuning for the incremental refresh on large warehouses.

-- Room in the pages of tables updated in place, so that updates can stay on their page (HOT)
-- and skip index maintenance: volume counts change on every refresh, and a re-imported ticket
-- or conversation is rewritten. Applies to pages written from now on.
ALTER TABLE freshdesk.queue_interval_volume SET (fillfactor = 85);
ALTER TABLE freshdesk_raw.tickets SET (fillfactor = 90);
ALTER TABLE freshdesk_raw.conversations SET (fillfactor = 90);

-- Same rules and columns as V004. The Replies branch now takes ticket_id from the ticket, so
-- the refresh's ticket filter selects each changed ticket once and reaches its conversations
-- through conversations(ticket_id), instead of looking the ticket up again per conversation.
CREATE OR REPLACE VIEW freshdesk_raw.contacts_derived AS
SELECT
    c.ticket_id,
    c.conversation_id,
    c.queue_kind,
    c.occurred_at,
    freshdesk.interval_15m(c.occurred_at) AS interval_start,
    CASE WHEN c.is_unknown THEN NULL ELSE c.group_name END AS group_name,
    CASE WHEN c.is_unknown THEN NULL ELSE c.source_name END AS source_name,
    CASE WHEN c.is_unknown THEN 'Unknown group/source ' || c.queue_kind
         ELSE c.group_name || ' ' || c.source_name || ' ' || c.queue_kind
    END AS queue_name,
    'Cases'::text AS channel
FROM (
    -- Rule 1: every ticket is one contact at its created_at, named by the ticket's source.
    SELECT
        t.id AS ticket_id,
        NULL::bigint AS conversation_id,
        'Tickets'::text AS queue_kind,
        t.created_at AS occurred_at,
        (t.deleted OR t.spam) AS is_unknown,
        CASE WHEN t.group_id IS NULL THEN 'No group'
             ELSE COALESCE(g.name, 'Group ' || t.group_id) END AS group_name,
        COALESCE(ts.source_name, 'source_' || COALESCE(t.source::text, 'unknown')) AS source_name
    FROM freshdesk_raw.tickets t
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.ticket_source_names ts ON ts.source = t.source
    UNION ALL
    -- Rule 2: a customer message is one contact at its own created_at, named by its own source.
    SELECT
        t.id,
        v.id,
        'Replies'::text,
        v.created_at,
        (t.deleted OR t.spam),
        CASE WHEN t.group_id IS NULL THEN 'No group'
             ELSE COALESCE(g.name, 'Group ' || t.group_id) END,
        COALESCE(cs.source_name, 'source_' || COALESCE(v.source::text, 'unknown'))
    FROM freshdesk_raw.tickets t
    JOIN freshdesk_raw.conversations v ON v.ticket_id = t.id
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.conversation_source_names cs ON cs.source = v.source
    WHERE v.private IS FALSE
      AND v.source IS DISTINCT FROM 2
      AND (v.incoming IS TRUE OR v.user_id = t.requester_id)
) c;
