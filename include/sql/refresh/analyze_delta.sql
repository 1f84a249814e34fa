-- Without statistics the planner takes the delta table for large and scans the volumes.
ANALYZE pg_temp._fd_refresh_delta
