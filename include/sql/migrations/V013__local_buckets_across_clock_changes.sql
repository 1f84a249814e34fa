-- V013: local-time buckets that hold a clock change, and time zone arguments checked up front.
--
-- V005's queue_volume_local took a bucket's UTC start to be its local start at the offset of
-- each contact's interval. A bucket longer than the clock change (a local day, 2 or 4 hours)
-- that holds the change then came back as two rows with the same local start, one of them with
-- a UTC start that was not that instant. A NULL zone returned every contact in NULL buckets,
-- and an unknown zone went unnoticed on an empty warehouse.

CREATE FUNCTION freshdesk.checked_time_zone(tz text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF tz IS NULL OR btrim(tz) = '' THEN
        RAISE EXCEPTION 'tz must be a time zone name such as Europe/Berlin, got %', COALESCE(quote_literal(tz), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Raises "time zone ... not recognized" for an unknown name, whether or not any row follows.
    PERFORM timestamptz '2000-01-01 00:00:00+00' AT TIME ZONE tz;
    RETURN tz;
END
$$;
COMMENT ON FUNCTION freshdesk.checked_time_zone(text) IS
    'tz unchanged when PostgreSQL knows the zone; an error for NULL, blank or unknown names. '
    'Called on a constant, it runs when the query is planned, so a wrong name fails even when no row would follow.';

CREATE FUNCTION freshdesk.utc_offset_at(at_instant timestamptz, tz text) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (at_instant AT TIME ZONE tz) - (at_instant AT TIME ZONE 'UTC')
$$;
COMMENT ON FUNCTION freshdesk.utc_offset_at(timestamptz, text) IS
    'Offset from UTC of zone tz at instant at_instant (e.g. 01:00:00 for Europe/Berlin in winter).';

-- The slow path of queue_volume_local, for contact intervals near a clock change: looking back
-- in 15-minute steps for where the bucket holding at_interval began. A function of its own so
-- that the planner costs it like any function call rather than as a subquery run per row.
CREATE FUNCTION freshdesk.local_bucket_began(at_interval timestamptz, local_start timestamp, bucket interval, tz text)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT COALESCE(
        max(s.at_instant),
        at_interval - ((at_interval AT TIME ZONE tz) - local_start)
    )
    FROM generate_series(at_interval - bucket - interval '3 hours', at_interval, interval '15 minutes') AS s(at_instant)
    CROSS JOIN LATERAL (
        SELECT (s.at_instant - interval '15 minutes') AT TIME ZONE tz AS before,
               s.at_instant AT TIME ZONE tz AS at_step
    ) t
    -- the step before lies in another window, or the clock went back from it by a bucket or more
    WHERE date_bin(bucket, t.before, timestamp '2000-01-01 00:00:00') <> local_start
       OR t.before + interval '15 minutes' - t.at_step >= bucket
$$;
COMMENT ON FUNCTION freshdesk.local_bucket_began(timestamptz, timestamp, interval, text) IS
    'First instant of the local-time bucket (starting at local_start, of length bucket, in zone tz) that holds '
    'the 15-minute interval at_interval: used by queue_volume_local near clock changes.';

-- A bucket is a stretch of time during which the local clock stays in one window
-- [local start, local start + length), and its interval_start is the first instant of it. Away
-- from clock changes that is the whole window, begun at its local start at the current offset.
-- Near a change (the zone's offset differs length + 3 hours earlier: no zone has moved its clocks
-- by more than that in one step within a day), the stretch is found by looking back in 15-minute
-- steps for where it began: the step before it lies in another window, or the clock went back
-- from it by the bucket's length or more. So the repeated hour of a 25-hour day is two hourly
-- buckets, a local day is one bucket of 23 or 25 hours, and a window the clock leaves and comes
-- back to (Pacific/Chatham's 03:45 -> 02:45 with 3-hour buckets) appears once per visit.
CREATE OR REPLACE FUNCTION freshdesk.queue_volume_local(tz text, bucket_minutes integer DEFAULT 15)
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
        freshdesk.utc_offset_at(b.utc_start, b.zone),
        b.queue_name, b.group_name, b.source_name, b.queue_kind, b.channel,
        sum(b.contacts)::bigint
    FROM (
        SELECT
            d.local_start, d.zone, d.queue_name, d.group_name, d.source_name, d.queue_kind, d.channel, d.contacts,
            CASE
                -- the same offset length + 3 hours earlier: no change in reach
                WHEN (d.interval_start - d.bucket - interval '3 hours') AT TIME ZONE d.zone
                     = d.local_ts - d.bucket - interval '3 hours'
                    THEN d.interval_start - (d.local_ts - d.local_start)
                ELSE freshdesk.local_bucket_began(d.interval_start, d.local_start, d.bucket, d.zone)
            END AS utc_start
        FROM (
            SELECT
                v.interval_start, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel, v.contacts,
                z.zone, z.bucket,
                v.interval_start AT TIME ZONE z.zone AS local_ts,
                date_bin(z.bucket, v.interval_start AT TIME ZONE z.zone, timestamp '2000-01-01 00:00:00') AS local_start
            FROM freshdesk.queue_interval_volume v
            CROSS JOIN (
                SELECT freshdesk.checked_time_zone(tz) AS zone, freshdesk.local_bucket(bucket_minutes) AS bucket
            ) z
        ) d
    ) b
    GROUP BY b.local_start, b.utc_start, b.zone, b.queue_name, b.group_name, b.source_name, b.queue_kind, b.channel
$$;
COMMENT ON FUNCTION freshdesk.queue_volume_local(text, integer) IS
    'Queue volumes in local time of the IANA zone tz (e.g. Europe/Berlin), in buckets of bucket_minutes '
    '(default 15; a multiple of 15 dividing a day): local_interval_start is the local wall-clock start, '
    'interval_start the first instant of the bucket, utc_offset the zone''s offset at that instant. A bucket '
    'is a stretch of time during which the local clock stays in one window: DST days have 23 or 25 hours; when '
    'the clock goes back by the bucket''s length or more (the repeated hour of a 25-hour day in hourly buckets), '
    'or leaves a window and comes back to it, the window appears again with a later interval_start. Where the '
    'clock jumps over a bucket''s start, interval_start is the jump (Australia/Lord_Howe''s local 02:00 hour '
    'then begins at 02:30). tz as PostgreSQL reads it: POSIX strings such as UTC+3 count hours west of UTC.';

CREATE OR REPLACE FUNCTION freshdesk.queue_volume_local_daily(tz text)
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
        (v.interval_start AT TIME ZONE freshdesk.checked_time_zone(tz))::date,
        v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel,
        sum(v.contacts)::bigint
    FROM freshdesk.queue_interval_volume v
    GROUP BY 1, v.queue_name, v.group_name, v.source_name, v.queue_kind, v.channel
$$;
COMMENT ON FUNCTION freshdesk.queue_volume_local_daily(text) IS
    'Queue volumes per local calendar day of the IANA zone tz (a DST day holds 23 or 25 hours of contacts); '
    'an error for a NULL or unknown zone.';
