//! Cases: lifecycle stages 4–8 and the work model, moved only through the domain's transition
//! function. The guards' facts are read from the case's records of its current cycle (a reopened
//! case needs a new assessment and plan); state and events are written in one transaction.

use diesel::prelude::*;
use opora_domain::events::{CaseAssignment, DomainEvent};
use opora_domain::rounds::{assessment_due_after_urgency_change, CaseFields};
use opora_domain::{
    apply, available_transitions, Action, AvailableTransition, CaseFacts, CaseState, ClosureReason,
    LifecycleStage, ModelStage, Stage, TransitionRequest, Urgency, WorkModel,
};

use crate::assignment::check_key_worker;
use crate::case_records::{case_for, load_case, subject};
use crate::events;
use crate::facts::{facts_for, facts_of, rounds_of};
use crate::models::{CaseRow, EventRow};
use crate::schema::{case_access, cases, events as events_table};
use crate::{now, utc, AnyConnection, Caller, Page, PageRequest, Store, StoreError, StoreResult};

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

impl Store {
    pub fn get_case(&self, caller: &Caller, id: &str) -> StoreResult<CaseView> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, id, Action::ReadCaseRecords)?;
            crate::audit::viewed(looks, caller, "case", id, &case.unit_id, Some(id))?;
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
        self.read_recorded(|conn, looks| {
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
            crate::audit::listed_cases(
                looks,
                caller,
                &items.iter().map(|c: &CaseView| &c.case).collect::<Vec<_>>(),
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
                if !opora_domain::access::may_reassign_directly(
                    &caller.actor,
                    &before.key_worker_id,
                    key_worker_id,
                ) {
                    return Err(StoreError::Forbidden(Action::ReassignCase));
                }
                check_key_worker(conn, caller, key_worker_id)?;
            }
            let mut case = before.clone();
            if let Some(urgency) = changes.urgency {
                case.urgency = urgency.code().to_owned();
                let received: chrono::NaiveDateTime = crate::schema::intake_reports::table
                    .find(&before.report_id)
                    .select(crate::schema::intake_reports::received_at)
                    .first(conn)?;
                if let Some(due) = assessment_due_after_urgency_change(
                    facts_of(conn, &before)?.assessment_completed,
                    before.cycle,
                    received,
                    now(),
                    urgency,
                    self.policy(),
                ) {
                    case.assessment_due_at = Some(due);
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
                DomainEvent::CaseUpdated {
                    before: CaseAssignment {
                        urgency: before.urgency,
                        key_worker_id: before.key_worker_id,
                    },
                    after: CaseAssignment {
                        urgency: case.urgency.clone(),
                        key_worker_id: case.key_worker_id.clone(),
                    },
                },
                &caller.actor.staff_id,
                at,
                changes.reason,
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
            let changes = CaseFields {
                cycle: case.cycle,
                closure_reason: case
                    .closure_reason
                    .as_deref()
                    .and_then(ClosureReason::parse),
                closed_at: case.closed_at.map(utc),
                rounds: rounds_of(&case),
                assessment_due_at: case.assessment_due_at,
            }
            .after(
                effects,
                transition.request.closure_reason,
                utc(at),
                Urgency::parse(&case.urgency),
                self.policy(),
            );
            case.lifecycle_stage = outcome.state.lifecycle.code().to_owned();
            if let Some(stage) = outcome.state.model_stage {
                case.model_stage = stage.code().to_owned();
            }
            case.cycle = changes.cycle;
            case.closure_reason = changes.closure_reason.map(|r| r.code().to_owned());
            case.closed_at = changes.closed_at.map(|t| t.naive_utc());
            case.reassessment_since = changes.rounds.reassessment_since.map(|t| t.naive_utc());
            case.replanning_since = changes.rounds.replanning_since.map(|t| t.naive_utc());
            case.assessment_due_at = changes.assessment_due_at;
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
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, id, Action::ReadCaseRecords)?;
            crate::audit::viewed(looks, caller, "case_history", id, &case.unit_id, Some(id))?;
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
                let active = crate::directory::active_in_scope(conn, caller, &named)?;
                opora_domain::confidentiality::check_restriction(
                    &caller.actor.staff_id,
                    &named,
                    |id| active.contains(id),
                )
                .map_err(StoreError::refused)?;
            }
            let at = now();
            // The case first (compare-and-set on the version read), then its names: a loser stops
            // before touching them.
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
            let named = if restricted { named } else { Vec::new() };
            events::record(
                conn,
                &subject(&case),
                if restricted {
                    DomainEvent::CaseRestricted {
                        named_staff: named.clone(),
                    }
                } else {
                    DomainEvent::CaseUnrestricted {
                        named_staff: Vec::new(),
                    }
                },
                &caller.actor.staff_id,
                at,
                Some(reason),
            )?;
            Ok(Restriction { restricted, named })
        })
    }

    /// Who may see the case (for those who see it).
    pub fn get_restriction(&self, caller: &Caller, case_id: &str) -> StoreResult<Restriction> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_restriction",
                &case.id,
                &case.unit_id,
                Some(&case.id),
            )?;
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
