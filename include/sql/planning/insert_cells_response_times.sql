-- The cells' rows from the derivation (interval filter as an array: see insert_cells_handle_time.sql).
INSERT INTO freshdesk.queue_interval_response_times (
    interval_start, queue_name, group_name, source_name, contacts, contacts_with_stats,
    first_responses, first_response_p50_seconds, first_response_p90_seconds,
    resolutions, resolution_p50_seconds, resolution_p90_seconds)
SELECT v.interval_start, v.queue_name, v.group_name, v.source_name, v.contacts, v.contacts_with_stats,
       v.first_responses, v.first_response_p50_seconds, v.first_response_p90_seconds,
       v.resolutions, v.resolution_p50_seconds, v.resolution_p90_seconds
FROM freshdesk_raw.queue_interval_response_times_derived v
JOIN pg_temp._fd_planning_cells d ON d.interval_start = v.interval_start AND d.queue_name = v.queue_name
WHERE v.interval_start = ANY (ARRAY(SELECT DISTINCT c.interval_start FROM pg_temp._fd_planning_cells c))
