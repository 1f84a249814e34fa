-- Temporary tables have no statistics until analysed; the joins below must know whether
-- they handle ten tickets or a million.
ANALYZE pg_temp._fd_refresh_tickets
