CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_tickets (
    ticket_id      bigint PRIMARY KEY
) ON COMMIT DROP;
-- The contacts of the refreshed tickets as the counting rules give them now (new) and as
-- freshdesk.contacts holds them (old); then the old ones that are no longer exactly so (stale)
-- and the new ones not yet stored exactly so (fresh). Same columns as freshdesk.contacts, so
-- rows compare and copy as they are.
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_new (LIKE freshdesk.contacts) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_old (LIKE freshdesk.contacts) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_stale (LIKE freshdesk.contacts) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_fresh (LIKE freshdesk.contacts) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_net (
    interval_start timestamptz NOT NULL,
    queue_name     text        NOT NULL,
    group_name     text,
    source_name    text,
    queue_kind     text        NOT NULL,
    channel        text        NOT NULL,
    delta          integer     NOT NULL,
    PRIMARY KEY (interval_start, queue_name)
) ON COMMIT DROP;
TRUNCATE pg_temp._fd_refresh_tickets, pg_temp._fd_refresh_new, pg_temp._fd_refresh_old,
    pg_temp._fd_refresh_stale, pg_temp._fd_refresh_fresh, pg_temp._fd_refresh_net;
