-- Checked before creating anything, so an up-to-date warehouse needs no CREATE privilege.
SELECT to_regclass('freshdesk_raw.schema_migrations') IS NOT NULL AS present
