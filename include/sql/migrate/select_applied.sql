SELECT version, name, checksum FROM freshdesk_raw.schema_migrations ORDER BY version
