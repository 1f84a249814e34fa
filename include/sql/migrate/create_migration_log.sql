CREATE SCHEMA IF NOT EXISTS freshdesk_raw;

CREATE TABLE IF NOT EXISTS freshdesk_raw.schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE freshdesk_raw.schema_migrations IS
    'Warehouse schema migrations applied (include/sql/migrations/V###__name.sql); an applied file must never change.';
COMMENT ON COLUMN freshdesk_raw.schema_migrations.version IS 'Migration version (the ### of V###__name.sql).';
COMMENT ON COLUMN freshdesk_raw.schema_migrations.name IS 'Migration name (the name of V###__name.sql).';
COMMENT ON COLUMN freshdesk_raw.schema_migrations.checksum IS 'SHA-256 of the file as applied (line endings normalised).';
COMMENT ON COLUMN freshdesk_raw.schema_migrations.applied_at IS 'When the migration was applied.';
