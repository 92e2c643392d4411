//! Plan versions (seed 002, stage 3; seed 000: a plan is agreed with the family): goals and actions
//! with stable ids across versions, the planned services, the family-load warning, the
//! specialists' agreement and the supervisor's approval of a version, and the client's agreement
//! that makes a version active and supersedes the one before (kept readable). The rules are
//! `opora_domain::casework::plan`'s.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::casework::plan::{
    check_draft, ActionDraft, ApprovalDecision, EarlierItems, GoalPriority, GoalTerm, PlanCommand,
    PlanDraft, PlanStatus, ResponsibleKind,
};
use opora_domain::contacts::ContactStatus;
use opora_domain::events::DomainEvent;
use opora_domain::Action;

use super::agreement::{record_plan_agreement, PlanAgreement};
use super::{position, to_json};
use crate::case_records::{active_case, case_for, subject};
use crate::events;
use crate::models::{
    ActionRow, CaseRow, GoalRow, Plan, PlanApprovalRow, PlanRow, PlanWarning,
    SpecialistAgreementRow,
};
use crate::schema::{
    contacts, plan_actions, plan_approvals, plan_goals, plan_specialist_agreements, plans,
};
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewGoal {
    /// The stable id of a goal of an earlier version to carry over (wording may change).
    pub id: Option<String>,
    pub description: String,
    pub expected_result: String,
    pub deadline: Option<NaiveDate>,
    pub term: Option<GoalTerm>,
    pub priority: Option<GoalPriority>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAction {
    /// The stable id of an action of an earlier version to carry over (wording may change).
    pub id: Option<String>,
    /// Index into the plan's goals, if the action serves one.
    pub goal: Option<usize>,
    /// Or the stable id of a goal of this version.
    pub goal_id: Option<String>,
    pub description: String,
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
    pub responsible_kind: Option<ResponsibleKind>,
    /// The responsible's staff id, name or organisation.
    pub responsible_ref: Option<String>,
    pub frequency: Option<String>,
    /// Staff ids of the specialists taking part (they record their agreement).
    pub specialists: Vec<String>,
}

/// A specialist's agreement to an action; `staff_id`, when given, must be the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecialistAgreement {
    pub staff_id: Option<String>,
    pub agreed: bool,
    pub comment: Option<String>,
}

/// A supervisor's approval of, or comment on, a plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanApproval {
    pub decision: ApprovalDecision,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewPlan {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub next_review_on: NaiveDate,
    pub goals: Vec<NewGoal>,
    pub actions: Vec<NewAction>,
    /// The services planned (service, provider, frequency).
    pub services: Vec<crate::approvals::NewService>,
}

fn load_plan(conn: &mut AnyConnection, plan: PlanRow) -> StoreResult<Plan> {
    let goals = plan_goals::table
        .filter(plan_goals::plan_id.eq(&plan.id))
        .order(plan_goals::position)
        .select(GoalRow::as_select())
        .load(conn)?;
    let actions = plan_actions::table
        .filter(plan_actions::plan_id.eq(&plan.id))
        .order(plan_actions::position)
        .select(ActionRow::as_select())
        .load(conn)?;
    let specialist_agreements = plan_specialist_agreements::table
        .filter(plan_specialist_agreements::plan_id.eq(&plan.id))
        .order(plan_specialist_agreements::id)
        .select(SpecialistAgreementRow::as_select())
        .load(conn)?;
    let approvals = plan_approvals::table
        .filter(plan_approvals::plan_id.eq(&plan.id))
        .order(plan_approvals::id)
        .select(PlanApprovalRow::as_select())
        .load(conn)?;
    let (services, agreement_id) = crate::approvals::plan_extras(conn, &plan.id)?;
    Ok(Plan {
        plan,
        goals,
        actions,
        specialist_agreements,
        approvals,
        warnings: Vec::new(),
        services,
        agreement_id,
    })
}

