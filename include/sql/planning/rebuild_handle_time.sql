-- Full rebuild from the derivation after clear_handle_time.sql (contacts must be current: run after the volume refresh).
INSERT INTO freshdesk.queue_interval_handle_time (
    interval_start, queue_name, group_name, source_name, contacts, contacts_with_time_entries,
    contacts_without_time_entries, time_entries, handle_seconds, handle_seconds_per_contact)
SELECT interval_start, queue_name, group_name, source_name, contacts, contacts_with_time_entries,
       contacts_without_time_entries, time_entries, handle_seconds, handle_seconds_per_contact
FROM freshdesk_raw.queue_interval_handle_time_derived
