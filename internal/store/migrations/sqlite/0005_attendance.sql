-- Training sessions of a cohort and who attended them.

CREATE TABLE cohort_sessions (
    id         INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id),
    date       TEXT NOT NULL,
    topic      TEXT NOT NULL,
    hours      INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cohort_sessions_cohort ON cohort_sessions (cohort_id, date);

CREATE TABLE attendance (
    session_id     INTEGER NOT NULL REFERENCES cohort_sessions (id),
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id),
    present        BOOLEAN NOT NULL,
    absence_reason TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, enrollment_id)
);
CREATE INDEX attendance_enrollment ON attendance (enrollment_id);
