-- Failed logins per (user name, client address) in the current window, shared by every
-- process on the database: replicas do not each grant an attacker their own allowance, and
-- a restart does not reset it.
CREATE TABLE login_failures (
    username     TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (username, client_addr)
);
CREATE INDEX login_failures_started_at ON login_failures (started_at);
