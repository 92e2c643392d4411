//! Rows as stored. Codes (stages, kinds, reasons) are the domain's stable text codes; the
//! conversion to domain enums happens where rules are applied (in the use cases); statuses are
//! read as the domain's enums through the rows' `status()`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::casework::agreement::AgreementStatus;
use opora_domain::casework::assessment::AssessmentStatus;
use opora_domain::casework::plan::PlanStatus;

use crate::error::stored;
use crate::schema::*;
use crate::StoreResult;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: String,
    pub unit_id: String,
    pub full_name: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A staff member with the roles on their record.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub id: String,
    pub unit_id: String,
    pub full_name: String,
    pub active: bool,
    pub roles: Vec<opora_domain::Role>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: String,
    pub unit_id: String,
    pub kind: String,
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The display name's match key (`opora_domain::names::name_key`), for the duplicate check.
    pub name_key: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = client_members)]
pub struct MemberRow {
    pub id: String,
    pub client_id: String,
    pub unit_id: String,
    pub position: i32,
    pub full_name: String,
    pub relation: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub is_child: bool,
    /// The name's match key (`opora_domain::names::name_key`), for the duplicate check.
    pub name_key: String,
    /// A child's school or kindergarten, and class or group.
    pub school_name: Option<String>,
    pub school_class: Option<String>,
}

/// A client category (a code of the client-category classifier) on a client.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = client_categories)]
pub struct CategoryRow {
    pub client_id: String,
    pub code: String,
    pub unit_id: String,
    pub position: i32,
}

/// One of a client's phones: `kind` is `mobile`, `home` or `work`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = client_phones)]
pub struct PhoneRow {
    pub client_id: String,
    pub position: i32,
    pub unit_id: String,
    pub number: String,
    pub kind: String,
    pub note: Option<String>,
}

/// A client's questionnaire (seed 003), its non-sensitive sections as a JSON object.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = client_questionnaires)]
pub struct QuestionnaireRow {
    pub client_id: String,
    pub unit_id: String,
    pub content: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// A client with its family members, in order, its categories (codes, in order) and phones.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub client: ClientRow,
    pub members: Vec<MemberRow>,
    pub categories: Vec<String>,
    pub phones: Vec<PhoneRow>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = intake_reports)]
pub struct ReportRow {
    pub id: String,
    pub unit_id: String,
    pub client_id: Option<String>,
    pub source: String,
    pub urgency: String,
    pub description: String,
    pub reporter: Option<String>,
    pub received_at: NaiveDateTime,
    pub stage: String,
    pub rejection_reason: Option<String>,
    pub outcome_note: Option<String>,
    pub case_id: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When the needs assessment is due (from the urgency class and the holiday calendar).
    pub due_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub unit_id: String,
    pub client_id: String,
    pub report_id: String,
    pub lifecycle_stage: String,
    pub work_model: String,
    pub model_stage: String,
    pub urgency: String,
    pub key_worker_id: String,
    pub cycle: i32,
    pub closure_reason: Option<String>,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Visible only to the staff named in `case_access` and the key worker.
    pub restricted: bool,
    /// When the first needs assessment is due (inherited from the report).
    pub assessment_due_at: Option<NaiveDateTime>,
    /// The last return to assessment in this cycle: only assessments completed after it count.
    pub reassessment_since: Option<NaiveDateTime>,
    /// The last plan correction in this cycle: only plan agreements recorded after it count.
    pub replanning_since: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub unit_id: String,
    pub case_id: Option<String>,
    pub report_id: Option<String>,
    pub client_id: Option<String>,
    pub action: String,
    pub machine: Option<String>,
    pub move_kind: Option<String>,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub details: Option<String>,
    pub actor_id: String,
    pub at: NaiveDateTime,
    /// The version of the shape of `details` for this kind of event.
    pub schema_version: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub kind: String,
    pub summary: String,
    pub needs: String,
    pub strengths: String,
    pub risks: String,
    pub status: String,
    pub completed_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// Bumped by every change of a draft (the ETag).
    pub version: i64,
    /// JSON list of the problems to work on.
    pub conclusions: String,
    pub recommendations: String,
    /// The child's own view, gathered from the child (seed 000).
    pub child_view: Option<String>,
    pub child_view_method: Option<String>,
    pub child_view_on: Option<NaiveDate>,
    /// The completed assessment this re-assessment corrects.
    pub corrects: Option<String>,
}

impl AssessmentRow {
    /// Where the assessment stands.
    pub fn status(&self) -> StoreResult<AssessmentStatus> {
        stored("assessment status", &self.status, AssessmentStatus::parse)
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = assessment_domains)]
pub struct AssessmentDomainRow {
    pub id: String,
    pub assessment_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub position: i32,
    pub domain: String,
    pub need_level: String,
    pub strengths: String,
    pub risks: String,
    pub resources: String,
}

/// An assessment with its life-domain entries, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub assessment: AssessmentRow,
    pub domains: Vec<AssessmentDomainRow>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_action_execution)]
pub struct ActionExecutionRow {
    pub action_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_goal_progress)]
pub struct GoalProgressRow {
    pub goal_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub status: String,
    pub progress: i32,
    pub note: Option<String>,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_specialist_agreements)]
pub struct SpecialistAgreementRow {
    pub id: String,
    pub plan_id: String,
    pub action_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub staff_id: String,
    pub agreed: bool,
    pub comment: Option<String>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_approvals)]
