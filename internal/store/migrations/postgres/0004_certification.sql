-- Assessments by certification bodies, results per competency unit, and the
-- certificates issued when every unit of a scheme is K.

CREATE TABLE assessments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cohort_id       BIGINT NOT NULL REFERENCES cohorts (id),
    body_id         BIGINT NOT NULL REFERENCES organizations (id),
    assessor_name   TEXT NOT NULL,
    assessor_number TEXT NOT NULL,
    date            DATE NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX assessments_cohort ON assessments (cohort_id);

CREATE TABLE assessment_results (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    unit_code     TEXT NOT NULL REFERENCES units (code),
    result        TEXT NOT NULL CHECK (result IN ('K', 'BK')),
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (assessment_id, person_id, unit_code)
);
CREATE INDEX assessment_results_person ON assessment_results (person_id);

CREATE TABLE certificates (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          TEXT NOT NULL CONSTRAINT certificates_code_key UNIQUE,
    number        TEXT NOT NULL CONSTRAINT certificates_number_key UNIQUE,
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    scheme_id     BIGINT NOT NULL REFERENCES schemes (id),
    body_id       BIGINT NOT NULL REFERENCES organizations (id),
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    holder_name   TEXT NOT NULL,
    issued_on     DATE NOT NULL,
    expires_on    DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('AKTIF', 'KEDALUWARSA', 'DIBEKUKAN', 'DICABUT', 'DIGANTI')),
    status_index  INTEGER NOT NULL CONSTRAINT certificates_status_index_key UNIQUE,
    revoke_reason TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX certificates_person ON certificates (person_id);
