-- Notifications: a notice names what it is about (ref, for instance
-- "followup:12"), so that a reminder found again by the next sweep is not
-- written twice; each user marks what they have read; and every notice is
-- queued in the outbox, in the transaction that wrote it, for each person
-- to tell by e-mail. A message is claimed with a lease (lease_owner,
-- lease_until) so that of several servers on one database only one sends
-- it, retried with back-off (next_attempt_at) and given up after a limit
-- (status failed), for an admin to see and send again.
--
-- A re-admission is linked to the episode before it and typed for the
-- outcome figures: a new case, or the revocation of a conditional release.

ALTER TABLE notices ADD COLUMN ref TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX notices_ref ON notices (organization_id, kind, ref) WHERE ref <> '';

CREATE TABLE notice_reads (
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    read_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, notice_id)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    notice_id       INTEGER REFERENCES notices (id),
    user_id         INTEGER REFERENCES users (id),
    address         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);

ALTER TABLE custody_episodes ADD COLUMN previous_episode_id INTEGER REFERENCES custody_episodes (id);
ALTER TABLE custody_episodes ADD COLUMN readmission TEXT NOT NULL DEFAULT ''
    CHECK (readmission IN ('', 'NEW_CASE', 'REVOCATION'));
