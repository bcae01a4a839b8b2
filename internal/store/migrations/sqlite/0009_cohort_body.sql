-- The certification body engaged to assess a cohort: only its assessors see
-- the cohort and its candidates, and only it may assess them.
ALTER TABLE cohorts ADD COLUMN body_id INTEGER REFERENCES organizations (id);
CREATE INDEX cohorts_body ON cohorts (body_id);
