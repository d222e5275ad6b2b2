-- Console and browser sessions, shared by every process on the database: a person signed in
-- through one replica stays signed in on the others and across restarts. Only the SHA-256 of
-- a session id is stored; the id itself lives in the browser's cookie.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
