//! Cases: lifecycle stages 4–8 and the work model, moved only through the domain's transition
//! function. The guards' facts are read from the case's records of its current cycle (a reopened
//! case needs a new assessment and plan); state and events are written in one transaction.

use std::collections::HashMap;

use diesel::prelude::*;
use opora_domain::casework::assessment::AssessmentStatus;
use opora_domain::casework::plan::PlanStatus;
use opora_domain::events::EventKind;
use opora_domain::{
    apply, available_transitions, Action, AvailableTransition, CaseFacts, CaseState,
    LifecycleStage, ModelStage, Stage, TransitionRequest, Urgency, WorkModel,
};
use serde_json::json;

use opora_domain::rounds::{assessment_counts, plan_agreement_counts, Rounds};

use crate::events::{self, Subject};
use crate::models::{CaseRow, EventRow};
use crate::reports::{check_key_worker, utc};
use crate::schema::{
    agreements, assessments, case_access, cases, evaluations, events as events_table, plans,
};
use crate::{now, AnyConnection, Caller, Page, PageRequest, Store, StoreError, StoreResult};

/// A case with the moves it could make now (each with what it still lacks).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub case: CaseRow,
    pub available: Vec<AvailableTransition>,
    /// The needs assessment is due and no completed one is on record in this cycle.
    pub assessment_overdue: bool,
    /// Warnings about the change just made (none on a read).
    pub warnings: Vec<crate::models::Warning>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub lifecycle_stage: Option<LifecycleStage>,
    pub model_stage: Option<ModelStage>,
    pub work_model: Option<WorkModel>,
    pub urgency: Option<Urgency>,
    pub key_worker_id: Option<String>,
    pub unit_id: Option<String>,
    pub client_id: Option<String>,
}

/// A partial update of a case's administrative fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseChanges {
    pub urgency: Option<Urgency>,
    pub key_worker_id: Option<String>,
    /// Why (recorded with the event).
    pub reason: Option<String>,
}

/// A move of a case: the stage of the moving machine the caller saw, and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseTransition {
    pub from: String,
    pub request: TransitionRequest,
}

pub(crate) fn state_of(case: &CaseRow) -> StoreResult<CaseState> {
    let lifecycle = LifecycleStage::parse(&case.lifecycle_stage).ok_or_else(|| {
        StoreError::Corrupt(format!("lifecycle stage {:?}", case.lifecycle_stage))
    })?;
    let model_stage = ModelStage::parse(&case.model_stage)
        .ok_or_else(|| StoreError::Corrupt(format!("model stage {:?}", case.model_stage)))?;
    Ok(CaseState {
        lifecycle,
        model_stage: Some(model_stage),
    })
}

/// What the guards judge, from the records of the case's current cycle.
pub(crate) fn facts_of(conn: &mut AnyConnection, case: &CaseRow) -> StoreResult<CaseFacts> {
    let mut facts = facts_for(conn, std::slice::from_ref(case))?;
    Ok(facts.remove(&case.id).unwrap_or_default())
}

