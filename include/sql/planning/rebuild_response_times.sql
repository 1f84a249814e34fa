-- Full rebuild from the derivation after clear_response_times.sql (contacts must be current: run after the volume refresh).
INSERT INTO freshdesk.queue_interval_response_times (
    interval_start, queue_name, group_name, source_name, contacts, contacts_with_stats,
    first_responses, first_response_p50_seconds, first_response_p90_seconds,
    resolutions, resolution_p50_seconds, resolution_p90_seconds)
SELECT interval_start, queue_name, group_name, source_name, contacts, contacts_with_stats,
       first_responses, first_response_p50_seconds, first_response_p90_seconds,
       resolutions, resolution_p50_seconds, resolution_p90_seconds
FROM freshdesk_raw.queue_interval_response_times_derived
