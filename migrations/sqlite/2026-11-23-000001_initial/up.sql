-- SQLite tree: kept in step with migrations/postgres (same names, same tables; a test checks).
-- Opora's initial schema. One logical schema for SQLite and PostgreSQL: shared SQL types only
-- (TEXT, INTEGER, BIGINT, BOOLEAN, DATE, TIMESTAMP in UTC); ids are UUIDv7 text made by the app,
-- so they sort by creation time and serve as stable cursors. Every case-scoped table carries the
-- owning unit's id (`unit_id`) so the data can be partitioned or sharded by unit later.

-- The organisation tree: department -> centre -> district department -> service or sector.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES units (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    full_name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_unit ON staff (unit_id);

CREATE TABLE staff_roles (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

-- A client: one person, or a family (household) with members.
CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    display_name TEXT NOT NULL,
    date_of_birth DATE,
    sex TEXT,
    phone TEXT,
    address TEXT,
    district TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX clients_unit ON clients (unit_id, id);

CREATE TABLE client_members (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    full_name TEXT NOT NULL,
    relation TEXT NOT NULL,
    date_of_birth DATE,
    sex TEXT,
    is_child BOOLEAN NOT NULL
);
CREATE INDEX client_members_client ON client_members (client_id, position);

-- Lifecycle stages 1-3 (intake, verification, need recognition) and the report's outcome.
CREATE TABLE intake_reports (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    client_id TEXT REFERENCES clients (id),
    source TEXT NOT NULL,
    urgency TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter TEXT,
    received_at TIMESTAMP NOT NULL,
    stage TEXT NOT NULL,
    rejection_reason TEXT,
    outcome_note TEXT,
    case_id TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX intake_reports_unit ON intake_reports (unit_id, id);
CREATE INDEX intake_reports_stage ON intake_reports (stage);

-- Lifecycle stages 4-8 and the work model the case follows. `cycle` grows on every reopening:
-- guards judge only the assessments, plans and evaluations of the current cycle.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    client_id TEXT NOT NULL REFERENCES clients (id),
    report_id TEXT NOT NULL REFERENCES intake_reports (id),
    lifecycle_stage TEXT NOT NULL,
    work_model TEXT NOT NULL,
    model_stage TEXT NOT NULL,
    urgency TEXT NOT NULL,
    key_worker_id TEXT NOT NULL REFERENCES staff (id),
    cycle INTEGER NOT NULL,
    closure_reason TEXT,
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_unit ON cases (unit_id, id);
CREATE INDEX cases_client ON cases (client_id);
CREATE INDEX cases_key_worker ON cases (key_worker_id);
CREATE INDEX cases_stage ON cases (lifecycle_stage);

-- Every state change: who, when, what, why. Append-only.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    case_id TEXT REFERENCES cases (id),
    report_id TEXT REFERENCES intake_reports (id),
    client_id TEXT REFERENCES clients (id),
    action TEXT NOT NULL,
    machine TEXT,
    move_kind TEXT,
    from_stage TEXT,
    to_stage TEXT,
    reason_code TEXT,
    reason TEXT,
    details TEXT,
    actor_id TEXT NOT NULL REFERENCES staff (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX events_case ON events (case_id, id);
CREATE INDEX events_report ON events (report_id, id);
CREATE INDEX events_client ON events (client_id, id);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    needs TEXT NOT NULL,
    strengths TEXT NOT NULL,
    risks TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessments_case ON assessments (case_id, id);

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    version_no INTEGER NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    next_review_on DATE NOT NULL,
    status TEXT NOT NULL,
    agreed_on DATE,
    agreed_by TEXT,
    agreement_method TEXT,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, version_no)
);

CREATE TABLE plan_goals (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    expected_result TEXT NOT NULL,
    deadline DATE
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id, position);

CREATE TABLE plan_actions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units (id),
    goal_id TEXT REFERENCES plan_goals (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    responsible TEXT NOT NULL,
    due_on DATE
);
CREATE INDEX plan_actions_plan ON plan_actions (plan_id, position);

-- Service agreement, informed consent, preliminary and concluded contract, termination.
CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    kind TEXT NOT NULL,
    signed_on DATE NOT NULL,
    signed_by_client BOOLEAN NOT NULL,
    signed_by_service BOOLEAN NOT NULL,
    parties TEXT NOT NULL,
    notes TEXT,
    valid_until DATE,
    terminated_on DATE,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_case ON agreements (case_id, id);

-- Evaluations of a case (the final evaluation before closing as "goals achieved").
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    cycle INTEGER NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_case ON evaluations (case_id, id);
