-- V004: contacts per the contract's counting rules, and the 15-minute queue volumes.

-- The counting rules, once, over the raw mirror. freshdesk.contacts is its materialisation,
-- kept equal to it by the refresh; the refresh filters it by ticket_id, which the planner
-- pushes into both branches (index scans on tickets.id and conversations.ticket_id).
CREATE VIEW freshdesk_raw.contacts_derived AS
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
        COALESCE(ts.source_name, 'source_' || COALESCE(t.source::text, 'unknown')) AS source_name
    FROM freshdesk_raw.tickets t
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.ticket_source_names ts ON ts.source = t.source
    UNION ALL
    -- Rule 2: a customer message is one contact at its own created_at, named by its own source.
    SELECT
        v.ticket_id,
        v.id,
        'Replies'::text,
        v.created_at,
        (t.deleted OR t.spam),
        CASE WHEN t.group_id IS NULL THEN 'No group'
             ELSE COALESCE(g.name, 'Group ' || t.group_id) END,
        COALESCE(cs.source_name, 'source_' || COALESCE(v.source::text, 'unknown'))
    FROM freshdesk_raw.conversations v
    JOIN freshdesk_raw.tickets t ON t.id = v.ticket_id
    LEFT JOIN freshdesk_raw.groups g ON g.id = t.group_id AND g.removed_at IS NULL
    LEFT JOIN freshdesk.conversation_source_names cs ON cs.source = v.source
    WHERE v.private IS FALSE
      AND v.source IS DISTINCT FROM 2
      AND (v.incoming IS TRUE OR v.user_id = t.requester_id)
) c;

COMMENT ON VIEW freshdesk_raw.contacts_derived IS
    'The contract''s counting rules applied to the current raw mirror (computed on read). '
    'freshdesk.contacts holds the same rows, maintained incrementally.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.ticket_id IS 'Ticket of the contact.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.conversation_id IS 'Conversation of a Replies contact; NULL for a Tickets contact.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.occurred_at IS 'Ticket or conversation created_at (UTC).';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.interval_start IS 'Start of the 15-minute UTC interval holding occurred_at.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.group_name IS 'Group name, No group, or Group <id>; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.source_name IS 'Source name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.queue_name IS '<group_name> <source_name> <queue_kind>, or Unknown group/source <queue_kind>.';
COMMENT ON COLUMN freshdesk_raw.contacts_derived.channel IS 'Always Cases.';

CREATE TABLE freshdesk.contacts (
    ticket_id       bigint      NOT NULL,
    conversation_id bigint,
    queue_kind      text        NOT NULL CHECK (queue_kind IN ('Tickets', 'Replies')),
    occurred_at     timestamptz NOT NULL,
    interval_start  timestamptz NOT NULL,
    group_name      text,
    source_name     text,
    queue_name      text        NOT NULL,
    channel         text        NOT NULL DEFAULT 'Cases' CHECK (channel = 'Cases'),
    CHECK ((queue_kind = 'Tickets') = (conversation_id IS NULL))
);
-- One contact per ticket and per counted conversation; its leading ticket_id also serves the
-- refresh, which replaces a changed ticket's contacts. (An expression, because PG14 has no
-- UNIQUE NULLS NOT DISTINCT; conversation ids are positive.)
CREATE UNIQUE INDEX contacts_ticket_conversation_key
    ON freshdesk.contacts (ticket_id, COALESCE(conversation_id, 0));
-- Deliberately no index by interval: every changed contact would update a random page of it,
-- which made the incremental refresh on a large warehouse markedly slower; a drill-down from a
-- volume cell to its contacts is an occasional scan.

COMMENT ON TABLE freshdesk.contacts IS
    'One row per contact under the contract''s counting rules: each ticket (Tickets) and each customer message '
    '(Replies), in its current queue. Summed per interval and queue into freshdesk.queue_interval_volume.';
COMMENT ON COLUMN freshdesk.contacts.ticket_id IS 'Freshdesk ticket id.';
COMMENT ON COLUMN freshdesk.contacts.conversation_id IS 'Freshdesk conversation id of a Replies contact; NULL for a Tickets contact.';
COMMENT ON COLUMN freshdesk.contacts.queue_kind IS 'Tickets (a new ticket) or Replies (a customer message on a ticket).';
COMMENT ON COLUMN freshdesk.contacts.occurred_at IS 'When the contact happened: the ticket''s or conversation''s created_at (UTC).';
COMMENT ON COLUMN freshdesk.contacts.interval_start IS 'Start of the 15-minute interval (aligned to :00/:15/:30/:45 UTC) holding occurred_at.';
COMMENT ON COLUMN freshdesk.contacts.group_name IS 'Current group of the ticket: its name, No group, or Group <id> when it does not resolve; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.contacts.source_name IS 'Ticket source (Tickets) or conversation source (Replies) name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.contacts.queue_name IS '<group_name> <source_name> <queue_kind>, or Unknown group/source <queue_kind> for deleted and spam tickets.';
COMMENT ON COLUMN freshdesk.contacts.channel IS 'Always Cases.';

CREATE TABLE freshdesk.queue_interval_volume (
    interval_start  timestamptz NOT NULL,
    queue_name      text        NOT NULL,
    group_name      text,
    source_name     text,
    queue_kind      text        NOT NULL CHECK (queue_kind IN ('Tickets', 'Replies')),
    channel         text        NOT NULL DEFAULT 'Cases' CHECK (channel = 'Cases'),
    contacts        integer     NOT NULL CHECK (contacts > 0),
    PRIMARY KEY (interval_start, queue_name),
    CONSTRAINT queue_interval_volume_aligned CHECK (interval_start = freshdesk.interval_15m(interval_start))
);

COMMENT ON TABLE freshdesk.queue_interval_volume IS
    'Contacts per 15-minute UTC interval and queue (CONTRACT.md). Intervals without contacts have no row. '
    'Always reflects the latest imported state of Freshdesk.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.interval_start IS 'Start of a 15-minute interval, aligned to :00/:15/:30/:45 UTC.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.queue_name IS '<group_name> <source_name> <queue_kind>, or Unknown group/source <queue_kind>.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.group_name IS 'Freshdesk group name; No group when the ticket has none; Group <id> when the group no longer resolves; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.source_name IS 'Ticket source (Tickets queues) or conversation source (Replies queues) name; NULL for the Unknown queues.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.queue_kind IS 'Tickets or Replies.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.channel IS 'Always Cases.';
COMMENT ON COLUMN freshdesk.queue_interval_volume.contacts IS 'Number of contacts in the interval and queue (> 0).';

-- A warehouse upgraded from V003 already holds tickets: the next refresh derives them all.
INSERT INTO freshdesk_raw.dirty_tickets (ticket_id) SELECT id FROM freshdesk_raw.tickets;
