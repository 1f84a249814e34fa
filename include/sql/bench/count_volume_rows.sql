SELECT count(*) FROM freshdesk.queue_interval_volume