/// The plan versions of a case, oldest first.
fn case_plans(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<Vec<PlanRow>> {
    Ok(plans::table
        .filter(plans::case_id.eq(&case.id))
        .order(plans::version_no)
        .select(PlanRow::as_select())
        .load(conn)?)
}

/// Rows of the case's plan versions, each with its version's number and status, in version
/// then position order.
fn tag_versions<R>(
    versions: &[PlanRow],
    rows: Vec<R>,
    plan_id: impl Fn(&R) -> &str,
    position: impl Fn(&R) -> i32,
) -> Vec<(R, i32, String)> {
    let mut out: Vec<(R, i32, String)> = rows
        .into_iter()
        .filter_map(|row| {
            let p = versions.iter().find(|p| p.id == plan_id(&row))?;
            let (version, status) = (p.version_no, p.status.clone());
            Some((row, version, status))
        })
        .collect();
    out.sort_by_key(|(row, v, _)| (*v, position(row)));
    out
}

/// The goals and actions of every plan version of the case (the versions read once).
type VersionedGoals = Vec<(GoalRow, i32, String)>;

type VersionedActions = Vec<(ActionRow, i32, String)>;

pub(super) fn case_plan_items(
    conn: &mut AnyConnection,
    case: &CaseRow,
) -> StoreResult<(VersionedGoals, VersionedActions)> {
    let versions = case_plans(conn, case)?;
    let ids: Vec<&str> = versions.iter().map(|p| p.id.as_str()).collect();
    let goals: Vec<GoalRow> = plan_goals::table
        .filter(plan_goals::plan_id.eq_any(&ids))
        .select(GoalRow::as_select())
        .load(conn)?;
    let actions: Vec<ActionRow> = plan_actions::table
        .filter(plan_actions::plan_id.eq_any(&ids))
        .select(ActionRow::as_select())
        .load(conn)?;
    Ok((
        tag_versions(&versions, goals, |g| g.plan_id.as_str(), |g| g.position),
        tag_versions(&versions, actions, |a| a.plan_id.as_str(), |a| a.position),
    ))
}

/// A plan version of the case that is not superseded (agreements and approvals concern it).
fn current_version(
    conn: &mut AnyConnection,
    case: &CaseRow,
    plan_id: &str,
) -> StoreResult<PlanRow> {
    let plan: PlanRow = plans::table
        .filter(plans::id.eq(plan_id))
        .filter(plans::case_id.eq(&case.id))
        .select(PlanRow::as_select())
        .first(conn)?;
    plan.status()?
        .next(PlanCommand::Review)
        .map_err(|r| StoreError::refused(r.for_version(plan.version_no)))?;
    Ok(plan)
}

impl Store {
    /// Drafts a new plan version (goals and actions in one transaction). Goals and actions may
    /// carry over the stable id of an earlier version's goal or action; the answer carries a
    /// `family_overload` warning when the family's weekly load exceeds the policy's
    /// `family_weekly_load`.
    pub fn create_plan(&self, caller: &Caller, case_id: &str, new: NewPlan) -> StoreResult<Plan> {
        crate::approvals::check_plan_services(&new.services)?;
        let limit = self.policy().family_weekly_load;
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let at = now();
            // Stable ids of the case's earlier goals and actions, which a new version may carry.
            let (earlier_goals, earlier_actions) = case_plan_items(conn, &case)?;
            let known_goals: HashSet<String> = earlier_goals
                .into_iter()
                .map(|(g, _, _)| g.key().to_owned())
                .collect();
            let known_actions: HashSet<String> = earlier_actions
                .into_iter()
                .map(|(a, _, _)| a.key().to_owned())
                .collect();
            let draft = PlanDraft {
                period_start: new.period_start,
                period_end: new.period_end,
                goal_ids: new.goals.iter().map(|g| g.id.as_deref()).collect(),
                actions: new
                    .actions
                    .iter()
                    .map(|a| ActionDraft {
                        id: a.id.as_deref(),
                        goal: a.goal,
                        goal_id: a.goal_id.as_deref(),
                    })
                    .collect(),
            };
            let earlier = EarlierItems {
                goals: &known_goals,
                actions: &known_actions,
            };
            check_draft(&draft, earlier).map_err(StoreError::refused)?;
            let known = crate::directory::active_in_scope(
                conn,
                caller,
                new.actions.iter().flat_map(|a| &a.specialists),
            )?;
            opora_domain::casework::plan::check_specialists(
                new.actions.iter().map(|a| a.specialists.as_slice()),
                |id| known.contains(id),
            )
            .map_err(StoreError::refused)?;
            let last: Option<i32> = plans::table
                .filter(plans::case_id.eq(&case.id))
                .select(diesel::dsl::max(plans::version_no))
                .first(conn)?;
            let plan = PlanRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                cycle: case.cycle,
                version_no: last.unwrap_or(0) + 1,
                period_start: new.period_start,
                period_end: new.period_end,
                next_review_on: new.next_review_on,
                status: PlanStatus::Draft.code().to_owned(),
                agreed_on: None,
                agreed_by: None,
                agreement_method: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                agreed_at: None,
            };
            diesel::insert_into(plans::table).values(&plan).execute(conn)?;
            let goals: Vec<GoalRow> = new
                .goals
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let id = new_id();
                    GoalRow {
                        stable_id: Some(g.id.unwrap_or_else(|| id.clone())),
                        id,
                        plan_id: plan.id.clone(),
                        unit_id: case.unit_id.clone(),
                        position: position(i),
                        description: g.description,
                        expected_result: g.expected_result,
                        deadline: g.deadline,
                        term: g.term.map(|t| t.code().to_owned()),
                        priority: g.priority.map(|p| p.code().to_owned()),
                    }
                })
                .collect();
            let services = crate::approvals::insert_services(conn, &plan, new.services)?;
            for goal in &goals {
                diesel::insert_into(plan_goals::table).values(goal).execute(conn)?;
            }
            let mut actions = Vec::with_capacity(new.actions.len());
            for (i, a) in new.actions.into_iter().enumerate() {
                let goal_id = match (&a.goal, &a.goal_id) {
                    (Some(g), _) => goals.get(*g).map(|g| g.id.clone()),
                    // `check_draft` made sure the version has the goal the id names.
                    (None, Some(key)) => goals.iter().find(|g| g.key() == key).map(|g| g.id.clone()),
                    (None, None) => None,
                };
                let id = new_id();
                actions.push(ActionRow {
                    stable_id: Some(a.id.unwrap_or_else(|| id.clone())),
                    id,
                    plan_id: plan.id.clone(),
                    unit_id: case.unit_id.clone(),
                    goal_id,
                    position: position(i),
                    description: a.description,
                    responsible: a.responsible,
                    due_on: a.due_on,
                    responsible_kind: a.responsible_kind.map(|k| k.code().to_owned()),
                    responsible_ref: a.responsible_ref,
                    frequency: a.frequency,
                    specialists: to_json(&a.specialists),
                });
            }
            for action in &actions {
                diesel::insert_into(plan_actions::table).values(action).execute(conn)?;
            }
            // The family's weekly load: its own tasks plus the appointments planned for the
            // coming week.
            let family_tasks = actions
                .iter()
                .filter(|a| {
                    a.responsible_kind.as_deref() == Some(ResponsibleKind::FamilyMember.code())
                })
                .count();
            let planned: i64 = contacts::table
                .filter(contacts::case_id.eq(&case.id))
                .filter(contacts::status.eq(ContactStatus::Planned.code()))
                .filter(contacts::scheduled_at.ge(at))
                .filter(contacts::scheduled_at.lt(at + chrono::Duration::days(7)))
                .count()
                .get_result(conn)?;
            let load = family_tasks + usize::try_from(planned).unwrap_or(0);
            let mut warnings = Vec::new();
            if load > limit {
                warnings.push(PlanWarning {
                    code: "family_overload".into(),
                    detail: format!(
                        "the family would carry {load} tasks and appointments a week ({family_tasks} family actions, {planned} planned appointments in the next 7 days); the limit is {limit}"
                    ),
                });
            }
            let carried = goals.iter().filter(|g| g.stable_id.as_deref() != Some(&g.id)).count()
                + actions.iter().filter(|a| a.stable_id.as_deref() != Some(&a.id)).count();
            events::record(
                conn,
                &subject(&case),
                DomainEvent::PlanDrafted {
                    plan_id: plan.id.clone(),
                    version: plan.version_no,
                    goals: goals.len(),
                    actions: actions.len(),
                    carried_over: carried,
                    warnings: warnings.iter().map(|w| w.code.clone()).collect(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(Plan {
                plan,
                goals,
                actions,
                specialist_agreements: Vec::new(),
                approvals: Vec::new(),
                warnings,
                services,
                agreement_id: None,
            })
        })
    }

    /// Records the client's agreement: the version becomes active and the previous active one
    /// is superseded (kept readable).
    pub fn agree_plan(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        agreement: PlanAgreement,
    ) -> StoreResult<Plan> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let mut plan: PlanRow = plans::table
                .filter(plans::id.eq(plan_id))
                .filter(plans::case_id.eq(&case.id))
                .select(PlanRow::as_select())
                .first(conn)?;
            let version_no = plan.version_no;
            let not_agreed = |r: opora_domain::casework::plan::PlanRefusal| {
                StoreError::refused(r.for_version(version_no))
            };
            let agreed = plan
                .status()?
                .next(PlanCommand::Agree)
                .map_err(not_agreed)?;
            crate::approvals::check_plan_approval(conn, &case, &plan)?;
            let facts = crate::facts::facts_of(conn, &case)?;
            opora_domain::casework::plan::may_be_agreed(facts.assessment_completed)
                .map_err(StoreError::unmet)?;
            let at = now();
            // The version in force steps down first: at most one active version per case (a
            // unique index says so too).
            let superseded = PlanStatus::Active
                .next(PlanCommand::Supersede)
                .map_err(StoreError::refused)?;
            diesel::update(
                plans::table
                    .filter(plans::case_id.eq(&case.id))
                    .filter(plans::id.ne(&plan.id))
                    .filter(plans::status.eq(PlanStatus::Active.code())),
            )
            .set(plans::status.eq(superseded.code()))
            .execute(conn)?;
            // Compare-and-set on the draft status read: of parallel agreements one wins, the
            // others find the version no longer a draft and roll back.
            let updated = diesel::update(
                plans::table
                    .filter(plans::id.eq(&plan.id))
                    .filter(plans::status.eq(PlanStatus::Draft.code())),
            )
            .set((
                plans::status.eq(agreed.code()),
                plans::agreed_on.eq(agreement.agreed_on),
                plans::agreed_by.eq(&agreement.agreed_by),
                plans::agreement_method.eq(agreement.method.code()),
                plans::agreed_at.eq(Some(at)),
            ))
            .execute(conn)
            // Another version agreed in parallel became active first: the one-active-version
            // index refuses this one.
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "another plan version was agreed meanwhile; version {version_no} stays a draft"
                )),
                other => other,
            })?;
            crate::db::compare_and_set(updated, || {
                let status: String = plans::table
                    .find(&plan.id)
                    .select(plans::status)
                    .first(conn)?;
                let now_is = crate::error::stored("plan status", &status, PlanStatus::parse)?;
                Ok(match now_is.next(PlanCommand::Agree) {
                    Err(r) => not_agreed(r),
                    Ok(_) => StoreError::Conflict(format!(
                        "plan version {version_no} was changed meanwhile; read it again"
                    )),
                })
            })?;
            record_plan_agreement(conn, caller, &case, &plan, &agreement)?;
            plan.status = agreed.code().to_owned();
            plan.agreed_at = Some(at);
            plan.agreed_on = Some(agreement.agreed_on);
            plan.agreed_by = Some(agreement.agreed_by);
            plan.agreement_method = Some(agreement.method.code().to_owned());
            events::record(
                conn,
                &subject(&case),
                DomainEvent::PlanAgreed {
                    plan_id: plan.id.clone(),
                    version: plan.version_no,
                    agreed_by: plan.agreed_by.clone(),
                    method: plan.agreement_method.clone(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            load_plan(conn, plan)
        })
    }

    pub fn list_plans(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<Plan>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_plans",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            let rows: Vec<PlanRow> = plans::table
                .filter(plans::case_id.eq(&case.id))
                .order(plans::version_no)
                .select(PlanRow::as_select())
                .load(conn)?;
            rows.into_iter().map(|p| load_plan(conn, p)).collect()
        })
    }

    /// A specialist taking part in an action of a plan version records their agreement (or
    /// disagreement). Only the specialist themself: a `staff_id` other than the caller's is 403,
    /// and where the action names its specialists, only they may agree.
    pub fn agree_as_specialist(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        action_id: &str,
        agreement: SpecialistAgreement,
    ) -> StoreResult<Plan> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            let plan = current_version(conn, &case, plan_id)?;
            let actions: Vec<ActionRow> = plan_actions::table
                .filter(plan_actions::plan_id.eq(&plan.id))
                .select(ActionRow::as_select())
                .load(conn)?;
            let action = actions
                .iter()
                .find(|a| a.key() == action_id || a.id == action_id)
                .ok_or(StoreError::NotFound)?;
            let me = &caller.actor.staff_id;
            let named: Vec<String> = serde_json::from_str(&action.specialists).unwrap_or_default();
            opora_domain::casework::plan::check_specialist_agreement(
                me,
                agreement.staff_id.as_deref(),
                &named,
            )
            .map_err(StoreError::Forbidden)?;
            let key = action.key().to_owned();
            let at = now();
            let existing: Option<SpecialistAgreementRow> = plan_specialist_agreements::table
                .filter(plan_specialist_agreements::plan_id.eq(&plan.id))
                .filter(plan_specialist_agreements::action_id.eq(&key))
                .filter(plan_specialist_agreements::staff_id.eq(me))
                .select(SpecialistAgreementRow::as_select())
                .first(conn)
                .optional()?;
            match existing {
                Some(row) => {
                    diesel::update(plan_specialist_agreements::table.find(&row.id))
                        .set((
                            plan_specialist_agreements::agreed.eq(agreement.agreed),
                            plan_specialist_agreements::comment.eq(&agreement.comment),
                            plan_specialist_agreements::recorded_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(plan_specialist_agreements::table)
                        .values(&SpecialistAgreementRow {
                            id: new_id(),
                            plan_id: plan.id.clone(),
                            action_id: key.clone(),
                            case_id: case.id.clone(),
                            unit_id: case.unit_id.clone(),
                            staff_id: me.clone(),
                            agreed: agreement.agreed,
                            comment: agreement.comment.clone(),
                            recorded_at: at,
                        })
                        .execute(conn)?;
                }
            }
            events::record(
                conn,
                &subject(&case),
                DomainEvent::PlanSpecialistAgreement {
                    plan_id: plan.id.clone(),
                    version: plan.version_no,
                    action_id: key.to_owned(),
                    agreed: agreement.agreed,
                },
                me,
                at,
                agreement.comment.clone(),
            )?;
            load_plan(conn, plan)
        })
    }

    /// A supervisor approves (or comments on) a plan version.
    pub fn approve_plan(
        &self,
        caller: &Caller,
        case_id: &str,
        plan_id: &str,
        approval: PlanApproval,
    ) -> StoreResult<Plan> {
        self.write(|conn| {
            let case = active_case(conn, caller, case_id)?;
            caller.require(Action::ApprovePlan)?;
            let plan = current_version(conn, &case, plan_id)?;
            opora_domain::access::check_not_own_work(&caller.actor.staff_id, &[&plan.created_by])
                .map_err(StoreError::refused)?;
            let at = now();
            diesel::insert_into(plan_approvals::table)
                .values(&PlanApprovalRow {
                    id: new_id(),
                    plan_id: plan.id.clone(),
                    case_id: case.id.clone(),
                    unit_id: case.unit_id.clone(),
                    decision: approval.decision.code().to_owned(),
                    comment: approval.comment.clone(),
                    supervisor_id: caller.actor.staff_id.clone(),
                    recorded_at: at,
                })
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::PlanApproval {
                    plan_id: plan.id.clone(),
                    version: plan.version_no,
                    decision: approval.decision,
                },
                &caller.actor.staff_id,
                at,
                approval.comment,
            )?;
            load_plan(conn, plan)
        })
    }
}
