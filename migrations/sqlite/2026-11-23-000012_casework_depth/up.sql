-- Casework depth: assessments by life domain (with conclusions, recommendations and the child's
-- own view), plan goals and actions with stable ids across versions, their execution state kept
-- apart from the versioned content, specialists' agreement and supervisor approval.

ALTER TABLE assessments ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE assessments ADD COLUMN conclusions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE assessments ADD COLUMN recommendations TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN child_view TEXT;
ALTER TABLE assessments ADD COLUMN child_view_method TEXT;
ALTER TABLE assessments ADD COLUMN child_view_on DATE;
ALTER TABLE assessments ADD COLUMN corrects TEXT;

-- One entry per life domain (codes of the `life_domains` list).
CREATE TABLE assessment_domains (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    domain TEXT NOT NULL,
    need_level TEXT NOT NULL,
    strengths TEXT NOT NULL,
    risks TEXT NOT NULL,
    resources TEXT NOT NULL
);
CREATE INDEX assessment_domains_assessment ON assessment_domains (assessment_id, position);

-- The stable id of a goal or action across plan versions (NULL: the row's own id).
ALTER TABLE plan_goals ADD COLUMN stable_id TEXT;
ALTER TABLE plan_actions ADD COLUMN stable_id TEXT;
ALTER TABLE plan_actions ADD COLUMN responsible_kind TEXT;
ALTER TABLE plan_actions ADD COLUMN responsible_ref TEXT;
ALTER TABLE plan_actions ADD COLUMN frequency TEXT;
-- JSON list of the staff ids of the specialists taking part.
ALTER TABLE plan_actions ADD COLUMN specialists TEXT NOT NULL DEFAULT '[]';

-- Execution state of an action, keyed by its stable id: survives new plan versions.
CREATE TABLE plan_action_execution (
    action_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    status TEXT NOT NULL,
    done_on DATE,
    result TEXT,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_action_execution_case ON plan_action_execution (case_id);

-- Progress of a goal, keyed by its stable id.
CREATE TABLE plan_goal_progress (
    goal_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    status TEXT NOT NULL,
    progress INTEGER NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_goal_progress_case ON plan_goal_progress (case_id);

-- A specialist's agreement to an action of a plan version.
CREATE TABLE plan_specialist_agreements (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    action_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    staff_id TEXT NOT NULL REFERENCES staff (id),
    agreed BOOLEAN NOT NULL,
    comment TEXT,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, action_id, staff_id)
);

-- A supervisor's approval of (or comment on) a plan version.
CREATE TABLE plan_approvals (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    decision TEXT NOT NULL,
    comment TEXT,
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_approvals_plan ON plan_approvals (plan_id, id);
