CREATE TEMP TABLE IF NOT EXISTS _fd_planning_cells (
    interval_start timestamptz NOT NULL,
    queue_name     text        NOT NULL,
    PRIMARY KEY (interval_start, queue_name)
) ON COMMIT DROP;
TRUNCATE pg_temp._fd_planning_cells;
