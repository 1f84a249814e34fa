SELECT count(*) FROM pg_temp._fd_refresh_net WHERE delta < 0
