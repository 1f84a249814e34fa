-- Contacts of these tickets that are gone or changed (moved queue, ticket deleted, ...), as
-- negative deltas of their cells. Most ticket updates (status, agent replies, notes) leave the
-- contacts as they were: those rows are neither deleted nor rewritten.
WITH stale AS (
    DELETE FROM freshdesk.contacts c
    USING pg_temp._fd_refresh_tickets r
    WHERE c.ticket_id = r.ticket_id
      AND NOT EXISTS (
          SELECT 1 FROM pg_temp._fd_refresh_new n
          WHERE n.ticket_id = c.ticket_id
            AND n.conversation_id IS NOT DISTINCT FROM c.conversation_id
            AND n.queue_kind = c.queue_kind
            AND n.occurred_at = c.occurred_at
            AND n.interval_start = c.interval_start
            AND n.group_name IS NOT DISTINCT FROM c.group_name
            AND n.source_name IS NOT DISTINCT FROM c.source_name
            AND n.queue_name = c.queue_name
            AND n.channel = c.channel
      )
    RETURNING c.interval_start, c.queue_name, c.group_name, c.source_name, c.queue_kind, c.channel
)
INSERT INTO pg_temp._fd_refresh_delta (interval_start, queue_name, group_name, source_name, queue_kind, channel, delta)
SELECT interval_start, queue_name, group_name, source_name, queue_kind, channel, -count(*)
FROM stale
GROUP BY interval_start, queue_name, group_name, source_name, queue_kind, channel
