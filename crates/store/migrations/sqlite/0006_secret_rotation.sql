-- Client-secret rotation through Adobe's I/O Management API. Keep in step with
-- ../postgres/0006_secret_rotation.sql (SQLite has no 0005: notifications are PostgreSQL's).

-- Where an OAuth credential lives in the Developer Console (numeric ids), how often its
-- secret is rotated, which of Adobe's secrets is held (when a rotation set it) and since when.
ALTER TABLE configs ADD COLUMN console_org_id TEXT;
ALTER TABLE configs ADD COLUMN credential_id TEXT;
ALTER TABLE configs ADD COLUMN rotate_every_days INTEGER;
ALTER TABLE configs ADD COLUMN secret_uuid TEXT;
ALTER TABLE configs ADD COLUMN secret_since TEXT;
UPDATE configs SET secret_since = updated_at;

-- One row per rotation: a resumable job. `known_uuids` are the credential's secrets when
-- the job began (comma-separated); the new secret is sealed here from Adobe's answer until
-- the configuration has switched to it, then cleared.
CREATE TABLE secret_rotations (
    id               BLOB PRIMARY KEY NOT NULL,
    config_id        BLOB NOT NULL REFERENCES configs (id) ON DELETE CASCADE,
    config_name      TEXT NOT NULL,
    state            TEXT NOT NULL,
    delete_old       TEXT NOT NULL,
    grace_hours      INTEGER NOT NULL,
    actor            TEXT NOT NULL,
    known_uuids      TEXT NOT NULL,
    old_secret_uuid  TEXT,
    new_secret_uuid  TEXT,
    key_id           TEXT,
    new_secret_ct    BLOB,
    reason           TEXT,
    started_at       TEXT NOT NULL,
    switched_at      TEXT,
    updated_at       TEXT NOT NULL,
    finished_at      TEXT
);
-- At most one unfinished rotation per configuration.
CREATE UNIQUE INDEX secret_rotations_open ON secret_rotations (config_id)
    WHERE finished_at IS NULL;
CREATE INDEX secret_rotations_config ON secret_rotations (config_id, started_at);
