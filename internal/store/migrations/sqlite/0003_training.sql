-- The competency catalogue (units, certification schemes), training
-- programmes, cohorts and enrolments.

CREATE TABLE units (
    code       TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    format     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE schemes (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL CONSTRAINT schemes_code_key UNIQUE,
    title          TEXT NOT NULL,
    kkni_level     INTEGER NOT NULL CHECK (kkni_level BETWEEN 1 AND 9),
    kbji_code      TEXT NOT NULL DEFAULT '',
    validity_years INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE scheme_units (
    scheme_id INTEGER NOT NULL REFERENCES schemes (id),
    unit_code TEXT NOT NULL REFERENCES units (code),
    position  INTEGER NOT NULL,
    PRIMARY KEY (scheme_id, unit_code)
);

CREATE TABLE programs (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL CONSTRAINT programs_code_key UNIQUE,
    title       TEXT NOT NULL,
    provider_id INTEGER NOT NULL REFERENCES organizations (id),
    scheme_id   INTEGER NOT NULL REFERENCES schemes (id),
    hours       INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE cohorts (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    facility_id INTEGER NOT NULL REFERENCES organizations (id),
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cohorts_facility ON cohorts (facility_id, end_date);
CREATE INDEX cohorts_program ON cohorts (program_id);

CREATE TABLE enrollments (
    id         INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id),
    person_id  INTEGER NOT NULL REFERENCES persons (id),
    status     TEXT NOT NULL CHECK (status IN ('TERDAFTAR', 'DAFTAR_TUNGGU', 'LULUS', 'TIDAK_LULUS',
                   'MENGUNDURKAN_DIRI', 'KELUAR_KARENA_BEBAS', 'KELUAR_KARENA_MUTASI', 'DIBATALKAN')),
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT enrollments_person_key UNIQUE (cohort_id, person_id)
);
CREATE INDEX enrollments_person ON enrollments (person_id);

CREATE TABLE enrollment_statuses (
    id            INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX enrollment_statuses_enrollment ON enrollment_statuses (enrollment_id, id);
