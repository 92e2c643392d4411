-- One case per intake report, one active plan version per case: the database refuses the
-- duplicates that parallel requests could otherwise write (the use cases also compare-and-set).
CREATE UNIQUE INDEX cases_one_per_report ON cases (report_id);
-- Before the index: should the old read-decide-write race have left two active versions of a
-- case's plan, the later version stays active and the earlier one is superseded.
UPDATE plans SET status = 'superseded'
WHERE status = 'active'
  AND EXISTS (SELECT 1 FROM plans later
              WHERE later.case_id = plans.case_id AND later.status = 'active'
                AND later.version_no > plans.version_no);
CREATE UNIQUE INDEX plans_one_active_per_case ON plans (case_id) WHERE status = 'active';

-- Where the case's current rounds began (seed 002 re-assessment, seed 001 11 -> 4, seed 000
-- plan correction): only an assessment completed, or a plan agreed, after them counts.
ALTER TABLE cases ADD COLUMN reassessment_since TIMESTAMP;
ALTER TABLE cases ADD COLUMN replanning_since TIMESTAMP;

-- When the client's agreement to a plan version was recorded (agreed_on is the day they agreed).
ALTER TABLE plans ADD COLUMN agreed_at TIMESTAMP;
UPDATE plans SET agreed_at = created_at WHERE agreed_on IS NOT NULL;

-- Why the family could not be told that the case ends (death, moved away, no contact).
ALTER TABLE closure_reports ADD COLUMN not_informed_reason TEXT;

-- Every event is stored under a stable name (domain::events::EventKind) with the version of the
-- shape of its details.
ALTER TABLE events ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
