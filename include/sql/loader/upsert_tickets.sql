-- One upsert for the whole load. A stored version newer than the staged one is kept, so loads
-- of the same ticket in either order end in the same state; an identical reload writes
-- nothing and marks nothing. Rows are taken in id order so that concurrent loads lock
-- overlapping tickets in the same order (no deadlock). Every staged ticket that already
-- existed stays locked until the caller commits, updated or not (ON CONFLICT DO UPDATE locks
-- the rows it skips), which keeps the "applied" check below stable.
WITH written AS (
    INSERT INTO freshdesk_raw.tickets AS t (
        id, group_id, requester_id, responder_id, source, status, priority,
        spam, deleted, created_at, updated_at, payload, loaded_at
    )
    -- The typed columns take what fits them (V016's json_* casts): an odd value stays in the
    -- payload only, and never fails the load.
    SELECT
        l.ticket_id,
        freshdesk_raw.json_bigint(s.payload->'group_id'),
        freshdesk_raw.json_bigint(s.payload->'requester_id'),
        freshdesk_raw.json_bigint(s.payload->'responder_id'),
        freshdesk_raw.json_integer(s.payload->'source'),
        freshdesk_raw.json_integer(s.payload->'status'),
        freshdesk_raw.json_integer(s.payload->'priority'),
        COALESCE(freshdesk_raw.json_boolean(s.payload->'spam'), false),
        COALESCE(freshdesk_raw.json_boolean(s.payload->'deleted'), false),
        freshdesk_raw.utc_timestamp(s.payload->>'created_at'),
        l.updated_at,
        s.payload,
        now()
    FROM pg_temp._fd_load_tickets l
    JOIN pg_temp._fd_stage s ON s.seq = l.seq AND s.conversation_id IS NULL
    ORDER BY l.ticket_id
    ON CONFLICT (id) DO UPDATE SET
        group_id = excluded.group_id,
        requester_id = excluded.requester_id,
        responder_id = excluded.responder_id,
        source = excluded.source,
        status = excluded.status,
        priority = excluded.priority,
        spam = excluded.spam,
        deleted = excluded.deleted,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        payload = excluded.payload,
        loaded_at = excluded.loaded_at
    WHERE excluded.updated_at >= t.updated_at
      AND (excluded.updated_at > t.updated_at OR excluded.payload IS DISTINCT FROM t.payload)
    RETURNING t.id
)
INSERT INTO pg_temp._fd_load_changed (ticket_id)
SELECT id FROM written
