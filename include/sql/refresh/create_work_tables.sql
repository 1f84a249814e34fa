CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_tickets (
    ticket_id      bigint PRIMARY KEY
) ON COMMIT DROP;
-- Same columns as freshdesk.contacts, so new rows can be compared and copied as they are.
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_new (
    LIKE freshdesk.contacts
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_refresh_delta (
    interval_start timestamptz NOT NULL,
    queue_name     text        NOT NULL,
    group_name     text,
    source_name    text,
    queue_kind     text        NOT NULL,
    channel        text        NOT NULL,
    delta          bigint      NOT NULL
) ON COMMIT DROP;
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
TRUNCATE pg_temp._fd_refresh_tickets, pg_temp._fd_refresh_new, pg_temp._fd_refresh_delta, pg_temp._fd_refresh_net;
