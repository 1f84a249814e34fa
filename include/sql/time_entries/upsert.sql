-- An older version of an entry never overwrites a newer one; an identical reload writes nothing.
INSERT INTO freshdesk_raw.time_entries AS e (
    id, ticket_id, agent_id, time_spent_seconds, executed_at, billable, timer_running,
    created_at, updated_at, payload, loaded_at)
VALUES (%(id)s, %(ticket_id)s, %(agent_id)s, %(time_spent_seconds)s,
        freshdesk_raw.utc_timestamp(%(executed_at)s), %(billable)s, %(timer_running)s,
        freshdesk_raw.utc_timestamp(%(created_at)s), freshdesk_raw.utc_timestamp(%(updated_at)s),
        %(payload)s, now())
ON CONFLICT (id) DO UPDATE SET
    ticket_id = excluded.ticket_id,
    agent_id = excluded.agent_id,
    time_spent_seconds = excluded.time_spent_seconds,
    executed_at = excluded.executed_at,
    billable = excluded.billable,
    timer_running = excluded.timer_running,
    created_at = excluded.created_at,
    updated_at = excluded.updated_at,
    payload = excluded.payload,
    loaded_at = excluded.loaded_at
WHERE (excluded.updated_at IS NULL OR e.updated_at IS NULL OR excluded.updated_at >= e.updated_at)
  AND excluded.payload IS DISTINCT FROM e.payload
