-- Certificate numbers follow each certification body's own pattern; cohorts
-- name their instructors.

CREATE TABLE certificate_patterns (
    body_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    pattern TEXT NOT NULL
);

ALTER TABLE cohorts ADD COLUMN instructors TEXT NOT NULL DEFAULT '';
