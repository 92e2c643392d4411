//! The one transition function over both machines of a case: the lifecycle and the work model.
//!
//! A caller names the target stage; the function finds the move, checks the guards (each refusal
//! names every unmet requirement), and returns the new state with the events to record. It never
//! reads a clock: the actor and `at` come in as arguments.

use chrono::{DateTime, Utc};

use crate::access::{Action, Actor};
use crate::guards::{CaseFacts, Requirement};
use crate::lifecycle::{ClosureReason, LifecycleStage, MoveKind, RejectionReason};
use crate::work_model::{
    compatible, lifecycle_stages_for, model_stages_for, CmStage, IndividualStage, ModelStage,
    WorkModel,
};

/// A stage of either machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Lifecycle(LifecycleStage),
    Model(ModelStage),
}

impl Stage {
    pub const fn code(self) -> &'static str {
        match self {
            Stage::Lifecycle(s) => s.code(),
            Stage::Model(s) => s.code(),
        }
    }

    pub const fn machine(self) -> Machine {
        match self {
            Stage::Lifecycle(_) => Machine::Lifecycle,
            Stage::Model(ModelStage::CaseManagement(_)) => Machine::CaseManagement,
            Stage::Model(ModelStage::Individual(_)) => Machine::Individual,
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

crate::code_enum! {
    /// Which machine an event belongs to.
    pub enum Machine {
        Lifecycle = "lifecycle",
        CaseManagement = "case_management",
        Individual = "individual",
    }
}

/// Where a report or case stands in both machines. A report has no model stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseState {
    pub lifecycle: LifecycleStage,
    pub model_stage: Option<ModelStage>,
}

impl CaseState {
    /// A newly registered report.
    pub const fn new_report() -> Self {
        CaseState {
            lifecycle: LifecycleStage::Intake,
            model_stage: None,
        }
    }

    /// Whether the pair of stages is one the domain allows to stand together.
    pub fn is_consistent(&self) -> bool {
        match self.model_stage {
            None => self.lifecycle.is_report_stage(),
            Some(stage) => compatible(self.lifecycle, stage),
        }
    }
}

/// What the caller asks for: the target stage and the inputs the move may need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    pub target: Stage,
    pub reason: Option<String>,
    pub closure_reason: Option<ClosureReason>,
    pub rejection_reason: Option<RejectionReason>,
    /// Chosen when the case is opened.
    pub work_model: Option<WorkModel>,
}

impl TransitionRequest {
    /// A request with no inputs beyond the target.
    pub fn to(target: Stage) -> Self {
        TransitionRequest {
            target,
            reason: None,
            closure_reason: None,
            rejection_reason: None,
            work_model: None,
        }
    }

    fn reason_text(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// The record of one move of one machine: who, when, from, to, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionEvent {
    pub machine: Machine,
    pub kind: MoveKind,
    /// `None` when a model is entered at opening.
    pub from: Option<Stage>,
    pub to: Stage,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The closure or rejection reason's code, when the move needs one.
    pub reason_code: Option<&'static str>,
    pub reason: Option<String>,
}

/// A transition that took place: the new state and the events to record, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: CaseState,
    pub events: Vec<TransitionEvent>,
    /// What the move starts or ends beside the stage (new cycle, closure, a new round).
    pub effects: crate::rounds::Effects,
}

/// Why a transition did not take place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The pair of stages is not a transition of either machine.
    #[error("there is no transition from {from} to {to}")]
    NotATransition { from: Stage, to: Stage },
    /// The transition exists but its requirements are not met.
    #[error("transition to {to} refused: {}", .unmet.iter().map(|r| r.message()).collect::<Vec<_>>().join("; "))]
    Refused { to: Stage, unmet: Vec<Requirement> },
}

/// A move the case could make now, with what it still lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableTransition {
    pub target: Stage,
    pub kind: MoveKind,
    pub needs_reason: bool,
    pub needs_closure_reason: bool,
    pub needs_rejection_reason: bool,
    pub needs_work_model: bool,
    /// Empty when the move can be made now (given the inputs above).
    pub unmet: Vec<Requirement>,
}

