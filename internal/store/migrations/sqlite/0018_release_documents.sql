-- The documents a person needs for work after release (KTP, KK, BPJS,
-- a bank account, a CV, an SKCK): one row per person and kind, held or in
-- progress, as the facility last recorded it. A kind without a row is
-- missing.
CREATE TABLE release_documents (
    person_id  INTEGER NOT NULL REFERENCES persons (id),
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('HELD', 'IN_PROGRESS')),
    noted_by   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, kind)
);
