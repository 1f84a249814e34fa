-- Staging for one RawLoader.load() call. ON COMMIT DROP: nothing outlives the caller's
-- transaction; IF NOT EXISTS + TRUNCATE: several loads may share one transaction.
CREATE TEMP TABLE IF NOT EXISTS _fd_stage_tickets (
    seq               bigint  NOT NULL,
    ticket_id         bigint  NOT NULL,
    has_conversations boolean NOT NULL,
    payload           jsonb   NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_stage_conversations (
    seq               bigint  NOT NULL,
    ord               integer NOT NULL,
    ticket_id         bigint  NOT NULL,
    conversation_id   bigint  NOT NULL,
    payload           jsonb   NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_tickets (
    ticket_id         bigint  PRIMARY KEY,
    seq               bigint  NOT NULL,
    has_conversations boolean NOT NULL,
    updated_at        timestamptz,
    payload           jsonb   NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_applied (
    ticket_id         bigint  PRIMARY KEY
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_conversations (
    id                bigint  PRIMARY KEY,
    ticket_id         bigint  NOT NULL,
    payload           jsonb   NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_load_changed (
    ticket_id         bigint  NOT NULL
) ON COMMIT DROP;
TRUNCATE pg_temp._fd_stage_tickets, pg_temp._fd_stage_conversations, pg_temp._fd_load_tickets,
         pg_temp._fd_load_applied, pg_temp._fd_load_conversations, pg_temp._fd_load_changed;
