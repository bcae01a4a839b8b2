-- When a placement's end was recorded, so that a figure asked for as of a
-- past day counts a job as still running if its end was not yet known.
ALTER TABLE placements ADD COLUMN ended_at TIMESTAMP;
UPDATE placements SET ended_at = updated_at WHERE end_date IS NOT NULL;
