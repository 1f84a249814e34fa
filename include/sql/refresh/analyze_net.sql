-- Without statistics the planner cannot tell a few changed cells from a million, and may scan
-- the whole volume table to merge them.
ANALYZE pg_temp._fd_refresh_net
