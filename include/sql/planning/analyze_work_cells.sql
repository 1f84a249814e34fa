-- The joins below must know whether they handle ten cells or a million.
ANALYZE pg_temp._fd_planning_cells