pub struct PlanApprovalRow {
    pub id: String,
    pub plan_id: String,
    pub case_id: String,
    pub unit_id: String,
    pub decision: String,
    pub comment: Option<String>,
    pub supervisor_id: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub version_no: i32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    pub status: String,
    pub agreed_on: Option<NaiveDate>,
    pub agreed_by: Option<String>,
    pub agreement_method: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// When the client's agreement was recorded.
    pub agreed_at: Option<NaiveDateTime>,
}

impl PlanRow {
    /// Where the plan version stands.
    pub fn status(&self) -> StoreResult<PlanStatus> {
        stored("plan status", &self.status, PlanStatus::parse)
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_goals)]
pub struct GoalRow {
    pub id: String,
    pub plan_id: String,
    pub unit_id: String,
    pub position: i32,
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
    /// The id that stays the same across plan versions (`None`: the row's own id).
    pub stable_id: Option<String>,
    /// `short` or `long`.
    pub term: Option<String>,
    /// `1`–`5` or `low`, `medium`, `high`.
    pub priority: Option<String>,
}

impl GoalRow {
    /// The goal's id across plan versions.
    pub fn key(&self) -> &str {
        self.stable_id.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_actions)]
pub struct ActionRow {
    pub id: String,
    pub plan_id: String,
    pub unit_id: String,
    pub goal_id: Option<String>,
    pub position: i32,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    /// The id that stays the same across plan versions (`None`: the row's own id).
    pub stable_id: Option<String>,
    /// `worker`, `family_member` or `partner_organisation`.
    pub responsible_kind: Option<String>,
    /// The responsible's staff id, name or organisation.
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    /// JSON list of the staff ids of the specialists taking part.
    pub specialists: String,
}

impl ActionRow {
    /// The action's id across plan versions.
    pub fn key(&self) -> &str {
        self.stable_id.as_deref().unwrap_or(&self.id)
    }
}

/// A plan version with its goals and actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub plan: PlanRow,
    pub goals: Vec<GoalRow>,
    pub actions: Vec<ActionRow>,
    /// The specialists' agreements to this version's actions.
    pub specialist_agreements: Vec<SpecialistAgreementRow>,
    /// Supervisors' approvals of (or comments on) this version.
    pub approvals: Vec<PlanApprovalRow>,
    /// Warnings found when the version was drafted (e.g. `family_overload`).
    pub warnings: Vec<PlanWarning>,
    /// The services planned in this version.
    pub services: Vec<PlanServiceRow>,
    /// The `plan_agreement` record of the client's agreement to this version, once agreed.
    pub agreement_id: Option<String>,
}

/// A service planned in a plan version: what, by whom (a worker or a partner organisation), how
/// often.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plan_services)]
pub struct PlanServiceRow {
    pub id: String,
    pub plan_id: String,
    pub unit_id: String,
    pub position: i32,
    pub service: String,
    /// `worker` or `partner_organisation`.
    pub provider_kind: Option<String>,
    /// The worker's staff id or name, or the organisation's name.
    pub provider: String,
    pub frequency: Option<String>,
}

/// A warning about the change just made (a plan version drafted, a key worker assigned); it does
/// not stop the change and is not stored with it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    pub code: String,
    pub detail: String,
}

/// A warning about a plan version (e.g. `family_overload`).
pub type PlanWarning = Warning;

/// One action of the case's plan with its execution state (the plan's execution part).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionExecutionView {
    /// The latest wording of the action (from the newest version naming it).
    pub action: ActionRow,
    /// The version number the wording comes from.
    pub plan_version: i32,
    pub plan_status: String,
    pub execution: Option<ActionExecutionRow>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = agreements)]
pub struct AgreementRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub kind: String,
    /// The day it was signed, or agreed orally.
    pub signed_on: NaiveDate,
    /// The client's consent is on record: signed for a written agreement, given before the
    /// witness for an oral one (the guards count it either way; the API shows an oral agreement
    /// as agreed, not signed: `opora_domain::casework::agreement::Signatures`).
    pub signed_by_client: bool,
    pub signed_by_service: bool,
    pub parties: String,
    pub notes: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// For a `plan_agreement`: the plan version agreed.
    pub plan_id: Option<String>,
    /// How it was agreed: `signed`, `oral`, `electronic`.
    pub method: Option<String>,
    /// For a child: the person with parental responsibility who signed.
    pub signed_for_child_by: Option<String>,
    /// Their relation to the child (e.g. `mother`, `guardian`).
    pub signer_relation: Option<String>,
    /// `oral` or `written` (`opora_domain::AgreementForm`).
    pub form: String,
    /// Who witnessed an oral agreement.
    pub witnessed_by: Option<String>,
}

impl AgreementRow {
    /// In force, or ended (`terminated_on`).
    pub fn status(&self) -> AgreementStatus {
        AgreementStatus::of(self.terminated_on)
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub kind: String,
    pub summary: String,
    pub outcome: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = closure_reports)]
pub struct ClosureReportRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub cycle: i32,
    pub closure_reason: String,
    pub satisfaction_score: Option<i32>,
    pub satisfaction_comment: Option<String>,
    pub recommendations: Option<String>,
    pub informed_on: Option<NaiveDate>,
    pub informed_how: Option<String>,
    pub informed_by: Option<String>,
    pub informed_note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
    /// Why the family could not be told (`client_died`, `moved_away`, `no_contact`).
    pub not_informed_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_settings)]
pub struct UnitSettingsRow {
    pub unit_id: String,
    pub requires_plan_approval: bool,
    pub requires_closure_approval: bool,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}
