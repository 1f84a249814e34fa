SELECT
    COALESCE(sum(-delta) FILTER (WHERE delta < 0), 0) AS contacts_removed,
    COALESCE(sum(delta) FILTER (WHERE delta > 0), 0) AS contacts_added
FROM pg_temp._fd_refresh_delta
