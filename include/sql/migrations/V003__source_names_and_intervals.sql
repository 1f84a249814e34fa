-- V003: the contract's source-name maps as lookup tables, and the 15-minute interval.

CREATE TABLE freshdesk.ticket_source_names (
    source        integer PRIMARY KEY,
    source_name   text    NOT NULL,
    description   text    NOT NULL
);
COMMENT ON TABLE freshdesk.ticket_source_names IS
    'Names of ticket source codes used in Tickets queue names (CONTRACT.md). Any other code n is named source_<n>.';
COMMENT ON COLUMN freshdesk.ticket_source_names.source IS 'Freshdesk ticket source code.';
COMMENT ON COLUMN freshdesk.ticket_source_names.source_name IS 'Name used in queue names.';
COMMENT ON COLUMN freshdesk.ticket_source_names.description IS 'What the code means in Freshdesk.';

INSERT INTO freshdesk.ticket_source_names (source, source_name, description) VALUES
    (1, 'email', 'Email'),
    (2, 'portal', 'Portal'),
    (3, 'phone', 'Phone'),
    (4, 'forum', 'Forum'),
    (5, 'twitter', 'Twitter'),
    (6, 'facebook', 'Facebook'),
    (7, 'chat', 'Chat'),
    (8, 'mobihelp', 'Mobihelp'),
    (9, 'feedback_widget', 'Feedback widget'),
    (10, 'outbound_email', 'Outbound email'),
    (11, 'ecommerce', 'E-commerce'),
    (12, 'bot', 'Bot'),
    (13, 'whatsapp', 'WhatsApp');

CREATE TABLE freshdesk.conversation_source_names (
    source        integer PRIMARY KEY,
    source_name   text    NOT NULL,
    description   text    NOT NULL
);
COMMENT ON TABLE freshdesk.conversation_source_names IS
    'Names of conversation source codes used in Replies queue names (CONTRACT.md). Any other code n is named '
    'source_<n>; code 2 (a note) never counts as a contact.';
COMMENT ON COLUMN freshdesk.conversation_source_names.source IS 'Freshdesk conversation source code.';
COMMENT ON COLUMN freshdesk.conversation_source_names.source_name IS 'Name used in queue names.';
COMMENT ON COLUMN freshdesk.conversation_source_names.description IS 'What the code means in Freshdesk.';

INSERT INTO freshdesk.conversation_source_names (source, source_name, description) VALUES
    (0, 'email', 'Reply'),
    (5, 'twitter', 'Tweet'),
    (6, 'survey', 'Survey feedback'),
    (7, 'facebook', 'Facebook'),
    (8, 'email', 'Forwarded email'),
    (9, 'phone', 'Phone'),
    (10, 'mobihelp', 'Mobihelp'),
    (11, 'ecommerce', 'E-commerce');

-- The derivation joins the lookup tables directly (a per-row function call would cost a
-- subquery per contact); these functions are the same rule for ad-hoc use.
CREATE FUNCTION freshdesk.ticket_source_name(source integer) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT COALESCE(
        (SELECT n.source_name FROM freshdesk.ticket_source_names n WHERE n.source = $1),
        'source_' || COALESCE($1::text, 'unknown'))
$$;
COMMENT ON FUNCTION freshdesk.ticket_source_name(integer) IS
    'Queue source name of a ticket source code: the contract''s map, else source_<n> (source_unknown for NULL).';

CREATE FUNCTION freshdesk.conversation_source_name(source integer) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT COALESCE(
        (SELECT n.source_name FROM freshdesk.conversation_source_names n WHERE n.source = $1),
        'source_' || COALESCE($1::text, 'unknown'))
$$;
COMMENT ON FUNCTION freshdesk.conversation_source_name(integer) IS
    'Queue source name of a conversation source code: the contract''s map, else source_<n> (source_unknown for NULL).';

-- date_bin on timestamptz works on absolute time, so the buckets are aligned to
-- :00/:15/:30/:45 UTC whatever the session's TimeZone.
CREATE FUNCTION freshdesk.interval_15m(ts timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT date_bin(interval '15 minutes', ts, timestamptz '2000-01-01 00:00:00+00')
$$;
COMMENT ON FUNCTION freshdesk.interval_15m(timestamptz) IS
    'Start of the 15-minute interval (aligned to :00/:15/:30/:45 UTC) that holds the given instant.';