/// The facts of several cases in a fixed number of queries, whatever their number (a page of
/// cases).
pub(crate) fn facts_for(
    conn: &mut AnyConnection,
    cases: &[CaseRow],
) -> StoreResult<HashMap<String, CaseFacts>> {
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    type Dated = (String, i32, Option<chrono::NaiveDateTime>);
    let completed: Vec<Dated> = assessments::table
        .filter(assessments::case_id.eq_any(&ids))
        .filter(assessments::status.eq(AssessmentStatus::Completed.code()))
        .select((
            assessments::case_id,
            assessments::cycle,
            assessments::completed_at,
        ))
        .load(conn)?;
    let agreed: Vec<Dated> = plans::table
        .filter(plans::case_id.eq_any(&ids))
        .filter(plans::status.eq(PlanStatus::Active.code()))
        .select((plans::case_id, plans::cycle, plans::agreed_at))
        .load(conn)?;
    let evaluated: Vec<(String, i32)> = evaluations::table
        .filter(evaluations::case_id.eq_any(&ids))
        .filter(evaluations::kind.eq("final"))
        .select((evaluations::case_id, evaluations::cycle))
        .load(conn)?;
    // A closure report that evaluates every goal of its cycle's active plan is a final
    // evaluation too (seed 000's closing procedure): no separate `final` evaluation is needed.
    let closure_reports = crate::closure::complete_reports(conn, &ids)?;
    type InForce = (String, String, bool, bool, Option<chrono::NaiveDate>);
    let in_force: Vec<InForce> = agreements::table
        .filter(agreements::case_id.eq_any(&ids))
        .filter(agreements::terminated_on.is_null())
        .select((
            agreements::case_id,
            agreements::kind,
            agreements::signed_by_client,
            agreements::signed_by_service,
            agreements::valid_until,
        ))
        .load(conn)?;
    let closure_approval = crate::approvals::closure_approval_facts(conn, cases)?;
    let mut closure = crate::closure::closure_facts(conn, cases)?;
    let today = now().date();
    let in_cycle = |rows: &[(String, i32)], case: &CaseRow| {
        rows.iter()
            .any(|(id, cycle)| *id == case.id && *cycle == case.cycle)
    };
    // Of this cycle's records, those made after the round began (the domain decides which).
    let in_round = |rows: &[Dated], case: &CaseRow, counts: fn(_, &Rounds) -> bool| {
        let rounds = rounds_of(case);
        rows.iter().any(|(id, cycle, at)| {
            *id == case.id && *cycle == case.cycle && counts(at.map(utc), &rounds)
        })
    };
    Ok(cases
        .iter()
        .map(|case| {
            // Agreements are not per cycle: a service agreement in force survives a reopening.
            let has = |kind: &str, both: bool| {
                in_force.iter().any(|(id, k, client, service, until)| {
                    *id == case.id
                        && k == kind
                        && *client
                        && (!both || *service)
                        && until.is_none_or(|d| d >= today)
                })
            };
            let facts = CaseFacts {
                key_worker_assigned: !case.key_worker_id.is_empty(),
                client_identified: !case.client_id.is_empty(),
                assessment_completed: in_round(&completed, case, assessment_counts),
                plan_agreed_by_client: in_round(&agreed, case, plan_agreement_counts),
                service_agreement_signed: has("service_agreement", true),
                informed_consent_recorded: has("informed_consent", false),
                preliminary_contract_recorded: has("preliminary_contract", false),
                concluded_contract_recorded: has("concluded_contract", true),
                termination_agreed_by_both: has("termination", true),
                final_evaluation_recorded: in_cycle(&evaluated, case)
                    || in_cycle(&closure_reports, case),
                closure_approval_required: closure_approval
                    .get(&case.id)
                    .is_some_and(|(required, _)| *required),
                closure_approved: closure_approval
                    .get(&case.id)
                    .is_some_and(|(_, approved)| *approved),
                attach_target: None,
                closure: closure.remove(&case.id).unwrap_or_default(),
            };
            (case.id.clone(), facts)
        })
        .collect())
}

/// Where the case's current rounds of assessment and planning began.
pub(crate) fn rounds_of(case: &CaseRow) -> Rounds {
    Rounds {
        reassessment_since: case.reassessment_since.map(utc),
        replanning_since: case.replanning_since.map(utc),
    }
}

pub(crate) fn load_case(conn: &mut AnyConnection, id: &str) -> StoreResult<CaseRow> {
    Ok(cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)?)
}

/// Whether the caller may see a case at all (the rule: [`opora_domain::access::sees_case`]).
pub(crate) use crate::visibility::visible;

/// The case, if the caller sees it and may do `action` on it.
pub(crate) fn case_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    action: Action,
) -> StoreResult<CaseRow> {
    let case = load_case(conn, id)?;
    if !visible(conn, caller, &case)? {
        return Err(StoreError::NotFound);
    }
    caller.require(action)?;
    Ok(case)
}

fn view(conn: &mut AnyConnection, caller: &Caller, case: CaseRow) -> StoreResult<CaseView> {
    let state = state_of(&case)?;
    let facts = facts_of(conn, &case)?;
    let available = available_transitions(&state, &facts, &caller.actor);
    let assessment_overdue = overdue(&case, &facts);
    Ok(CaseView {
        case,
        available,
        assessment_overdue,
        warnings: Vec::new(),
    })
}

fn overdue(case: &CaseRow, facts: &CaseFacts) -> bool {
    !facts.assessment_completed
        && case.lifecycle_stage != LifecycleStage::Closed.code()
        && case.assessment_due_at.is_some_and(|due| due < now())
}

