SELECT watermark FROM freshdesk_raw.sync_watermarks WHERE stream = %(stream)s
