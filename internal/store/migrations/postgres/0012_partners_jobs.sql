-- Partners and jobs: the employer's partner profile, agreements with their
-- parties, commitments and documents, internships before release with their
-- daily log, consent to be proposed to employers, vacancies with their
-- competency units, and applications with their history.

ALTER TABLE organizations ADD COLUMN kbli_code TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN kbli_version TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN partner_tier TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN accepts_convictions BOOLEAN NOT NULL DEFAULT TRUE;
-- Offence groups the employer will not take, comma-separated; read only
-- inside matching.
ALTER TABLE organizations ADD COLUMN excluded_offences TEXT NOT NULL DEFAULT '';

CREATE TABLE partner_contacts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    role_title      TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX partner_contacts_org ON partner_contacts (organization_id, position);

-- What the register says of an episode beyond the SDP export: the offence
-- group (for employers' exclusions and the internship rule) and the last
-- disciplinary record (for the conduct rule).
ALTER TABLE custody_episodes ADD COLUMN offence_group TEXT NOT NULL DEFAULT '';
ALTER TABLE custody_episodes ADD COLUMN last_discipline DATE;

CREATE TABLE agreements (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         TEXT NOT NULL CHECK (type IN ('MOU', 'PKS', 'PERJANJIAN_PEMAGANGAN')),
    number       TEXT NOT NULL CONSTRAINT agreements_number_key UNIQUE,
    title        TEXT NOT NULL DEFAULT '',
    signed_date  DATE NOT NULL,
    valid_from   DATE NOT NULL,
    valid_until  DATE NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'ENDED')),
    ended_date   DATE,
    ended_reason TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX agreements_until ON agreements (valid_until, id);

CREATE TABLE agreement_parties (
    agreement_id    BIGINT NOT NULL REFERENCES agreements (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, organization_id)
);
CREATE INDEX agreement_parties_org ON agreement_parties (organization_id);

CREATE TABLE agreement_commitments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    kind         TEXT NOT NULL CHECK (kind IN ('INTERNSHIP_PLACES', 'HIRES', 'TRAINING_PLACES')),
    target       INTEGER NOT NULL CHECK (target > 0),
    period_from  DATE NOT NULL,
    period_until DATE NOT NULL,
    CONSTRAINT agreement_commitments_kind_key UNIQUE (agreement_id, kind)
);

CREATE TABLE agreement_documents (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX agreement_documents_agreement ON agreement_documents (agreement_id, id);

-- A cohort may be run under an agreement (its training places).
ALTER TABLE cohorts ADD COLUMN agreement_id BIGINT REFERENCES agreements (id);
CREATE INDEX cohorts_agreement ON cohorts (agreement_id);

CREATE TABLE consents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    scope       TEXT NOT NULL CHECK (scope IN ('EMPLOYER_PROPOSALS')),
    given       BOOLEAN NOT NULL,
    date        DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    form_sha256 TEXT NOT NULL DEFAULT '',
    form        BYTEA,
    form_type   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX consents_person ON consents (person_id, scope, date, id);

CREATE TABLE internships (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    episode_id   BIGINT NOT NULL REFERENCES custody_episodes (id),
    facility_id  BIGINT NOT NULL REFERENCES organizations (id),
    host_id      BIGINT NOT NULL REFERENCES organizations (id),
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    supervisor   TEXT NOT NULL,
    officer      TEXT NOT NULL DEFAULT '',
    schedule     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'ACTIVE', 'COMPLETED', 'ENDED_EARLY', 'CANCELLED')),
    reason       TEXT NOT NULL DEFAULT '',
    started_on   DATE,
    eval_note    TEXT NOT NULL DEFAULT '',
    job_offer    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX internships_person ON internships (person_id, start_date);
CREATE INDEX internships_facility ON internships (facility_id, status);
CREATE INDEX internships_agreement ON internships (agreement_id);

CREATE TABLE internship_evaluations (
    internship_id BIGINT NOT NULL REFERENCES internships (id),
    unit_code     TEXT NOT NULL REFERENCES units (code),
    result        TEXT NOT NULL CHECK (result IN ('K', 'BK')),
    PRIMARY KEY (internship_id, unit_code)
);

CREATE TABLE internship_logs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    internship_id BIGINT NOT NULL REFERENCES internships (id),
    date          DATE NOT NULL,
    left_at       TIMESTAMPTZ NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    returned_at   TIMESTAMPTZ,
    late          BOOLEAN NOT NULL DEFAULT FALSE,
    note          TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL,
    CONSTRAINT internship_logs_day_key UNIQUE (internship_id, date)
);

CREATE TABLE vacancies (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id      BIGINT NOT NULL REFERENCES organizations (id),
    labour_office_id BIGINT NOT NULL REFERENCES organizations (id),
    agreement_id     BIGINT REFERENCES agreements (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    kbji_code        TEXT NOT NULL DEFAULT '',
    kkni_level       INTEGER NOT NULL DEFAULT 0,
    places           INTEGER NOT NULL,
    region_code      TEXT NOT NULL,
    wage_min         BIGINT NOT NULL DEFAULT 0,
    wage_max         BIGINT NOT NULL DEFAULT 0,
    contract_type    TEXT NOT NULL DEFAULT '',
    start_date       DATE NOT NULL,
    closing_date     DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('DRAFT', 'OPEN', 'FILLED', 'CLOSED')),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vacancies_employer ON vacancies (employer_id, id);
CREATE INDEX vacancies_office ON vacancies (labour_office_id, id);
CREATE INDEX vacancies_agreement ON vacancies (agreement_id);

CREATE TABLE vacancy_units (
    vacancy_id BIGINT NOT NULL REFERENCES vacancies (id),
    unit_code  TEXT NOT NULL REFERENCES units (code),
    required   BOOLEAN NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (vacancy_id, unit_code)
);

CREATE TABLE applications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vacancy_id  BIGINT NOT NULL REFERENCES vacancies (id),
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    status      TEXT NOT NULL CHECK (status IN ('PROPOSED', 'VIEWED', 'INTERVIEW', 'OFFERED', 'HIRED',
                    'NOT_SELECTED', 'WITHDRAWN')),
    score       DOUBLE PRECISION NOT NULL,
    score_parts TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    hired_on    DATE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT applications_person_key UNIQUE (vacancy_id, person_id)
);
CREATE INDEX applications_person ON applications (person_id, status);

CREATE TABLE application_events (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    by_actor       TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

-- Matching reads people released recently, and the evidence of units across
-- certificates, assessments and training.
CREATE INDEX custody_episodes_released ON custody_episodes (release_date);
CREATE INDEX scheme_units_unit ON scheme_units (unit_code);
CREATE INDEX certificates_scheme ON certificates (scheme_id);
CREATE INDEX assessment_results_unit ON assessment_results (unit_code, result);
