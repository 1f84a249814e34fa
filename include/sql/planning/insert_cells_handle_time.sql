-- The cells' rows from the derivation. The interval filter is an array so that the planner
-- pushes it through the view's grouping into an index scan of the cells' Tickets contacts.
INSERT INTO freshdesk.queue_interval_handle_time (
    interval_start, queue_name, group_name, source_name, contacts, contacts_with_time_entries,
    contacts_without_time_entries, time_entries, handle_seconds, handle_seconds_per_contact)
SELECT v.interval_start, v.queue_name, v.group_name, v.source_name, v.contacts, v.contacts_with_time_entries,
       v.contacts_without_time_entries, v.time_entries, v.handle_seconds, v.handle_seconds_per_contact
FROM freshdesk_raw.queue_interval_handle_time_derived v
JOIN pg_temp._fd_planning_cells d ON d.interval_start = v.interval_start AND d.queue_name = v.queue_name
WHERE v.interval_start = ANY (ARRAY(SELECT DISTINCT c.interval_start FROM pg_temp._fd_planning_cells c))
