-- Bench only: the row-at-a-time baseline the COPY loader is compared with.
INSERT INTO freshdesk_raw.tickets AS t (
    id, group_id, requester_id, responder_id, source, status, priority,
    spam, deleted, created_at, updated_at, payload
)
VALUES (
    %(id)s, %(group_id)s, %(requester_id)s, %(responder_id)s, %(source)s, %(status)s, %(priority)s,
    %(spam)s, %(deleted)s, %(created_at)s, %(updated_at)s, %(payload)s
)
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
    payload = excluded.payload
WHERE excluded.updated_at >= t.updated_at
