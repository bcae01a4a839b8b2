-- What a user has read of their notices is one mark: every notice up to
-- that id. Notices are only ever marked read up to the newest one shown,
-- so a row per notice and user said nothing more, and made the unread
-- count (on every page) read every notice already read.
ALTER TABLE users ADD COLUMN notices_read_to BIGINT NOT NULL DEFAULT 0;
UPDATE users SET notices_read_to = coalesce((SELECT max(r.notice_id) FROM notice_reads r WHERE r.user_id = users.id), 0);
DROP TABLE notice_reads;
