-- One rebuild at a time (incremental and backfill may run together); readers are not blocked.
LOCK TABLE freshdesk.queue_interval_handle_time, freshdesk.queue_interval_response_times IN EXCLUSIVE MODE
