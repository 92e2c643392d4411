ALTER TABLE events DROP COLUMN schema_version;
ALTER TABLE closure_reports DROP COLUMN not_informed_reason;
ALTER TABLE plans DROP COLUMN agreed_at;
ALTER TABLE cases DROP COLUMN replanning_since;
ALTER TABLE cases DROP COLUMN reassessment_since;
DROP INDEX plans_one_active_per_case;
DROP INDEX cases_one_per_report;
