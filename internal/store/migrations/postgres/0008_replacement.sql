-- A certificate reissued to replace another (lost, damaged, the holder's
-- name corrected) points back to the one it replaces; the old one reads
-- DIGANTI and its credential is revoked.
ALTER TABLE certificates ADD COLUMN replaces_id BIGINT REFERENCES certificates (id);
CREATE UNIQUE INDEX certificates_replaces ON certificates (replaces_id) WHERE replaces_id IS NOT NULL;