/// The stage of the machine a request moves: the lifecycle, or the work model.
fn moving_stage(state: &CaseState, target: &Stage) -> Stage {
    match target {
        Stage::Lifecycle(_) => Stage::Lifecycle(state.lifecycle),
        Stage::Model(_) => state
            .model_stage
            .map_or(Stage::Lifecycle(state.lifecycle), Stage::Model),
    }
}

pub(crate) fn subject(case: &CaseRow) -> Subject {
    Subject {
        unit_id: case.unit_id.clone(),
        case_id: Some(case.id.clone()),
        report_id: None,
        client_id: Some(case.client_id.clone()),
    }
}

impl Store {
    pub fn get_case(&self, caller: &Caller, id: &str) -> StoreResult<CaseView> {
        self.write(|conn| {
            let case = case_for(conn, caller, id, Action::ReadCaseRecords)?;
            crate::audit::viewed(conn, caller, "case", id, &case.unit_id, Some(id))?;
            view(conn, caller, case)
        })
    }

    pub fn list_cases(
        &self,
        caller: &Caller,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<CaseView>> {
        caller.require(Action::ReadCaseRecords)?;
        self.write(|conn| {
            let mut query = cases::table
                .filter(crate::visibility::visible_cases(caller))
                .select(CaseRow::as_select())
                .order(cases::id)
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter(cases::id.gt(after.clone()));
            }
            if let Some(stage) = filter.lifecycle_stage {
                query = query.filter(cases::lifecycle_stage.eq(stage.code()));
            }
            if let Some(stage) = filter.model_stage {
                query = query.filter(cases::model_stage.eq(stage.code()));
            }
            if let Some(model) = filter.work_model {
                query = query.filter(cases::work_model.eq(model.code()));
            }
            if let Some(urgency) = filter.urgency {
                query = query.filter(cases::urgency.eq(urgency.code()));
            }
            if let Some(key_worker_id) = &filter.key_worker_id {
                query = query.filter(cases::key_worker_id.eq(key_worker_id.clone()));
            }
            if let Some(unit_id) = &filter.unit_id {
                query = query.filter(cases::unit_id.eq(unit_id.clone()));
            }
            if let Some(client_id) = &filter.client_id {
                query = query.filter(cases::client_id.eq(client_id.clone()));
            }
            let rows = query.load(conn)?;
            let page = Page::from_rows(rows, page, |r: &CaseRow| r.id.as_str());
            let mut facts = facts_for(conn, &page.items)?;
            let items: Vec<CaseView> = page
                .items
                .into_iter()
                .map(|case| {
                    let state = state_of(&case)?;
                    let facts = facts.remove(&case.id).unwrap_or_default();
                    let available = available_transitions(&state, &facts, &caller.actor);
                    let assessment_overdue = overdue(&case, &facts);
                    Ok(CaseView {
                        case,
                        available,
                        assessment_overdue,
                        warnings: Vec::new(),
                    })
                })
                .collect::<StoreResult<_>>()?;
            crate::audit::listed(
                conn,
                caller,
                "case",
                items
                    .iter()
                    .map(|c: &CaseView| c.case.id.as_str())
                    .collect(),
            )?;
            Ok(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
    }

    /// Changes urgency or key worker if the case is still at `expected_version`.
    pub fn update_case(
        &self,
        caller: &Caller,
        id: &str,
        expected_version: i64,
        changes: CaseChanges,
    ) -> StoreResult<CaseView> {
        self.write(|conn| {
            let before = case_for(conn, caller, id, Action::ManageCase)?;
            if before.version != expected_version {
                return Err(StoreError::VersionMismatch {
                    current: before.version,
                });
            }
            if let Some(key_worker_id) = &changes.key_worker_id {
                check_key_worker(conn, caller, key_worker_id)?;
            }
            let mut case = before.clone();
            if let Some(urgency) = changes.urgency {
                case.urgency = urgency.code().to_owned();
                // A changed urgency moves the assessment's due time, counted from the report's
                // receipt in the first cycle (from now after a reopening).
                if !facts_of(conn, &before)?.assessment_completed {
                    let received: chrono::NaiveDateTime = crate::schema::intake_reports::table
                        .find(&before.report_id)
                        .select(crate::schema::intake_reports::received_at)
                        .first(conn)?;
                    let base = if before.cycle == 1 { received } else { now() };
                    let policy = self.intake_policy();
                    case.assessment_due_at = Some(opora_domain::deadlines::due_at(
                        base,
                        urgency,
                        &policy.deadlines,
                        &policy.calendar,
                    ));
                }
            }
            let mut warnings = Vec::new();
            if let Some(key_worker_id) = changes.key_worker_id {
                if key_worker_id != before.key_worker_id {
                    warnings.extend(crate::assignment::caseload_warning(
                        conn,
                        &self.policy().caseload,
                        &key_worker_id,
                        &before.client_id,
                    )?);
                }
                case.key_worker_id = key_worker_id;
            }
            let at = now();
            case.version += 1;
            case.updated_at = at;
            let updated = diesel::update(
                cases::table
                    .filter(cases::id.eq(id))
                    .filter(cases::version.eq(expected_version)),
            )
            .set((
                cases::urgency.eq(&case.urgency),
                cases::key_worker_id.eq(&case.key_worker_id),
                cases::version.eq(case.version),
                cases::updated_at.eq(at),
                cases::assessment_due_at.eq(case.assessment_due_at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::VersionMismatch {
                    current: load_case(conn, id)?.version,
                })
            })?;
            events::record(
                conn,
                &subject(&case),
                EventKind::CaseUpdated,
                &caller.actor.staff_id,
                at,
                changes.reason,
                json!({
                    "before": { "urgency": before.urgency, "key_worker_id": before.key_worker_id },
                    "after": { "urgency": case.urgency, "key_worker_id": case.key_worker_id },
                }),
            )?;
            let mut updated = view(conn, caller, case)?;
            updated.warnings = warnings;
            Ok(updated)
        })
    }

    /// Moves the case through its lifecycle or its work model.
    pub fn transition_case(
        &self,
        caller: &Caller,
        id: &str,
        transition: CaseTransition,
    ) -> StoreResult<CaseView> {
        self.write(|conn| {
            let mut case = case_for(conn, caller, id, Action::ManageCase)?;
            let state = state_of(&case)?;
            let current = moving_stage(&state, &transition.request.target);
            if current.code() != transition.from {
                return Err(StoreError::StageChanged {
                    expected: transition.from.clone(),
                    current: current.code().to_owned(),
                });
            }
            let facts = facts_of(conn, &case)?;
            let at = now();
            let outcome = apply(&state, &transition.request, &facts, &caller.actor, utc(at))
                .map_err(|error| StoreError::Transition {
                    error,
                    current_stage: current.code().to_owned(),
                    available: available_transitions(&state, &facts, &caller.actor),
                })?;
            let effects = outcome.effects;
            let rounds = rounds_of(&case).after(effects, utc(at));
            case.reassessment_since = rounds.reassessment_since.map(|t| t.naive_utc());
            case.replanning_since = rounds.replanning_since.map(|t| t.naive_utc());
            case.lifecycle_stage = outcome.state.lifecycle.code().to_owned();
            if let Some(stage) = outcome.state.model_stage {
                case.model_stage = stage.code().to_owned();
            }
            if effects.closes {
                case.closure_reason = transition
                    .request
                    .closure_reason
                    .map(|r| r.code().to_owned());
                case.closed_at = Some(at);
            }
            if effects.starts_new_cycle {
                case.cycle += 1;
                case.closure_reason = None;
                case.closed_at = None;
                // A reopened case needs a new assessment, due as its urgency class says.
                case.assessment_due_at = Urgency::parse(&case.urgency).map(|u| {
                    let policy = self.intake_policy();
                    opora_domain::deadlines::due_at(at, u, &policy.deadlines, &policy.calendar)
                });
            }
            let read_version = case.version;
            case.version += 1;
            case.updated_at = at;
            let updated = diesel::update(
                cases::table
                    .filter(cases::id.eq(&case.id))
                    .filter(cases::version.eq(read_version)),
            )
            .set((
                cases::lifecycle_stage.eq(&case.lifecycle_stage),
                cases::model_stage.eq(&case.model_stage),
                cases::closure_reason.eq(&case.closure_reason),
                cases::closed_at.eq(case.closed_at),
                cases::cycle.eq(case.cycle),
                cases::version.eq(case.version),
                cases::updated_at.eq(at),
                cases::assessment_due_at.eq(case.assessment_due_at),
                cases::reassessment_since.eq(case.reassessment_since),
                cases::replanning_since.eq(case.replanning_since),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                let now_case = load_case(conn, id)?;
                let current = moving_stage(&state_of(&now_case)?, &transition.request.target);
                Ok(StoreError::StageChanged {
                    expected: transition.from.clone(),
                    current: current.code().to_owned(),
                })
            })?;
            events::record_transitions(conn, &subject(&case), &outcome.events)?;
            view(conn, caller, case)
        })
    }

    /// The case's whole history, its report's included, oldest first.
    pub fn case_events(&self, caller: &Caller, id: &str) -> StoreResult<Vec<EventRow>> {
        self.write(|conn| {
            let case = case_for(conn, caller, id, Action::ReadCaseRecords)?;
            crate::audit::viewed(conn, caller, "case_history", id, &case.unit_id, Some(id))?;
            Ok(events_table::table
                .filter(
                    events_table::case_id
                        .eq(&case.id)
                        .or(events_table::report_id.eq(&case.report_id)),
                )
                .order(events_table::id)
                .select(EventRow::as_select())
                .load(conn)?)
        })
    }
}

/// Who may see a restricted case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    pub restricted: bool,
    /// The staff named on the case (the key worker sees it anyway).
    pub named: Vec<String>,
}

impl Store {
    /// Restricts a case to named staff, or lifts the restriction (supervisors of the unit). The
    /// names must include a supervisor, and the caller must be among them, so that nobody locks
    /// a case away from everyone who could lift the restriction.
    pub fn set_restriction(
        &self,
        caller: &Caller,
        case_id: &str,
        restricted: bool,
        named: Vec<String>,
        reason: String,
    ) -> StoreResult<Restriction> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::ManageCase)?;
            caller.require(Action::RestrictCase)?;
            let mut named = named;
            named.sort();
            named.dedup();
            if restricted {
                if !named.contains(&caller.actor.staff_id) {
                    return Err(StoreError::invalid(
                        "named_staff",
                        "without_caller",
                        "name yourself too, or you would lose sight of the case",
                    ));
                }
                for (i, id) in named.iter().enumerate() {
                    let unit: Option<String> = crate::schema::staff::table
                        .find(id)
                        .filter(crate::schema::staff::active.eq(true))
                        .select(crate::schema::staff::unit_id)
                        .first(conn)
                        .optional()?;
                    if !unit.is_some_and(|u| caller.sees_unit(&u)) {
                        return Err(StoreError::invalid(
                            &format!("named_staff[{i}]"),
                            "unknown_staff",
                            "no active staff member with this id in your units",
                        ));
                    }
                }
            }
            let at = now();
            diesel::delete(case_access::table.filter(case_access::case_id.eq(&case.id)))
                .execute(conn)?;
            if restricted {
                for id in &named {
                    diesel::insert_into(case_access::table)
                        .values((
                            case_access::case_id.eq(&case.id),
                            case_access::staff_id.eq(id),
                            case_access::unit_id.eq(&case.unit_id),
                            case_access::granted_by.eq(&caller.actor.staff_id),
                            case_access::granted_at.eq(at),
                        ))
                        .execute(conn)?;
                }
            }
            let updated = diesel::update(
                cases::table
                    .filter(cases::id.eq(&case.id))
                    .filter(cases::version.eq(case.version)),
            )
            .set((
                cases::restricted.eq(restricted),
                cases::version.eq(case.version + 1),
                cases::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the case changed meanwhile; read it again".into(),
                ))
            })?;
            let named = if restricted { named } else { Vec::new() };
            events::record(
                conn,
                &subject(&case),
                if restricted {
                    EventKind::CaseRestricted
                } else {
                    EventKind::CaseUnrestricted
                },
                &caller.actor.staff_id,
                at,
                Some(reason),
                json!({ "named_staff": named }),
            )?;
            Ok(Restriction { restricted, named })
        })
    }

    /// Who may see the case (for those who see it).
    pub fn get_restriction(&self, caller: &Caller, case_id: &str) -> StoreResult<Restriction> {
        self.read(|conn| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            let named = case_access::table
                .filter(case_access::case_id.eq(&case.id))
                .order(case_access::staff_id)
                .select(case_access::staff_id)
                .load(conn)?;
            Ok(Restriction {
                restricted: case.restricted,
                named,
            })
        })
    }
}
