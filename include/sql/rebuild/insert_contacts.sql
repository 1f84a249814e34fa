INSERT INTO freshdesk.contacts (
    ticket_id, conversation_id, queue_kind, occurred_at, interval_start,
    group_name, source_name, queue_name, channel
)
SELECT
    d.ticket_id, d.conversation_id, d.queue_kind, d.occurred_at, d.interval_start,
    d.group_name, d.source_name, d.queue_name, d.channel
FROM freshdesk_raw.contacts_derived d
-- Each ticket's contacts side by side: a later refresh of the ticket reads one page, not several.
ORDER BY d.ticket_id, d.conversation_id NULLS FIRST
