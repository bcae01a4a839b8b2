-- Organisations, users and roles, sessions, API tokens and the audit trail.

CREATE TABLE organizations (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL CONSTRAINT organizations_code_key UNIQUE,
    name           TEXT NOT NULL,
    search_name    TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('facility', 'labour_office', 'training_provider',
                       'certification_body', 'probation_office', 'employer', 'regional_office', 'national_office')),
    region_code    TEXT NOT NULL DEFAULT '',
    parent_id      INTEGER REFERENCES organizations (id),
    path           TEXT NOT NULL,
    facility_type  TEXT NOT NULL DEFAULT '',
    facility_class TEXT NOT NULL DEFAULT '',
    employer_size  TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organizations_parent ON organizations (parent_id);
CREATE INDEX organizations_path ON organizations (path);
CREATE INDEX organizations_search ON organizations (search_name, id);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    name            TEXT NOT NULL,
    search_name     TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    lang            TEXT NOT NULL DEFAULT '',
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    first_failed_at TIMESTAMP,
    locked_at       TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_search ON users (search_name, id);

CREATE TABLE user_roles (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'facility_officer', 'labour_officer', 'assessor',
                        'probation_officer', 'employer', 'analyst')),
    organization_id INTEGER REFERENCES organizations (id),
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX user_roles_user ON user_roles (user_id);
CREATE INDEX user_roles_org ON user_roles (organization_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    actor_id   INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    org        TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    summary    TEXT NOT NULL,
    ip         TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);

-- The head of the chain: one row, updated with every append, which serialises
-- appends on both engines and lets verification notice a cut-off tail.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
