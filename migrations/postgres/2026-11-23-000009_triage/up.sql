-- Intake triage: the needs assessment's due time per report (from its urgency class and the
-- holiday calendar), carried over to the case it opens; child-safety concerns with the decision
-- they need within the emergency deadline.
ALTER TABLE intake_reports ADD COLUMN due_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN assessment_due_at TIMESTAMP;

CREATE TABLE safety_concerns (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    report_id TEXT REFERENCES intake_reports (id),
    case_id TEXT REFERENCES cases (id),
    description TEXT NOT NULL,
    raised_by TEXT NOT NULL REFERENCES staff (id),
    raised_at TIMESTAMP NOT NULL,
    decision_due_at TIMESTAMP NOT NULL,
    decision TEXT,
    decision_note TEXT,
    decided_by TEXT REFERENCES staff (id),
    decided_at TIMESTAMP
);
CREATE INDEX safety_concerns_unit ON safety_concerns (unit_id, decided_at);
CREATE INDEX safety_concerns_case ON safety_concerns (case_id);
CREATE INDEX safety_concerns_report ON safety_concerns (report_id);
