-- The audit chain is keyed from here on: the entries from keyed_from on are
-- chained by HMAC-SHA-256 under a key derived from the key file, which the
-- database never holds; the earlier ones keep their plain SHA-256, and the
-- first keyed entry chains onto the last of them.
ALTER TABLE audit_head ADD COLUMN keyed_from INTEGER NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = seq + 1;
