-- The contacts these tickets have now. The id filter is an array so that the planner pushes
-- it into both branches of the derivation view (index scans by ticket, whatever the size of
-- the warehouse).
INSERT INTO pg_temp._fd_refresh_new (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT
    d.ticket_id, d.conversation_id, d.queue_kind, d.occurred_at, d.interval_start,
    d.group_name, d.source_name, d.queue_name, d.channel
FROM freshdesk_raw.contacts_derived d
WHERE d.ticket_id = ANY (ARRAY(SELECT r.ticket_id FROM pg_temp._fd_refresh_tickets r))
