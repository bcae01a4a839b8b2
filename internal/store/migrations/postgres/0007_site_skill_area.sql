-- Where an assessment was held (the TUK, never printed on a certificate) and
-- the skill area of a training programme.

ALTER TABLE assessments ADD COLUMN site_type TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN site_name TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN skill_area TEXT NOT NULL DEFAULT '';