/// The move from `state` to `target`, if the pair is a transition at all.
pub fn move_kind(state: &CaseState, target: Stage) -> Option<MoveKind> {
    match target {
        Stage::Lifecycle(to) => state.lifecycle.move_to(to),
        Stage::Model(to) => state.model_stage.and_then(|from| from.move_to(to)),
    }
}

/// What the records and the actor must show for a move, inputs aside.
fn unmet_on_record(
    state: &CaseState,
    target: Stage,
    kind: MoveKind,
    facts: &CaseFacts,
    actor: &Actor,
) -> Vec<Requirement> {
    use IndividualStage as I;
    let mut unmet = Vec::new();
    let mut need = |ok: bool, requirement: Requirement| {
        if !ok {
            unmet.push(requirement);
        }
    };
    let plan_in_force = |need: &mut dyn FnMut(bool, Requirement)| {
        need(facts.plan_agreed_by_client, Requirement::PlanAgreedByClient);
        need(
            facts.service_agreement_signed,
            Requirement::ServiceAgreementSigned,
        );
        need(
            facts.informed_consent_recorded,
            Requirement::InformedConsentRecorded,
        );
    };
    match target {
        Stage::Lifecycle(to) => {
            match (kind, to) {
                (MoveKind::Opening, _) => {
                    need(facts.key_worker_assigned, Requirement::KeyWorkerAssigned);
                    need(facts.client_identified, Requirement::ClientIdentified);
                }
                (MoveKind::Forward, LifecycleStage::Planning) => {
                    need(facts.assessment_completed, Requirement::CompletedAssessment)
                }
                (MoveKind::Forward, LifecycleStage::Implementation) => plan_in_force(&mut need),
                (MoveKind::Attachment, _) => need(
                    facts
                        .attach_target
                        .is_some_and(|t| t.same_client && t.case_open),
                    Requirement::OpenCaseOfSameClient,
                ),
                (MoveKind::Closure, _) => {
                    need(
                        !facts.closure_approval_required || facts.closure_approved,
                        Requirement::ClosureApproved,
                    );
                    for requirement in crate::closure::closure_unmet_on_record(&facts.closure) {
                        need(false, requirement);
                    }
                }
                (MoveKind::Reopening, _) => need(
                    actor.may(Action::ReopenCase),
                    Requirement::SupervisorDecision,
                ),
                _ => {}
            }
            // The model stage stays where it is on every move but opening and reopening.
            if !matches!(kind, MoveKind::Opening | MoveKind::Reopening) {
                if let Some(stage) = state.model_stage {
                    need(
                        compatible(to, stage),
                        Requirement::WorkModelStageIn {
                            lifecycle: to,
                            allowed: model_stages_for(to, stage.model()),
                        },
                    );
                }
            }
        }
        Stage::Model(to) => {
            need(state.lifecycle.is_active_case(), Requirement::CaseActive);
            if state.lifecycle.is_active_case() {
                need(
                    compatible(state.lifecycle, to),
                    Requirement::LifecycleStageIn {
                        model_stage: to,
                        allowed: lifecycle_stages_for(to),
                    },
                );
            }
            if kind == MoveKind::Forward {
                match to {
                    ModelStage::CaseManagement(CmStage::Planning) => {
                        need(facts.assessment_completed, Requirement::CompletedAssessment)
                    }
                    ModelStage::CaseManagement(CmStage::ImplementationAndMonitoring) => {
                        plan_in_force(&mut need)
                    }
                    // Stage 4 → 5 conceptualises the problem from the assessment; after the
                    // 11 → 4 loop that must be an assessment completed after the return.
                    ModelStage::Individual(I::ProblemConceptualisation) => {
                        need(facts.assessment_completed, Requirement::CompletedAssessment)
                    }
                    ModelStage::Individual(I::Assessment) => need(
                        facts.preliminary_contract_recorded,
                        Requirement::PreliminaryContractRecorded,
                    ),
                    ModelStage::Individual(I::InterventionPreparation) => need(
                        facts.concluded_contract_recorded,
                        Requirement::ConcludedContractRecorded,
                    ),
                    ModelStage::Individual(I::Evolution) => need(
                        facts.termination_agreed_by_both,
                        Requirement::TerminationAgreedByBoth,
                    ),
                    _ => {}
                }
            }
        }
    }
    unmet
}

