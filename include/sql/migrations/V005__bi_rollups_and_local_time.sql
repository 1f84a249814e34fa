-- V005: rollups for BI (30 and 60 minutes, UTC days) and local-time views of the volumes.

CREATE VIEW freshdesk.queue_volume_30m AS
SELECT
    date_bin(interval '30 minutes', v.interval_start, timestamptz '2000-01-01 00:00:00+00') AS interval_start,
    v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel,
    sum(v.contacts)::bigint AS contacts
FROM freshdesk.queue_interval_volume v
GROUP BY 1, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel;

COMMENT ON VIEW freshdesk.queue_volume_30m IS 'Contacts per 30-minute UTC interval (:00/:30) and queue.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.interval_start IS 'Start of the 30-minute interval, aligned to :00/:30 UTC.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.queue_name IS 'Queue name, as in freshdesk.queue_interval_volume.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.group_name IS 'Group name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.source_name IS 'Source name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.channel IS 'Always Cases.';
COMMENT ON COLUMN freshdesk.queue_volume_30m.contacts IS 'Number of contacts (> 0).';

CREATE VIEW freshdesk.queue_volume_60m AS
SELECT
    date_bin(interval '60 minutes', v.interval_start, timestamptz '2000-01-01 00:00:00+00') AS interval_start,
    v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel,
    sum(v.contacts)::bigint AS contacts
FROM freshdesk.queue_interval_volume v
GROUP BY 1, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel;

COMMENT ON VIEW freshdesk.queue_volume_60m IS 'Contacts per UTC hour and queue.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.interval_start IS 'Start of the hour (UTC).';
COMMENT ON COLUMN freshdesk.queue_volume_60m.queue_name IS 'Queue name, as in freshdesk.queue_interval_volume.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.group_name IS 'Group name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.source_name IS 'Source name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.channel IS 'Always Cases.';
COMMENT ON COLUMN freshdesk.queue_volume_60m.contacts IS 'Number of contacts (> 0).';

CREATE VIEW freshdesk.queue_volume_daily AS
SELECT
    (v.interval_start AT TIME ZONE 'UTC')::date AS day,
    v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel,
    sum(v.contacts)::bigint AS contacts
FROM freshdesk.queue_interval_volume v
GROUP BY 1, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel;

COMMENT ON VIEW freshdesk.queue_volume_daily IS 'Contacts per UTC calendar day and queue (for local days use freshdesk.queue_volume_local_daily).';
COMMENT ON COLUMN freshdesk.queue_volume_daily.day IS 'UTC calendar day.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.queue_name IS 'Queue name, as in freshdesk.queue_interval_volume.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.group_name IS 'Group name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.source_name IS 'Source name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.channel IS 'Always Cases.';
COMMENT ON COLUMN freshdesk.queue_volume_daily.contacts IS 'Number of contacts (> 0).';

-- A local bucket longer than 15 minutes must still be whole 15-minute UTC intervals and tile
-- the local day, or contacts would be split or double-counted.
CREATE FUNCTION freshdesk.local_bucket(bucket_minutes integer) RETURNS interval
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF bucket_minutes IS NULL OR bucket_minutes <= 0 OR bucket_minutes % 15 <> 0 OR 1440 % bucket_minutes <> 0 THEN
        RAISE EXCEPTION 'bucket_minutes must be a multiple of 15 that divides a day (15, 30, 60, 120, ...), got %',
            bucket_minutes USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN make_interval(mins => bucket_minutes);
END
$$;
COMMENT ON FUNCTION freshdesk.local_bucket(integer) IS
    'Validated bucket length for the local-time volume functions: a multiple of 15 minutes dividing 24 hours.';

