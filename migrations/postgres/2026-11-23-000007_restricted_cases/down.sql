DROP TABLE case_access;
ALTER TABLE cases DROP COLUMN restricted;
