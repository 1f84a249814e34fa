-- V001: the raw mirror of Freshdesk (one row per object, upserted by id) and the queues of
-- changed tickets/groups that the volume refresh consumes.

CREATE SCHEMA IF NOT EXISTS freshdesk_raw;
CREATE SCHEMA IF NOT EXISTS freshdesk;

COMMENT ON SCHEMA freshdesk_raw IS
    'Mirror of Freshdesk as imported (one row per object, upserted by id, full JSON kept in payload) '
    'plus the import''s own bookkeeping. Not meant for BI: read schema freshdesk instead.';
COMMENT ON SCHEMA freshdesk IS
    'What BI reads: contacts and contact volumes per 15-minute interval and queue, rollups, '
    'lookup tables and sync status. Maintained by the Freshdesk Airflow provider.';

-- Freshdesk sends "YYYY-MM-DDTHH:MM:SSZ"; an offset-less value is taken as UTC (as the API
-- documents) instead of the session time zone, so a loader session's TimeZone never shifts data.
CREATE FUNCTION freshdesk_raw.utc_timestamp(value text) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
        -- Fast path for Freshdesk's own format; the regular expression costs 3x the cast.
        WHEN right(value, 1) = 'Z' THEN value::timestamptz
        WHEN value IS NULL OR btrim(value) = '' THEN NULL
        WHEN value ~* '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? *(z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            THEN value::timestamptz
        ELSE value::timestamp AT TIME ZONE 'UTC'
    END
$$;
COMMENT ON FUNCTION freshdesk_raw.utc_timestamp(text) IS
    'Parses a Freshdesk timestamp; a value without a zone or offset is read as UTC.';

CREATE TABLE freshdesk_raw.tickets (
    id            bigint      PRIMARY KEY,
    group_id      bigint,
    requester_id  bigint,
    responder_id  bigint,
    source        integer,
    status        integer,
    priority      integer,
    spam          boolean     NOT NULL DEFAULT false,
    deleted       boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    payload       jsonb       NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now()
);
-- A renamed/removed group re-derives all its tickets.
CREATE INDEX tickets_group_id_idx ON freshdesk_raw.tickets (group_id);

COMMENT ON TABLE freshdesk_raw.tickets IS
    'Freshdesk tickets, latest imported version of each (an older version never overwrites a newer one). '
    'Deleted and spam tickets are kept with their flag set.';
COMMENT ON COLUMN freshdesk_raw.tickets.id IS 'Freshdesk ticket id.';
COMMENT ON COLUMN freshdesk_raw.tickets.group_id IS 'Group the ticket is assigned to; NULL when none.';
COMMENT ON COLUMN freshdesk_raw.tickets.requester_id IS 'Contact (customer) who raised the ticket.';
COMMENT ON COLUMN freshdesk_raw.tickets.responder_id IS 'Agent assigned to the ticket; NULL when none.';
COMMENT ON COLUMN freshdesk_raw.tickets.source IS 'Freshdesk ticket source code (see freshdesk.ticket_source_names).';
COMMENT ON COLUMN freshdesk_raw.tickets.status IS 'Freshdesk status code: 2 Open, 3 Pending, 4 Resolved, 5 Closed, or custom.';
COMMENT ON COLUMN freshdesk_raw.tickets.priority IS 'Freshdesk priority code: 1 Low to 4 Urgent.';
COMMENT ON COLUMN freshdesk_raw.tickets.spam IS 'True when the ticket is marked spam (its contacts count in the Unknown queues).';
COMMENT ON COLUMN freshdesk_raw.tickets.deleted IS 'True when the ticket is deleted (its contacts count in the Unknown queues).';
COMMENT ON COLUMN freshdesk_raw.tickets.created_at IS 'When the ticket was created (UTC); the time of its Tickets contact.';
COMMENT ON COLUMN freshdesk_raw.tickets.updated_at IS 'Freshdesk''s last update of the ticket (UTC); orders versions on upsert.';
COMMENT ON COLUMN freshdesk_raw.tickets.payload IS 'The ticket exactly as Freshdesk returned it (deleted/spam normalised by the importer).';
COMMENT ON COLUMN freshdesk_raw.tickets.loaded_at IS 'When this row''s content was last written by the importer.';

CREATE TABLE freshdesk_raw.conversations (
    id            bigint      PRIMARY KEY,
    ticket_id     bigint      NOT NULL,
    user_id       bigint,
    source        integer,
    incoming      boolean,
    private       boolean,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz,
    payload       jsonb       NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now()
);
-- Replacing a ticket's conversations and deriving its contacts both go by ticket.
CREATE INDEX conversations_ticket_id_idx ON freshdesk_raw.conversations (ticket_id);

