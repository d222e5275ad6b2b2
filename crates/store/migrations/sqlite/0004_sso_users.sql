-- Single sign-on: people who sign in through an OpenID Connect provider are users too, keyed
-- by the provider's issuer and their subject there, never by name or email. A local user
-- marked break-glass may still sign in with a password when local sign-in is turned off.
ALTER TABLE users ADD COLUMN break_glass BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE sso_identities (
    issuer         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    user_id        BLOB NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    email          TEXT,
    display_name   TEXT,
    created_at     TEXT NOT NULL,
    last_login_at  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
