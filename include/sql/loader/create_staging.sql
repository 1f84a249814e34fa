-- Staging for one RawLoader.load() call. ON COMMIT DROP: nothing outlives the caller's
-- transaction; IF NOT EXISTS + TRUNCATE: several loads may share one transaction.
-- One staging table for tickets and conversations, so that the whole input is one COPY
-- stream: Python keeps producing rows while the server parses the previous ones.
CREATE TEMP TABLE IF NOT EXISTS _fd_stage (
    seq               bigint  NOT NULL,  -- position of the bundle in the input
    ticket_id         bigint  NOT NULL,
    conversation_id   bigint,            -- NULL on the ticket's own row
    ord               integer,           -- position of the conversation in its list
    has_conversations boolean,           -- on the ticket's row: false when they were unreadable
    payload           jsonb   NOT NULL
) ON COMMIT DROP;
-- The chosen version of each ticket and the conversations to write refer to their staged
-- rows by position instead of copying the payloads again.
CREATE TEMP TABLE IF NOT EXISTS _fd_load_tickets (
    ticket_id         bigint  PRIMARY KEY,
    seq               bigint  NOT NULL,
    has_conversations boolean NOT NULL,
    updated_at        timestamptz
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_applied (
    ticket_id         bigint  PRIMARY KEY
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_conversations (
    id                bigint  PRIMARY KEY,
    ticket_id         bigint  NOT NULL,
    seq               bigint  NOT NULL,
    ord               integer NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_changed (
    ticket_id         bigint  NOT NULL
) ON COMMIT DROP;
TRUNCATE pg_temp._fd_stage, pg_temp._fd_load_tickets,
         pg_temp._fd_load_applied, pg_temp._fd_load_conversations, pg_temp._fd_load_changed;