/// Applies a transition: the new state and the events to record, or every reason it is refused.
pub fn apply(
    state: &CaseState,
    request: &TransitionRequest,
    facts: &CaseFacts,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<Outcome, TransitionError> {
    let current = current_stage(state, request.target);
    let kind = move_kind(state, request.target).ok_or(TransitionError::NotATransition {
        from: current,
        to: request.target,
    })?;
    let mut unmet = unmet_on_record(state, request.target, kind, facts, actor);
    let reason = request.reason_text().map(str::to_owned);
    if kind.needs_reason() && reason.is_none() {
        unmet.push(Requirement::Reason);
    }
    let mut reason_code = None;
    match kind {
        MoveKind::Closure => match request.closure_reason {
            None => unmet.push(Requirement::ClosureReason),
            Some(code) => {
                reason_code = Some(code.code());
                unmet.extend(crate::closure::closure_unmet_for_reason(
                    code,
                    &facts.closure,
                    at.date_naive(),
                ));
                if code == ClosureReason::GoalsAchieved {
                    if !state.model_stage.is_some_and(ModelStage::is_final) {
                        unmet.push(Requirement::WorkModelAtFinalStage);
                    }
                    if !facts.final_evaluation_recorded {
                        unmet.push(Requirement::FinalEvaluationRecorded);
                    }
                }
            }
        },
        MoveKind::Rejection => match request.rejection_reason {
            None => unmet.push(Requirement::RejectionReason),
            Some(code) => reason_code = Some(code.code()),
        },
        MoveKind::Opening if request.work_model.is_none() => {
            unmet.push(Requirement::WorkModelChosen)
        }
        _ => {}
    }
    if !unmet.is_empty() {
        return Err(TransitionError::Refused {
            to: request.target,
            unmet,
        });
    }

    let event = |from: Option<Stage>, to: Stage| TransitionEvent {
        machine: to.machine(),
        kind,
        from,
        to,
        actor: actor.staff_id.clone(),
        at,
        reason_code,
        reason: reason.clone(),
    };
    let mut events = vec![event(Some(current), request.target)];
    let next = match request.target {
        Stage::Lifecycle(to) => {
            let model_stage = match kind {
                MoveKind::Opening => request.work_model.map(WorkModel::first_stage),
                MoveKind::Reopening => state.model_stage.map(|s| s.model().first_stage()),
                _ => state.model_stage,
            };
            if model_stage != state.model_stage {
                if let Some(entered) = model_stage {
                    events.push(event(
                        state.model_stage.map(Stage::Model),
                        Stage::Model(entered),
                    ));
                }
            }
            CaseState {
                lifecycle: to,
                model_stage,
            }
        }
        Stage::Model(to) => CaseState {
            lifecycle: state.lifecycle,
            model_stage: Some(to),
        },
    };
    Ok(Outcome {
        state: next,
        events,
        effects: crate::rounds::Effects::of(kind, request.target),
    })
}

/// The stage of the machine `target` belongs to, as the case stands now.
fn current_stage(state: &CaseState, target: Stage) -> Stage {
    match (target, state.model_stage) {
        (Stage::Model(_), Some(stage)) => Stage::Model(stage),
        _ => Stage::Lifecycle(state.lifecycle),
    }
}

/// Every move the case could make from where it stands, each with what it still lacks.
pub fn available_transitions(
    state: &CaseState,
    facts: &CaseFacts,
    actor: &Actor,
) -> Vec<AvailableTransition> {
    let lifecycle_targets = LifecycleStage::ALL.iter().map(|s| Stage::Lifecycle(*s));
    let model_targets = state
        .model_stage
        .filter(|_| state.lifecycle.is_active_case())
        .into_iter()
        .flat_map(|_| ModelStage::all().map(Stage::Model));
    lifecycle_targets
        .chain(model_targets)
        .filter_map(|target| {
            let kind = move_kind(state, target)?;
            Some(AvailableTransition {
                target,
                kind,
                needs_reason: kind.needs_reason(),
                needs_closure_reason: kind == MoveKind::Closure,
                needs_rejection_reason: kind == MoveKind::Rejection,
                needs_work_model: kind == MoveKind::Opening,
                unmet: unmet_on_record(state, target, kind, facts, actor),
            })
        })
        .collect()
}
