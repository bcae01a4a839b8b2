-- People in custody, their custody episodes (admission to release), status
-- history, transfers between facilities, and the imports that brought them in.
-- The NIK is never stored in clear: nik_cipher is AES-256-GCM bound to the
-- person's uid, nik_index a keyed HMAC for exact look-up; the keys live in the
-- key file, outside the database.

CREATE TABLE imports (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id   BIGINT NOT NULL REFERENCES organizations (id),
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    unchanged     INTEGER NOT NULL,
    readmitted    INTEGER NOT NULL,
    rejected      INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE persons (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid         TEXT NOT NULL, -- random; binds the sealed NIK to this person
    name        TEXT NOT NULL,
    search_name TEXT COLLATE "C" NOT NULL,
    nik_cipher  BYTEA,
    nik_index   BYTEA CONSTRAINT persons_nik_index_key UNIQUE,
    birth_place TEXT NOT NULL DEFAULT '',
    birth_date  DATE,
    sex         TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'L', 'P')),
    education   TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX persons_search ON persons (search_name, id);

CREATE TABLE custody_episodes (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id             BIGINT NOT NULL REFERENCES persons (id),
    facility_id           BIGINT NOT NULL REFERENCES organizations (id),
    registration_number   TEXT NOT NULL,
    register_class        TEXT NOT NULL DEFAULT '',
    admission_date        DATE NOT NULL,
    sentence_years        INTEGER NOT NULL DEFAULT 0,
    sentence_months       INTEGER NOT NULL DEFAULT 0,
    sentence_days         INTEGER NOT NULL DEFAULT 0,
    expected_release_date DATE,
    half_date             DATE,
    two_thirds_date       DATE,
    milestone_source      TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL CHECK (status IN ('TAHANAN', 'NARAPIDANA', 'ANAK_TAHANAN', 'ANAK_BINAAN',
                              'KLIEN', 'BEBAS', 'MENINGGAL', 'MELARIKAN_DIRI')),
    release_date          DATE,
    release_reason        TEXT NOT NULL DEFAULT '',
    import_id             BIGINT REFERENCES imports (id),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
-- A registration number names one person in custody at a facility.
CREATE UNIQUE INDEX custody_episodes_open_regno ON custody_episodes (facility_id, registration_number)
    WHERE release_date IS NULL;
CREATE INDEX custody_episodes_person ON custody_episodes (person_id, admission_date);
CREATE INDEX custody_episodes_facility ON custody_episodes (facility_id, status);
CREATE INDEX custody_episodes_release ON custody_episodes (expected_release_date);

CREATE TABLE episode_statuses (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id BIGINT NOT NULL REFERENCES custody_episodes (id),
    status     TEXT NOT NULL,
    date       DATE NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX episode_statuses_episode ON episode_statuses (episode_id, id);

CREATE TABLE transfers (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id          BIGINT NOT NULL REFERENCES custody_episodes (id),
    from_facility_id    BIGINT NOT NULL REFERENCES organizations (id),
    to_facility_id      BIGINT NOT NULL REFERENCES organizations (id),
    date                DATE NOT NULL,
    registration_number TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX transfers_episode ON transfers (episode_id, id);
