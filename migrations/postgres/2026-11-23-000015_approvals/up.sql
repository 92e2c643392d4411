-- Issue 3, items 4 and 7: plan goals carry a term and a priority, a plan version lists the
-- services planned; agreeing a plan version is an agreement record (linked by plan_id, with who
-- signed for a child and how); per-unit requirements of supervisor approvals.
ALTER TABLE plan_goals ADD COLUMN term TEXT;
ALTER TABLE plan_goals ADD COLUMN priority TEXT;

CREATE TABLE plan_services (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    service TEXT NOT NULL,
    provider_kind TEXT,
    provider TEXT NOT NULL,
    frequency TEXT
);
CREATE INDEX plan_services_plan ON plan_services (plan_id);

ALTER TABLE agreements ADD COLUMN plan_id TEXT;
ALTER TABLE agreements ADD COLUMN method TEXT;
ALTER TABLE agreements ADD COLUMN signed_for_child_by TEXT;
ALTER TABLE agreements ADD COLUMN signer_relation TEXT;
CREATE INDEX agreements_plan ON agreements (plan_id);

CREATE TABLE unit_settings (
    unit_id TEXT PRIMARY KEY REFERENCES units (id),
    requires_plan_approval BOOLEAN NOT NULL,
    requires_closure_approval BOOLEAN NOT NULL,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL
);

-- A supervisor's decision on a closure report, at the report's version: an edit after the
-- approval needs a new one.
CREATE TABLE closure_approvals (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES closure_reports (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    report_version BIGINT NOT NULL,
    approved BOOLEAN NOT NULL,
    comment TEXT,
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX closure_approvals_report ON closure_approvals (report_id);