-- Buckets are cut on the local wall clock, but identified by their UTC start too: on the
-- autumn DST change the local 01:00 hour happens twice and must stay two buckets (a 25-hour
-- day); in spring the skipped hour simply has no bucket (a 23-hour day).
CREATE FUNCTION freshdesk.queue_volume_local(tz text, bucket_minutes integer DEFAULT 15)
    RETURNS TABLE (
        local_interval_start timestamp,
        interval_start       timestamptz,
        utc_offset           interval,
        queue_name           text,
        group_name           text,
        source_name          text,
        queue_kind           text,
        channel              text,
        contacts             bigint
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT
        b.local_start,
        b.utc_start,
        b.local_start - (b.utc_start AT TIME ZONE 'UTC'),
        b.queue_name, b.group_name, b.source_name, b.queue_kind, b.channel,
        sum(b.contacts)::bigint
    FROM (
        SELECT
            date_bin(freshdesk.local_bucket(bucket_minutes), l.local_ts, timestamp '2000-01-01 00:00:00') AS local_start,
            l.interval_start - (l.local_ts - date_bin(freshdesk.local_bucket(bucket_minutes), l.local_ts,
                                                      timestamp '2000-01-01 00:00:00')) AS utc_start,
            l.queue_name, l.group_name, l.source_name, l.queue_kind, l.channel, l.contacts
        FROM (
            SELECT v.*, v.interval_start AT TIME ZONE tz AS local_ts
            FROM freshdesk.queue_interval_volume v
        ) l
    ) b
    GROUP BY b.local_start, b.utc_start, b.queue_name, b.group_name, b.source_name, b.queue_kind, b.channel
$$;
COMMENT ON FUNCTION freshdesk.queue_volume_local(text, integer) IS
    'Queue volumes in local time of the IANA zone tz (e.g. Europe/Berlin), in buckets of bucket_minutes '
    '(default 15): local_interval_start is the local wall-clock start, interval_start the same instant in UTC, '
    'utc_offset the zone''s offset then. DST days have 23 or 25 hours of buckets; an ambiguous local hour '
    'appears twice with different interval_start.';

CREATE FUNCTION freshdesk.queue_volume_local_daily(tz text)
    RETURNS TABLE (
        local_date   date,
        queue_name   text,
        group_name   text,
        source_name  text,
        queue_kind   text,
        channel      text,
        contacts     bigint
    )
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT
        (v.interval_start AT TIME ZONE tz)::date,
        v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel,
        sum(v.contacts)::bigint
    FROM freshdesk.queue_interval_volume v
    GROUP BY 1, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel
$$;
COMMENT ON FUNCTION freshdesk.queue_volume_local_daily(text) IS
    'Queue volumes per local calendar day of the IANA zone tz (a DST day holds 23 or 25 hours of contacts).';

-- For BI tools that cannot call functions: the session's TimeZone setting picks the zone.
CREATE VIEW freshdesk.queue_interval_volume_local AS
SELECT
    v.interval_start AT TIME ZONE current_setting('TimeZone') AS local_interval_start,
    v.interval_start,
    (v.interval_start AT TIME ZONE current_setting('TimeZone')) - (v.interval_start AT TIME ZONE 'UTC') AS utc_offset,
    v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel, v.contacts
FROM freshdesk.queue_interval_volume v;

COMMENT ON VIEW freshdesk.queue_interval_volume_local IS
    'freshdesk.queue_interval_volume with local start times in the session''s TimeZone '
    '(SET TimeZone = ''Europe/Berlin''); 15-minute UTC intervals map exactly onto local ones.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.local_interval_start IS 'Local wall-clock start of the interval in the session''s TimeZone.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.interval_start IS 'Start of the interval (an instant; shown in the session''s TimeZone).';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.utc_offset IS 'Offset of the session''s TimeZone from UTC at that instant.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.queue_name IS 'Queue name, as in freshdesk.queue_interval_volume.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.group_name IS 'Group name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.source_name IS 'Source name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.channel IS 'Always Cases.';
COMMENT ON COLUMN freshdesk.queue_interval_volume_local.contacts IS 'Number of contacts (> 0).';