COMMENT ON TABLE freshdesk_raw.conversations IS
    'Conversations (replies, notes, forwards...) of the imported tickets, as last read in full for their ticket. '
    'Conversations Freshdesk no longer returns are removed; a deleted ticket (unreadable conversations) keeps its last ones.';
COMMENT ON COLUMN freshdesk_raw.conversations.id IS 'Freshdesk conversation id.';
COMMENT ON COLUMN freshdesk_raw.conversations.ticket_id IS 'Ticket the conversation belongs to (freshdesk_raw.tickets.id).';
COMMENT ON COLUMN freshdesk_raw.conversations.user_id IS 'User (agent or contact) who wrote the conversation.';
COMMENT ON COLUMN freshdesk_raw.conversations.source IS 'Freshdesk conversation source code: 0 reply, 2 note, ... (see freshdesk.conversation_source_names).';
COMMENT ON COLUMN freshdesk_raw.conversations.incoming IS 'True when created from outside Freshdesk (e.g. a customer''s email).';
COMMENT ON COLUMN freshdesk_raw.conversations.private IS 'True for private notes and other conversations hidden from the customer.';
COMMENT ON COLUMN freshdesk_raw.conversations.created_at IS 'When the conversation was created (UTC); the time of its Replies contact.';
COMMENT ON COLUMN freshdesk_raw.conversations.updated_at IS 'Freshdesk''s last update of the conversation (UTC).';
COMMENT ON COLUMN freshdesk_raw.conversations.payload IS 'The conversation exactly as Freshdesk returned it.';
COMMENT ON COLUMN freshdesk_raw.conversations.loaded_at IS 'When this row''s content was last written by the importer.';

CREATE TABLE freshdesk_raw.groups (
    id            bigint      PRIMARY KEY,
    name          text,
    updated_at    timestamptz,
    removed_at    timestamptz,
    payload       jsonb       NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE freshdesk_raw.groups IS
    'Freshdesk groups from the last full read of GET /groups. Groups missing from that read are kept '
    'with removed_at set and no longer resolve (their tickets count as "Group <id>").';
COMMENT ON COLUMN freshdesk_raw.groups.id IS 'Freshdesk group id.';
COMMENT ON COLUMN freshdesk_raw.groups.name IS 'Group name, used in queue names.';
COMMENT ON COLUMN freshdesk_raw.groups.updated_at IS 'Freshdesk''s last update of the group (UTC), when given.';
COMMENT ON COLUMN freshdesk_raw.groups.removed_at IS 'When the group was first found missing from a full read; NULL while it exists.';
COMMENT ON COLUMN freshdesk_raw.groups.payload IS 'The group exactly as Freshdesk last returned it.';
COMMENT ON COLUMN freshdesk_raw.groups.loaded_at IS 'When this row was last written by the importer.';

-- A queue, not a set: every change appends a row, and a refresh deletes only the rows its
-- snapshot sees. A mark made by a transaction still in flight therefore survives that refresh
-- (a unique set with ON CONFLICT DO NOTHING would lose it).
CREATE TABLE freshdesk_raw.dirty_tickets (
    seq           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint      NOT NULL,
    marked_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE freshdesk_raw.dirty_tickets IS
    'Tickets whose raw rows or conversations changed since the last volume refresh (consumed by it).';
COMMENT ON COLUMN freshdesk_raw.dirty_tickets.seq IS 'Order of marking.';
COMMENT ON COLUMN freshdesk_raw.dirty_tickets.ticket_id IS 'Ticket whose contacts must be derived again.';
COMMENT ON COLUMN freshdesk_raw.dirty_tickets.marked_at IS 'When the change was loaded.';

-- Groups are expanded to their tickets by the refresh itself, under its lock, so tickets
-- loaded concurrently with a rename are still caught.
CREATE TABLE freshdesk_raw.dirty_groups (
    seq           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id      bigint      NOT NULL,
    marked_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE freshdesk_raw.dirty_groups IS
    'Groups renamed, removed, restored or first seen since the last volume refresh; the refresh re-derives all their tickets.';
COMMENT ON COLUMN freshdesk_raw.dirty_groups.seq IS 'Order of marking.';
COMMENT ON COLUMN freshdesk_raw.dirty_groups.group_id IS 'Group whose tickets must be derived again.';
COMMENT ON COLUMN freshdesk_raw.dirty_groups.marked_at IS 'When the change was loaded.';
