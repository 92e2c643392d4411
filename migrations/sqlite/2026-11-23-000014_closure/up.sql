-- Seed 000's standardised closing procedure: one closure report per case and cycle, a draft
-- edited until the case closes (then frozen: the report the case was closed with). It holds the
-- intended closure reason, a final evaluation per goal of the active plan, the opinions of
-- specialists, the family and independent experts, the family's satisfaction, the team's
-- recommendations, and when and how the family was told why the case ends.
CREATE TABLE closure_reports (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    closure_reason TEXT NOT NULL,
    satisfaction_score INTEGER,
    satisfaction_comment TEXT,
    recommendations TEXT,
    informed_on DATE,
    informed_how TEXT,
    informed_by TEXT,
    informed_note TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, cycle)
);

-- The final evaluation of each goal (by id, of the plan active when it was written).
CREATE TABLE closure_goal_evaluations (
    report_id TEXT NOT NULL REFERENCES closure_reports (id),
    position INTEGER NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    goal_id TEXT NOT NULL REFERENCES plan_goals (id),
    outcome TEXT NOT NULL,
    comment TEXT,
    PRIMARY KEY (report_id, position)
);

-- Qualitative opinions: a specialist (by staff id), the family, or an independent expert.
CREATE TABLE closure_opinions (
    report_id TEXT NOT NULL REFERENCES closure_reports (id),
    position INTEGER NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    source TEXT NOT NULL,
    staff_id TEXT REFERENCES staff (id),
    author TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (report_id, position)
);

-- Seed 003's unilateral endings of an agreement: by the client (reason optional) or by the
-- service refusing further help for a stated reason. The agreement's `terminated_on` is set too.
CREATE TABLE agreement_terminations (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL UNIQUE REFERENCES agreements (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    ended_by TEXT NOT NULL,
    reason_code TEXT,
    reason TEXT,
    terminated_on DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agreement_terminations_case ON agreement_terminations (case_id, id);
