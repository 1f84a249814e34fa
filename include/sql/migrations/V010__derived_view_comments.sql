-- V010: document the columns of V008/V009's derivation views (every object carries a comment).

COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.interval_start IS 'Start of the 15-minute interval (UTC) holding the tickets'' created_at.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.queue_name IS 'Tickets queue of the tickets.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.group_name IS 'Group name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.source_name IS 'Ticket source name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.contacts IS 'Tickets contacts in the cell.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.contacts_with_time_entries IS 'Tickets with at least one time entry.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.contacts_without_time_entries IS 'Tickets without any time entry.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.time_entries IS 'Time entries on the cell''s tickets.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.handle_seconds IS 'Total seconds logged on the cell''s tickets.';
COMMENT ON COLUMN freshdesk_raw.queue_interval_handle_time_derived.handle_seconds_per_contact IS 'handle_seconds / contacts_with_time_entries; NULL when none.';

COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.ticket_id IS 'Freshdesk ticket id.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.interval_start IS 'Start of the 15-minute interval (UTC) holding the ticket''s created_at.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.queue_name IS 'Tickets queue of the ticket.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.group_name IS 'Group name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.source_name IS 'Ticket source name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.has_stats IS 'True when the ticket was imported with include=stats.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.first_response_seconds IS 'Seconds from created_at to stats.first_responded_at; NULL without a first response.';
COMMENT ON COLUMN freshdesk_raw.ticket_response_times_derived.resolution_seconds IS 'Seconds from created_at to stats.resolved_at (else closed_at) for a ticket resolved or closed now; else NULL.';
