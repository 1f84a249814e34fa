-- The cells whose handle time these entries feed: their tickets' cells, and (run before the
-- upsert) the cells of the tickets they were stored under. A ticket without a contact yet gets
-- its cell marked by the volume refresh that derives it.
INSERT INTO freshdesk_raw.dirty_planning_cells (interval_start, queue_name)
SELECT DISTINCT c.interval_start, c.queue_name
FROM freshdesk.contacts c
WHERE c.queue_kind = 'Tickets'
  AND c.ticket_id IN (
      SELECT unnest(%(ticket_ids)s::bigint[])
      UNION
      SELECT e.ticket_id FROM freshdesk_raw.time_entries e WHERE e.id = ANY (%(entry_ids)s)
  )
ON CONFLICT DO NOTHING
