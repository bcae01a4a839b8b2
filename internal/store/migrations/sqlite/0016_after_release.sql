-- After release: the Bapas supervising a conditional release, the hand-over
-- of a released participant to a mentor, placements and employment periods,
-- and the follow-ups scheduled after release.

ALTER TABLE custody_episodes ADD COLUMN supervisor_id INTEGER REFERENCES organizations (id);
CREATE INDEX custody_episodes_supervisor ON custody_episodes (supervisor_id);

CREATE TABLE handovers (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons (id),
    episode_id      INTEGER NOT NULL REFERENCES custody_episodes (id),
    facility_id     INTEGER NOT NULL REFERENCES organizations (id),
    mentor_id       INTEGER NOT NULL REFERENCES organizations (id),
    handed_at       TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT handovers_episode_key UNIQUE (episode_id)
);
CREATE INDEX handovers_mentor ON handovers (mentor_id, acknowledged_at);
CREATE INDEX handovers_facility ON handovers (facility_id, acknowledged_at);

CREATE TABLE placements (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES persons (id),
    kind           TEXT NOT NULL CHECK (kind IN ('JOB', 'UMKM', 'SELF_EMPLOYED', 'INTERNSHIP')),
    employer_id    INTEGER REFERENCES organizations (id),
    employer_name  TEXT NOT NULL DEFAULT '',
    position       TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    end_date       TEXT,
    end_reason     TEXT NOT NULL DEFAULT '',
    wage_band      TEXT NOT NULL DEFAULT '',
    contract_type  TEXT NOT NULL DEFAULT '',
    part_time      BOOLEAN NOT NULL DEFAULT FALSE,
    application_id INTEGER REFERENCES applications (id),
    agreement_id   INTEGER REFERENCES agreements (id),
    recorded_by    TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX placements_person ON placements (person_id, start_date);
CREATE INDEX placements_employer ON placements (employer_id);
CREATE INDEX placements_agreement ON placements (agreement_id);

CREATE TABLE followups (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    episode_id   INTEGER NOT NULL REFERENCES custody_episodes (id),
    mentor_id    INTEGER NOT NULL REFERENCES organizations (id),
    month        INTEGER NOT NULL,
    due_date     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('DUE', 'DONE', 'CLOSED')),
    contact_date TEXT,
    contacted    BOOLEAN NOT NULL DEFAULT FALSE,
    outcome      TEXT NOT NULL DEFAULT '',
    confirmed    BOOLEAN NOT NULL DEFAULT FALSE,
    employer     TEXT NOT NULL DEFAULT '',
    needs        TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT followups_month_key UNIQUE (episode_id, month)
);
CREATE INDEX followups_mentor ON followups (mentor_id, status, due_date);
CREATE INDEX followups_person ON followups (person_id, due_date);
