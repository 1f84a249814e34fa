-- V016: a value the typed columns cannot hold no longer fails the load. A ticket whose
-- `source` was 2147483648 (past integer) failed its slice on every retry, and failed every
-- hourly sync after it, so one odd record stopped all imports. The payload keeps the value as
-- Freshdesk sent it; the typed column is NULL when the value does not fit, and the source
-- name is then taken from the payload, so the contract's `source_<n>` holds for any n.

-- An integer from a JSON number (3 or 3.0) or a string of digits ("3"); NULL otherwise. The
-- usual value (a whole number of up to 9 digits) is tested first, with the cheapest test: the
-- load calls these for every row. Nested CASEs, because only CASE fixes the order of
-- evaluation: the casts run only on values that passed the tests before them.
CREATE FUNCTION freshdesk_raw.json_integer(value jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN value #>> '{}' ~ '^-?[0-9]{1,9}$' THEN (value #>> '{}')::integer
        WHEN jsonb_typeof(value) = 'number' THEN
            CASE WHEN value::numeric BETWEEN -2147483648 AND 2147483647 THEN
                CASE WHEN value::numeric = trunc(value::numeric) THEN value::numeric::integer END
            END
        WHEN jsonb_typeof(value) = 'string' THEN
            CASE WHEN value #>> '{}' ~ '^\s*[-+]?[0-9]{1,9}\s*$' THEN (value #>> '{}')::integer END
    END
$$;
COMMENT ON FUNCTION freshdesk_raw.json_integer(jsonb) IS
    'The integer a JSON value holds (a whole number, or a string of up to 9 digits); NULL when it holds none or it does not fit.';

CREATE FUNCTION freshdesk_raw.json_bigint(value jsonb) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN value #>> '{}' ~ '^-?[0-9]{1,18}$' THEN (value #>> '{}')::bigint
        WHEN jsonb_typeof(value) = 'number' THEN
            CASE WHEN value::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
                CASE WHEN value::numeric = trunc(value::numeric) THEN value::numeric::bigint END
            END
        WHEN jsonb_typeof(value) = 'string' THEN
            CASE WHEN value #>> '{}' ~ '^\s*[-+]?[0-9]{1,18}\s*$' THEN (value #>> '{}')::bigint END
    END
$$;
COMMENT ON FUNCTION freshdesk_raw.json_bigint(jsonb) IS
    'The bigint a JSON value holds (a whole number, or a string of up to 18 digits); NULL when it holds none or it does not fit.';

-- JSON true/false, else the words PostgreSQL's boolean input takes most often, from a string
-- or a number; NULL otherwise.
CREATE FUNCTION freshdesk_raw.json_boolean(value jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE value
        WHEN 'true'::jsonb THEN true
        WHEN 'false'::jsonb THEN false
        ELSE CASE WHEN jsonb_typeof(value) IN ('string', 'number') THEN
            CASE lower(btrim(value #>> '{}'))
                WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true
                WHEN 'on' THEN true WHEN '1' THEN true
                WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN 'n' THEN false
                WHEN 'off' THEN false WHEN '0' THEN false
            END
        END
    END
$$;
COMMENT ON FUNCTION freshdesk_raw.json_boolean(jsonb) IS
    'The boolean a JSON value holds (true/false, or a string or number PostgreSQL reads as one); NULL otherwise.';

-- Same rules and columns as V007. When the typed source is NULL but the payload holds a
-- value (one past integer), the name is source_<that value>; COALESCE reads the payload
-- only for those rows, so the refresh does not detoast payloads for ordinary contacts.
CREATE OR REPLACE VIEW freshdesk_raw.contacts_derived AS
SELECT
    c.ticket_id,
    c.conversation_id,
    c.queue_kind,
    c.occurred_at,
    freshdesk.interval_15m(c.occurred_at) AS interval_start,
    CASE WHEN c.is_unknown THEN NULL ELSE c.group_name END AS group_name,
    CASE WHEN c.is_unknown THEN NULL ELSE c.source_name END AS source_name,
    CASE WHEN c.is_unknown THEN 'Unknown group/source ' || c.queue_kind
         ELSE c.group_name || ' ' || c.source_name || ' ' || c.queue_kind
    END AS queue_name,
    'Cases'::text AS channel
FROM (
    -- Rule 1: every ticket is one contact at its created_at, named by the ticket's source.
    SELECT
        t.id AS ticket_id,
        NULL::bigint AS conversation_id,
        'Tickets'::text AS queue_kind,
        t.created_at AS occurred_at,
        (t.deleted OR t.spam) AS is_unknown,
        CASE WHEN t.group_id IS NULL THEN 'No group'
             ELSE COALESCE(g.name, 'Group ' || t.group_id) END AS group_name,
        COALESCE(ts.source_name, 'source_' || COALESCE(t.source::text, t.payload->>'source', 'unknown')) AS source_name
    FROM freshdesk_raw.tickets t
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.ticket_source_names ts ON ts.source = t.source
    UNION ALL
    -- Rule 2: a customer message is one contact at its own created_at, named by its own source.
    SELECT
        t.id,
        v.id,
        'Replies'::text,
        v.created_at,
        (t.deleted OR t.spam),
        CASE WHEN t.group_id IS NULL THEN 'No group'
             ELSE COALESCE(g.name, 'Group ' || t.group_id) END,
        COALESCE(cs.source_name, 'source_' || COALESCE(v.source::text, v.payload->>'source', 'unknown'))
    FROM freshdesk_raw.tickets t
    JOIN freshdesk_raw.conversations v ON v.ticket_id = t.id
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.conversation_source_names cs ON cs.source = v.source
    WHERE v.private IS FALSE
      AND v.source IS DISTINCT FROM 2
      AND (v.incoming IS TRUE OR v.user_id = t.requester_id)
) c;
