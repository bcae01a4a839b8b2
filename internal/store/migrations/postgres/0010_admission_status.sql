-- An episode's legal status at admission is a fact of the episode itself,
-- kept beside it rather than as a first row of its status history: the
-- history holds the changes, and the status history shown to people starts
-- with the admission. One row fewer for each person an import adds.
ALTER TABLE custody_episodes ADD COLUMN admission_status TEXT NOT NULL DEFAULT '';
UPDATE custody_episodes SET admission_status = coalesce((SELECT s.status FROM episode_statuses s
    WHERE s.episode_id = custody_episodes.id AND s.reason = 'admission' ORDER BY s.id LIMIT 1), status);
DELETE FROM episode_statuses WHERE reason = 'admission';
