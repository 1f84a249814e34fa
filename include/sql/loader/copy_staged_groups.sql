COPY pg_temp._fd_stage_groups (seq, group_id, payload) FROM STDIN
