-- Full rebuild from the derivation after clear_response_times.sql (contacts must be current: run after the volume refresh).
INSERT INTO freshdesk.queue_interval_response_times (
    interval_start, queue_name, group_name, source_name, contacts, contacts_with_stats,
    first_responses, first_response_p50_seconds, first_response_p90_seconds,
    resolutions, resolution_p50_seconds, resolution_p90_seconds)
SELECT
    interval_start, queue_name, group_name, source_name,
    count(*)::integer,
    count(*) FILTER (WHERE has_stats)::integer,
    count(first_response_seconds)::integer,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_seconds),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_seconds),
    count(resolution_seconds)::integer,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_seconds),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_seconds)
FROM freshdesk_raw.ticket_response_times_derived
GROUP BY interval_start, queue_name, group_name, source_name
