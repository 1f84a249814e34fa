-- V012: the planning measures (handle time, response times) are recomputed only in the cells
-- that changed, instead of in full on every run.

CREATE TABLE freshdesk_raw.dirty_planning_cells (
    interval_start timestamptz NOT NULL,
    queue_name     text        NOT NULL,
    PRIMARY KEY (interval_start, queue_name)
);
COMMENT ON TABLE freshdesk_raw.dirty_planning_cells IS
    'Tickets cells (interval, queue) whose handle time and response times must be computed again: marked by the '
    'queue-volume refresh (the cells of every ticket it derived again, before and after) and by the time-entry load; '
    'consumed by refresh_planning_measures. A row at -infinity asks for a full rebuild (after rebuild_volumes).';
COMMENT ON COLUMN freshdesk_raw.dirty_planning_cells.interval_start IS 'Start of the 15-minute interval of the cell; -infinity: rebuild everything.';
COMMENT ON COLUMN freshdesk_raw.dirty_planning_cells.queue_name IS 'Tickets queue of the cell.';

-- Finds the tickets of a cell for that recomputation. Only Tickets contacts, whose interval (the
-- ticket's created_at) never changes: a refresh that moves a ticket to another queue still
-- updates its contact in place (HOT, V011).
CREATE INDEX contacts_ticket_interval_idx ON freshdesk.contacts (interval_start) WHERE queue_kind = 'Tickets';
COMMENT ON INDEX freshdesk.contacts_ticket_interval_idx IS 'Tickets contacts by interval, for recomputing planning cells.';

-- The response-time aggregation, once, for the full rebuild and the per-cell recomputation.
CREATE VIEW freshdesk_raw.queue_interval_response_times_derived AS
SELECT
    interval_start, queue_name, group_name, source_name,
    count(*)::integer AS contacts,
    count(*) FILTER (WHERE has_stats)::integer AS contacts_with_stats,
    count(first_response_seconds)::integer AS first_responses,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_seconds) AS first_response_p50_seconds,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_seconds) AS first_response_p90_seconds,
    count(resolution_seconds)::integer AS resolutions,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_seconds) AS resolution_p50_seconds,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_seconds) AS resolution_p90_seconds
FROM freshdesk_raw.ticket_response_times_derived
GROUP BY interval_start, queue_name, group_name, source_name;
COMMENT ON VIEW freshdesk_raw.queue_interval_response_times_derived IS
    'freshdesk.queue_interval_response_times computed on read from freshdesk.contacts and the tickets'' stats.';

-- Its columns mean what the table's do: their comments, copied.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT a.attname, col_description(a.attrelid, a.attnum) AS text
        FROM pg_attribute a
        WHERE a.attrelid = 'freshdesk.queue_interval_response_times'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        EXECUTE format('COMMENT ON COLUMN freshdesk_raw.queue_interval_response_times_derived.%I IS %L', col.attname, col.text);
    END LOOP;
END
$$;

-- The first run after the upgrade rebuilds in full once.
INSERT INTO freshdesk_raw.dirty_planning_cells (interval_start, queue_name) VALUES ('-infinity', '');
