DROP TABLE safety_concerns;
ALTER TABLE cases DROP COLUMN assessment_due_at;
ALTER TABLE intake_reports DROP COLUMN due_at;
