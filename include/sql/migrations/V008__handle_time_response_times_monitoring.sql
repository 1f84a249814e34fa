-- V008 (issue #7): Freshdesk time entries, handle time and response times per queue and
-- interval, and rows loaded in freshdesk.sync_status.
--
-- Queue and interval of both measures are those of the ticket's Tickets contact in
-- freshdesk.contacts (current group, ticket source, Unknown for deleted/spam; the interval
-- holding the ticket's created_at), so they line up cell by cell with the Tickets rows of
-- freshdesk.queue_interval_volume: forecast volume x handle time per contact = workload.

CREATE TABLE freshdesk_raw.time_entries (
    id                  bigint      PRIMARY KEY,
    ticket_id           bigint      NOT NULL,
    agent_id            bigint,
    time_spent_seconds  integer     NOT NULL CHECK (time_spent_seconds >= 0),
    executed_at         timestamptz,
    billable            boolean,
    timer_running       boolean,
    created_at          timestamptz,
    updated_at          timestamptz,
    payload             jsonb       NOT NULL,
    loaded_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX time_entries_ticket_id_idx ON freshdesk_raw.time_entries (ticket_id);

COMMENT ON TABLE freshdesk_raw.time_entries IS
    'Freshdesk time entries (GET /time_entries), latest imported version of each, upserted by id. '
    'Read incrementally by executed_at with an overlap; entries of deleted/spam tickets are kept as last seen.';
COMMENT ON COLUMN freshdesk_raw.time_entries.id IS 'Freshdesk time entry id.';
COMMENT ON COLUMN freshdesk_raw.time_entries.ticket_id IS 'Ticket the time was logged on (freshdesk_raw.tickets.id).';
COMMENT ON COLUMN freshdesk_raw.time_entries.agent_id IS 'Agent who logged the time.';
COMMENT ON COLUMN freshdesk_raw.time_entries.time_spent_seconds IS 'Freshdesk time_spent ("hh:mm") in seconds.';
COMMENT ON COLUMN freshdesk_raw.time_entries.executed_at IS 'When the work was done, as logged (UTC).';
COMMENT ON COLUMN freshdesk_raw.time_entries.billable IS 'Freshdesk billable flag.';
COMMENT ON COLUMN freshdesk_raw.time_entries.timer_running IS 'True when the entry''s timer was still running when read (time_spent still growing).';
COMMENT ON COLUMN freshdesk_raw.time_entries.created_at IS 'When the entry was created in Freshdesk (UTC).';
COMMENT ON COLUMN freshdesk_raw.time_entries.updated_at IS 'Freshdesk''s last update of the entry (UTC); an older version never overwrites a newer one.';
COMMENT ON COLUMN freshdesk_raw.time_entries.payload IS 'The time entry exactly as Freshdesk returned it.';
COMMENT ON COLUMN freshdesk_raw.time_entries.loaded_at IS 'When this row''s content was last written by the importer.';

-- Derivations, computed on read; the freshdesk.* tables below are their materialisation.
CREATE VIEW freshdesk_raw.queue_interval_handle_time_derived AS
WITH per_ticket AS (
    SELECT c.ticket_id, c.interval_start, c.queue_name, c.group_name, c.source_name,
           count(e.id) AS entries,
           COALESCE(sum(e.time_spent_seconds), 0) AS seconds
    FROM freshdesk.contacts c
    LEFT JOIN freshdesk_raw.time_entries e ON e.ticket_id = c.ticket_id
    WHERE c.queue_kind = 'Tickets'
    GROUP BY c.ticket_id, c.interval_start, c.queue_name, c.group_name, c.source_name
)
SELECT
    interval_start,
    queue_name,
    group_name,
    source_name,
    count(*)::integer AS contacts,
    count(*) FILTER (WHERE entries > 0)::integer AS contacts_with_time_entries,
    count(*) FILTER (WHERE entries = 0)::integer AS contacts_without_time_entries,
    sum(entries)::integer AS time_entries,
    sum(seconds)::bigint AS handle_seconds,
    round(sum(seconds)::numeric / NULLIF(count(*) FILTER (WHERE entries > 0), 0), 1) AS handle_seconds_per_contact
FROM per_ticket
GROUP BY interval_start, queue_name, group_name, source_name;
COMMENT ON VIEW freshdesk_raw.queue_interval_handle_time_derived IS
    'freshdesk.queue_interval_handle_time computed on read from freshdesk.contacts and freshdesk_raw.time_entries.';

CREATE VIEW freshdesk_raw.ticket_response_times_derived AS
SELECT
    c.ticket_id,
    c.interval_start,
    c.queue_name,
    c.group_name,
    c.source_name,
    (t.payload ? 'stats' AND jsonb_typeof(t.payload->'stats') = 'object') AS has_stats,
    GREATEST(0, extract(epoch FROM
        freshdesk_raw.utc_timestamp(t.payload->'stats'->>'first_responded_at') - t.created_at)) AS first_response_seconds,
    -- Only a ticket that is resolved or closed now has a resolution time (a reopened ticket
    -- gets one again when it is resolved again).
    CASE WHEN t.status IN (4, 5) THEN GREATEST(0, extract(epoch FROM
        COALESCE(freshdesk_raw.utc_timestamp(t.payload->'stats'->>'resolved_at'),
                 freshdesk_raw.utc_timestamp(t.payload->'stats'->>'closed_at')) - t.created_at))
    END AS resolution_seconds
FROM freshdesk.contacts c
JOIN freshdesk_raw.tickets t ON t.id = c.ticket_id
WHERE c.queue_kind = 'Tickets';
COMMENT ON VIEW freshdesk_raw.ticket_response_times_derived IS
    'Per ticket: its Tickets queue and interval, and first-response / resolution seconds from the ticket''s stats '
    '(NULL when the stats were not imported or the event has not happened).';

CREATE TABLE freshdesk.queue_interval_handle_time (
    interval_start                 timestamptz NOT NULL,
    queue_name                     text        NOT NULL,
    group_name                     text,
    source_name                    text,
    contacts                       integer     NOT NULL CHECK (contacts > 0),
    contacts_with_time_entries     integer     NOT NULL,
    contacts_without_time_entries  integer     NOT NULL,
    time_entries                   integer     NOT NULL,
    handle_seconds                 bigint      NOT NULL,
    handle_seconds_per_contact     numeric,
    PRIMARY KEY (interval_start, queue_name),
    CHECK (contacts = contacts_with_time_entries + contacts_without_time_entries),
    CONSTRAINT queue_interval_handle_time_aligned CHECK (interval_start = freshdesk.interval_15m(interval_start))
);
COMMENT ON TABLE freshdesk.queue_interval_handle_time IS
    'Handle time logged in Freshdesk time entries per 15-minute UTC interval and Tickets queue. A ticket''s time '
    'counts in the queue and interval of its Tickets contact (its created_at), whenever the time was logged, so the '
    'rows line up with the Tickets rows of freshdesk.queue_interval_volume. Rebuilt after every import.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.interval_start IS 'Start of the 15-minute interval (UTC) holding the tickets'' created_at.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.queue_name IS 'Tickets queue: <group_name> <source_name> Tickets, or Unknown group/source Tickets.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.group_name IS 'Group name as in queue_interval_volume; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.source_name IS 'Ticket source name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.contacts IS 'Tickets contacts in the cell (equals queue_interval_volume.contacts of the same cell).';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.contacts_with_time_entries IS 'Of those, tickets with at least one time entry.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.contacts_without_time_entries IS 'Of those, tickets without any time entry (not counted as zero-second work).';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.time_entries IS 'Number of time entries on the cell''s tickets.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.handle_seconds IS 'Total seconds logged on the cell''s tickets.';
COMMENT ON COLUMN freshdesk.queue_interval_handle_time.handle_seconds_per_contact IS
    'Average handle time: handle_seconds / contacts_with_time_entries; NULL when no ticket has time logged.';

CREATE TABLE freshdesk.queue_interval_response_times (
    interval_start               timestamptz NOT NULL,
    queue_name                   text        NOT NULL,
    group_name                   text,
    source_name                  text,
    contacts                     integer     NOT NULL CHECK (contacts > 0),
    contacts_with_stats          integer     NOT NULL,
    first_responses              integer     NOT NULL,
    first_response_p50_seconds   double precision,
    first_response_p90_seconds   double precision,
    resolutions                  integer     NOT NULL,
    resolution_p50_seconds       double precision,
    resolution_p90_seconds       double precision,
    PRIMARY KEY (interval_start, queue_name),
    CONSTRAINT queue_interval_response_times_aligned CHECK (interval_start = freshdesk.interval_15m(interval_start))
);
COMMENT ON TABLE freshdesk.queue_interval_response_times IS
    'First-response and resolution time percentiles of the tickets created per 15-minute UTC interval and Tickets '
    'queue, from Freshdesk ticket stats (include=stats). Percentiles are continuous (percentile_cont). Rebuilt after every import.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.interval_start IS 'Start of the 15-minute interval (UTC) holding the tickets'' created_at.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.queue_name IS 'Tickets queue: <group_name> <source_name> Tickets, or Unknown group/source Tickets.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.group_name IS 'Group name as in queue_interval_volume; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.source_name IS 'Ticket source name; NULL for the Unknown queue.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.contacts IS 'Tickets contacts in the cell.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.contacts_with_stats IS 'Of those, tickets imported with stats (the others have no response data yet).';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.first_responses IS 'Tickets with a first response (stats.first_responded_at).';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.first_response_p50_seconds IS 'Median seconds from created_at to first_responded_at; NULL without first responses.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.first_response_p90_seconds IS '90th percentile of the same.';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.resolutions IS 'Tickets currently resolved or closed with a resolved_at (or closed_at).';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.resolution_p50_seconds IS 'Median seconds from created_at to resolved_at (closed_at when resolved_at is missing).';
COMMENT ON COLUMN freshdesk.queue_interval_response_times.resolution_p90_seconds IS '90th percentile of the same.';

-- sync_status: the rows the last successful run loaded (columns appended, as CREATE OR
-- REPLACE VIEW requires).
CREATE OR REPLACE VIEW freshdesk.sync_status AS
SELECT
    s.stream,
    w.watermark,
    now() - w.watermark AS lag,
    w.advanced_at AS watermark_advanced_at,
    ok.finished_at AS last_success_at,
    ok.run_id AS last_success_run_id,
    bad.finished_at AS last_failure_at,
    bad.run_id AS last_failure_run_id,
    bad.error AS last_error,
    (bad.finished_at IS NULL OR COALESCE(ok.finished_at > bad.finished_at, false)) AS healthy,
    (SELECT count(*) FROM freshdesk_raw.sync_runs r
      WHERE r.stream = s.stream AND r.status = 'running') AS runs_in_progress,
    ok.rows_loaded AS last_success_rows_loaded,
    ok.started_at AS last_success_started_at,
    now() - ok.finished_at AS since_last_success
FROM (
    SELECT stream FROM freshdesk_raw.sync_watermarks
    UNION
    SELECT DISTINCT stream FROM freshdesk_raw.sync_runs
) s
LEFT JOIN freshdesk_raw.sync_watermarks w ON w.stream = s.stream
LEFT JOIN LATERAL (
    SELECT r.finished_at, r.run_id, r.rows_loaded, r.started_at FROM freshdesk_raw.sync_runs r
    WHERE r.stream = s.stream AND r.status = 'success'
    ORDER BY r.finished_at DESC LIMIT 1
) ok ON true
LEFT JOIN LATERAL (
    SELECT r.finished_at, r.run_id, r.error FROM freshdesk_raw.sync_runs r
    WHERE r.stream = s.stream AND r.status = 'failed'
    ORDER BY r.finished_at DESC LIMIT 1
) bad ON true;
COMMENT ON COLUMN freshdesk.sync_status.last_success_rows_loaded IS 'Rows the last successful run of the stream loaded.';
COMMENT ON COLUMN freshdesk.sync_status.last_success_started_at IS 'When the last successful run of the stream started: everything changed before it is imported.';
COMMENT ON COLUMN freshdesk.sync_status.since_last_success IS 'now() - last_success_at: what the freshness check compares with its allowed lag.';
