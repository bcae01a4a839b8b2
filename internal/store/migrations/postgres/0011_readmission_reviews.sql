-- Re-admissions held for review, the earlier names of people, and notices.
--
-- An import row whose NIK names someone released earlier but whose name or
-- birth date disagrees with the record is not merged: it waits in
-- readmission_reviews until an officer of the importing facility confirms it
-- as the same person (then it is re-admitted) or rejects it. row_data holds
-- what the row would write (JSON, never the NIK); at most one review per
-- person and facility waits at a time.
ALTER TABLE imports ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

CREATE TABLE readmission_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id BIGINT NOT NULL REFERENCES organizations (id),
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    import_id   BIGINT REFERENCES imports (id),
    line        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    birth_date  DATE,
    row_data    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX readmission_reviews_pending ON readmission_reviews (facility_id, person_id)
    WHERE status = 'pending';
CREATE INDEX readmission_reviews_facility ON readmission_reviews (facility_id, status, id);

-- A name a person was known by until an import or a confirmed review changed
-- it: kept as history, never overwritten.
CREATE TABLE person_names (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    name        TEXT NOT NULL,
    source      TEXT NOT NULL, -- import, review
    replaced_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX person_names_person ON person_names (person_id, id);

-- Something an organisation's people should know, of a kind (for now
-- readmitted_elsewhere: someone released from here was admitted again at
-- another facility), about a person when it concerns one.
CREATE TABLE notices (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    kind            TEXT NOT NULL,
    person_id       BIGINT REFERENCES persons (id),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_organization ON notices (organization_id, id);
