CREATE TEMP TABLE IF NOT EXISTS _fd_stage_groups (
    seq       bigint NOT NULL,
    group_id  bigint NOT NULL,
    payload   jsonb  NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS _fd_groups_changed (
    group_id  bigint PRIMARY KEY
) ON COMMIT DROP;
TRUNCATE pg_temp._fd_stage_groups, pg_temp._fd_groups_changed;
