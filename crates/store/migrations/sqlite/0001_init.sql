-- imsbridge store, SQLite dialect. Keep in step with ../postgres/0001_init.sql:
-- same tables, same columns, same meaning; only the types differ.

-- One row per master key that ever encrypted data here: a known value encrypted under the
-- key, so that a wrong or missing key file is caught at start-up, not at the first read.
CREATE TABLE key_checks (
    key_id      TEXT PRIMARY KEY NOT NULL,
    check_ct    BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

CREATE TABLE configs (
    id                    BLOB PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    -- Lower-cased title: case-insensitive search and one sort order on every backend.
    title_key             TEXT NOT NULL,
    cloud_solution        TEXT NOT NULL,
    cloud_solution_key    TEXT NOT NULL,
    authorization_server  TEXT NOT NULL,
    origin                TEXT NOT NULL,
    auth_type             TEXT NOT NULL,
    revision              INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    health_status         TEXT,
    health_checked_at     TEXT,
    health_message        TEXT,
    health_error_code     TEXT,
    health_debug_id       TEXT,
    client_id             TEXT NOT NULL,
    org_id                TEXT NOT NULL,
    scopes                TEXT,
    technical_account_id  TEXT,
    metascopes            TEXT,
    certificate_pem       TEXT,
    client_secret_hint    TEXT,
    -- The master key that sealed this row's secrets (client_secret_ct, private_key_ct).
    key_id                TEXT NOT NULL,
    client_secret_ct      BLOB NOT NULL,
    private_key_ct        BLOB
);
CREATE INDEX configs_order ON configs (title_key, name);
CREATE INDEX configs_auth_type ON configs (auth_type, title_key, name);
CREATE INDEX configs_cloud_solution ON configs (cloud_solution_key, title_key, name);
CREATE INDEX configs_origin ON configs (origin);
CREATE INDEX configs_health ON configs (health_status);
CREATE INDEX configs_key_id ON configs (key_id);

-- Append-only: the store never updates or deletes a row here.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_name  TEXT,
    target_id    TEXT,
    request_id   TEXT,
    client_addr  TEXT,
    details      TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_name);
CREATE INDEX audit_log_actor ON audit_log (actor);

CREATE TABLE users (
    id             BLOB PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL,
    expires_at    TEXT,
    created_at    TEXT NOT NULL,
    -- A token dies with the user who made it.
    created_by    BLOB REFERENCES users (id) ON DELETE CASCADE,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);

-- Access tokens shared between replicas; one per configuration, valid for one revision.
CREATE TABLE token_cache (
    config_id        BLOB PRIMARY KEY NOT NULL REFERENCES configs (id) ON DELETE CASCADE,
    revision         INTEGER NOT NULL,
    key_id           TEXT NOT NULL,
    access_token_ct  BLOB NOT NULL,
    expires_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX token_cache_key_id ON token_cache (key_id);
