-- The second step of signing in. A user's TOTP secret is kept sealed
-- (AES-256-GCM under a key of the key file, which the database never
-- holds); totp_last_step is the last time step whose code was accepted, so
-- that no code is taken twice. Recovery codes are one-time, kept as keyed
-- hashes. A session records how far its sign-in got (stage 'code' while the
-- code is awaited), the wrong codes typed into it, and when its user last
-- gave their password and code (reauth_at), which the sensitive actions ask
-- to be recent.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- The sessions opened with a password alone end: the next sign-in asks for
-- the second step.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN reauth_at TIMESTAMP;
