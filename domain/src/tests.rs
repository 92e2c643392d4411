//! The domain's own tests: the whole transition table of each machine written out, the table of
//! which model stages may stand with which lifecycle stage written out, one test per guard, the
//! events a move records, the moves offered to a caller, the two full walks from report to
//! "goals achieved", and property tests over random sequences of requests.
//!
//! The expected tables are literal on purpose: a change to a machine or to the compatibility
//! table must fail here, so that it is a decision and not an accident.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use crate::transition::move_kind;
use crate::work_model::{compatible, lifecycle_stages_for, model_stages_for};
use crate::{
    apply, available_transitions, Actor, AttachTarget, AvailableTransition, CaseFacts, CaseState,
    ClosureReason, CmStage, IndividualStage, LifecycleStage, Machine, ModelStage, MoveKind,
    Outcome, RejectionReason, Requirement, Role, Stage, TransitionError, TransitionEvent,
    TransitionRequest, WorkModel,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const STAFF: &str = "staff-0001";
const SUPERVISOR: &str = "staff-0002";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_741_944_600, 0).unwrap()
}

fn case_manager() -> Actor {
    Actor {
        staff_id: STAFF.into(),
        roles: vec![Role::CaseManager],
    }
}

fn supervisor() -> Actor {
    Actor {
        staff_id: SUPERVISOR.into(),
        roles: vec![Role::Supervisor],
    }
}

fn lc(stage: LifecycleStage) -> Stage {
    Stage::Lifecycle(stage)
}

fn cm(stage: CmStage) -> ModelStage {
    ModelStage::CaseManagement(stage)
}

fn ind(stage: IndividualStage) -> ModelStage {
    ModelStage::Individual(stage)
}

fn model(stage: ModelStage) -> Stage {
    Stage::Model(stage)
}

fn report_at(lifecycle: LifecycleStage) -> CaseState {
    CaseState {
        lifecycle,
        model_stage: None,
    }
}

fn case_at(lifecycle: LifecycleStage, stage: ModelStage) -> CaseState {
    CaseState {
        lifecycle,
        model_stage: Some(stage),
    }
}

fn to(target: Stage) -> TransitionRequest {
    TransitionRequest::to(target)
}

fn with_reason(target: Stage, reason: &str) -> TransitionRequest {
    TransitionRequest {
        reason: Some(reason.into()),
        ..TransitionRequest::to(target)
    }
}

fn opening(work_model: WorkModel) -> TransitionRequest {
    TransitionRequest {
        work_model: Some(work_model),
        ..to(lc(LifecycleStage::Opened))
    }
}

fn closing(reason: ClosureReason) -> TransitionRequest {
    TransitionRequest {
        closure_reason: Some(reason),
        ..to(lc(LifecycleStage::Closed))
    }
}

fn rejecting(reason: RejectionReason) -> TransitionRequest {
    TransitionRequest {
        rejection_reason: Some(reason),
        ..to(lc(LifecycleStage::Rejected))
    }
}

/// A request carrying every input any move may need (closure not as "goals achieved").
fn with_every_input(target: Stage) -> TransitionRequest {
    TransitionRequest {
        target,
        reason: Some("the family's situation changed".into()),
        closure_reason: Some(ClosureReason::LostContact),
        rejection_reason: Some(RejectionReason::NeedNotRecognised),
        work_model: Some(WorkModel::CaseManagement),
    }
}

fn attempt(
    state: CaseState,
    request: &TransitionRequest,
    facts: &CaseFacts,
) -> Result<Outcome, TransitionError> {
    apply(&state, request, facts, &case_manager(), now())
}

fn unmet_of(result: Result<Outcome, TransitionError>) -> Vec<Requirement> {
    match result {
        Err(TransitionError::Refused { unmet, .. }) => unmet,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Every stage of both machines: the targets a caller can name.
fn all_stages() -> Vec<Stage> {
    LifecycleStage::ALL
        .iter()
        .map(|s| Stage::Lifecycle(*s))
        .chain(ModelStage::all().map(Stage::Model))
        .collect()
}

/// Every state the domain allows to stand.
fn consistent_states() -> HashSet<CaseState> {
    let lifecycle_only = LifecycleStage::ALL.iter().map(|l| report_at(*l));
    let with_model = LifecycleStage::ALL
        .iter()
        .flat_map(|l| ModelStage::all().map(|m| case_at(*l, m)));
    lifecycle_only
        .chain(with_model)
        .filter(CaseState::is_consistent)
        .collect()
}

/// Every state reachable from a new report by successful moves, with everything on record.
fn reachable_states() -> HashSet<CaseState> {
    let facts = CaseFacts::complete();
    let mut requests = Vec::new();
    for target in all_stages() {
        for work_model in WorkModel::ALL {
            for closure_reason in ClosureReason::ALL {
                requests.push(TransitionRequest {
                    work_model: Some(*work_model),
                    closure_reason: Some(*closure_reason),
                    ..with_every_input(target)
                });
            }
        }
    }
    let mut seen = HashSet::from([CaseState::new_report()]);
    let mut queue = VecDeque::from([CaseState::new_report()]);
    while let Some(state) = queue.pop_front() {
        for request in &requests {
            if let Ok(outcome) = apply(&state, request, &facts, &supervisor(), now()) {
                if seen.insert(outcome.state) {
                    queue.push_back(outcome.state);
                }
            }
        }
    }
    seen
}

/// A closure report of the cycle stating `reason`, the family told in writing long ago.
fn reported(reason: ClosureReason) -> crate::closure::ClosureFacts {
    crate::closure::ClosureFacts::reported(reason, chrono::NaiveDate::MIN)
}

/// Applies each request in turn from a new report, checking the state after each.
fn walk(steps: &[(TransitionRequest, CaseState)]) -> CaseState {
    let mut state = CaseState::new_report();
    for (i, (request, expected)) in steps.iter().enumerate() {
        // The closure report states the reason the closure gives.
        let facts = match request.closure_reason {
            Some(reason) => CaseFacts {
                closure: reported(reason),
                ..CaseFacts::complete()
            },
            None => CaseFacts::complete(),
        };
        let outcome = attempt(state, request, &facts).unwrap_or_else(|e| {
            panic!(
                "step {} ({} from {state:?}) refused: {e}",
                i + 1,
                request.target
            )
        });
        assert_eq!(outcome.state, *expected, "step {}", i + 1);
        state = outcome.state;
    }
    state
}

// ---------------------------------------------------------------------------------------------
// 1. The transition tables, ALL × ALL
// ---------------------------------------------------------------------------------------------

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn the_lifecycle_allows_exactly_the_listed_moves_and_no_other_pair() {
    use LifecycleStage::*;
    use MoveKind as M;
    let expected = vec![
        (Intake, Verification, M::Forward),
        (Intake, Rejected, M::Rejection),
        (Intake, Attached, M::Attachment),
        (Verification, NeedRecognition, M::Forward),
        (Verification, Rejected, M::Rejection),
        (Verification, Attached, M::Attachment),
        (NeedRecognition, Rejected, M::Rejection),
        (NeedRecognition, Attached, M::Attachment),
        (NeedRecognition, Opened, M::Opening),
        (Opened, Planning, M::Forward),
        (Opened, Closed, M::Closure),
        (Planning, Implementation, M::Forward),
        (Planning, Closed, M::Closure),
        (Implementation, Monitoring, M::Forward),
        (Implementation, Closed, M::Closure),
        (Monitoring, Planning, M::PlanCorrection),
        (Monitoring, Closed, M::Closure),
        (Closed, Opened, M::Reopening),
    ];

    let actual: Vec<_> = LifecycleStage::ALL
        .iter()
        .flat_map(|from| {
            LifecycleStage::ALL
                .iter()
                .filter_map(move |to| from.move_to(*to).map(|kind| (*from, *to, kind)))
        })
        .collect();

    assert_eq!(sorted(actual), sorted(expected));
}

#[test]
fn the_case_management_model_allows_exactly_the_listed_moves_and_no_other_pair() {
    use CmStage::*;
    use MoveKind as M;
    let expected = vec![
        (EstablishingContact, NeedsAssessment, M::Forward),
        (NeedsAssessment, Planning, M::Forward),
        (Planning, ImplementationAndMonitoring, M::Forward),
        (ImplementationAndMonitoring, EvaluationOfResults, M::Forward),
        (EvaluationOfResults, Completion, M::Forward),
        (Planning, NeedsAssessment, M::StepBack),
        (ImplementationAndMonitoring, NeedsAssessment, M::StepBack),
        (EvaluationOfResults, NeedsAssessment, M::StepBack),
        (
            EvaluationOfResults,
            ImplementationAndMonitoring,
            M::StepBack,
        ),
    ];

    let actual: Vec<_> = CmStage::ALL
        .iter()
        .flat_map(|from| {
            CmStage::ALL
                .iter()
                .filter_map(move |to| from.move_to(*to).map(|kind| (*from, *to, kind)))
        })
        .collect();

    assert_eq!(sorted(actual), sorted(expected));
}

#[test]
fn the_individual_model_allows_exactly_the_listed_moves_and_no_other_pair() {
    use IndividualStage::*;
    use MoveKind as M;
    let expected = vec![
        (InitialContact, ProblemExploration, M::Forward),
        (ProblemExploration, PreliminaryContract, M::Forward),
        (PreliminaryContract, Assessment, M::Forward),
        (Assessment, ProblemConceptualisation, M::Forward),
        (ProblemConceptualisation, StrategyExploration, M::Forward),
        (StrategyExploration, StrategyAndContract, M::Forward),
        (StrategyAndContract, InterventionPreparation, M::Forward),
        (InterventionPreparation, Intervention, M::Forward),
        (Intervention, BarrierAssessment, M::Forward),
        (BarrierAssessment, InterventionControl, M::Forward),
        (InterventionControl, Evolution, M::Forward),
        (InterventionControl, Assessment, M::StepBack),
        (BarrierAssessment, Intervention, M::StepBack),
        (BarrierAssessment, StrategyExploration, M::StepBack),
    ];

    let actual: Vec<_> = IndividualStage::ALL
        .iter()
        .flat_map(|from| {
            IndividualStage::ALL
                .iter()
                .filter_map(move |to| from.move_to(*to).map(|kind| (*from, *to, kind)))
        })
        .collect();

    assert_eq!(sorted(actual), sorted(expected));
}

#[test]
fn a_model_stage_moves_only_within_its_own_model() {
    for from in ModelStage::all() {
        for to in ModelStage::all() {
            let expected = match (from, to) {
                (ModelStage::CaseManagement(a), ModelStage::CaseManagement(b)) => a.move_to(b),
                (ModelStage::Individual(a), ModelStage::Individual(b)) => a.move_to(b),
                _ => None,
            };

            let actual = from.move_to(to);

            assert_eq!(actual, expected, "{from} -> {to}");
        }
    }
}

#[test]
fn stage_numbers_follow_the_sources_order() {
    let lifecycle: Vec<_> = LifecycleStage::ALL.iter().map(|s| s.number()).collect();
    let cm: Vec<_> = CmStage::ALL.iter().map(|s| s.number()).collect();
    let individual: Vec<_> = IndividualStage::ALL.iter().map(|s| s.number()).collect();

    assert_eq!(
        lifecycle,
        [
            Some(1),
            Some(2),
            Some(3),
            None,
            None,
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(8)
        ]
    );
    assert_eq!(cm, (1..=6).collect::<Vec<u8>>());
    assert_eq!(individual, (1..=12).collect::<Vec<u8>>());
}

#[test]
fn only_the_last_stage_of_each_model_is_final() {
    let finals: Vec<_> = ModelStage::all().filter(|s| s.is_final()).collect();

    assert_eq!(
        finals,
        [cm(CmStage::Completion), ind(IndividualStage::Evolution)]
    );
}

#[test]
fn stage_codes_are_unique_across_both_models_and_parse_back() {
    let codes: HashSet<_> = ModelStage::all().map(ModelStage::code).collect();

    assert_eq!(codes.len(), CmStage::ALL.len() + IndividualStage::ALL.len());
    for stage in ModelStage::all() {
        assert_eq!(ModelStage::parse(stage.code()), Some(stage));
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Which model stages may stand with which lifecycle stage
// ---------------------------------------------------------------------------------------------

/// The active lifecycle stages, in the column order of the tables below.
const ACTIVE: [LifecycleStage; 4] = [
    LifecycleStage::Opened,
    LifecycleStage::Planning,
    LifecycleStage::Implementation,
    LifecycleStage::Monitoring,
];

#[test]
fn each_case_management_stage_stands_only_with_the_listed_active_lifecycle_stages() {
    use CmStage::*;
    #[rustfmt::skip]
    let expected: [(CmStage, [bool; 4]); 6] = [
        //                             opened planning implementation monitoring
        (EstablishingContact,         [true,  false,   false,         false]),
        (NeedsAssessment,             [true,  true,    false,         true ]),
        (Planning,                    [false, true,    true,          false]),
        (ImplementationAndMonitoring, [false, false,   true,          true ]),
        (EvaluationOfResults,         [false, false,   false,         true ]),
        (Completion,                  [false, false,   false,         true ]),
    ];
    assert_eq!(
        expected.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        CmStage::ALL,
        "the table lists every stage"
    );

    for (stage, row) in expected {
        let actual = ACTIVE.map(|l| compatible(l, cm(stage)));

        assert_eq!(actual, row, "{stage} with {ACTIVE:?}");
    }
}

#[test]
fn each_individual_stage_stands_only_with_the_listed_active_lifecycle_stages() {
    use IndividualStage::*;
    #[rustfmt::skip]
    let expected: [(IndividualStage, [bool; 4]); 12] = [
        //                          opened planning implementation monitoring
        (InitialContact,           [true,  false,   false,         false]),
        (ProblemExploration,       [true,  false,   false,         false]),
        (PreliminaryContract,      [true,  false,   false,         false]),
        (Assessment,               [true,  true,    false,         true ]),
        (ProblemConceptualisation, [false, true,    false,         false]),
        (StrategyExploration,      [false, true,    false,         true ]),
        (StrategyAndContract,      [false, true,    false,         false]),
        (InterventionPreparation,  [false, true,    true,          false]),
        (Intervention,             [false, false,   true,          true ]),
        (BarrierAssessment,        [false, false,   true,          true ]),
        (InterventionControl,      [false, false,   false,         true ]),
        (Evolution,                [false, false,   false,         true ]),
    ];
    assert_eq!(
        expected.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        IndividualStage::ALL,
        "the table lists every stage"
    );

    for (stage, row) in expected {
        let actual = ACTIVE.map(|l| compatible(l, ind(stage)));

        assert_eq!(actual, row, "{stage} with {ACTIVE:?}");
    }
}

#[test]
fn a_report_stage_accepts_no_model_stage() {
    use LifecycleStage::*;
    for lifecycle in [Intake, Verification, NeedRecognition, Rejected, Attached] {
        for stage in ModelStage::all() {
            assert!(!compatible(lifecycle, stage), "{lifecycle} with {stage}");
        }
        assert!(report_at(lifecycle).is_consistent(), "{lifecycle} alone");
    }
}

#[test]
fn a_closed_case_accepts_any_model_stage_but_not_none() {
    for stage in ModelStage::all() {
        assert!(
            compatible(LifecycleStage::Closed, stage),
            "closed with {stage}"
        );
    }
    assert!(!report_at(LifecycleStage::Closed).is_consistent());
}

#[test]
fn an_active_case_without_a_model_stage_is_not_consistent() {
    for lifecycle in ACTIVE {
        assert!(!report_at(lifecycle).is_consistent(), "{lifecycle} alone");
    }
}

#[test]
fn the_lookup_helpers_agree_with_the_compatibility_table() {
    for stage in ModelStage::all() {
        let expected: Vec<_> = ACTIVE
            .into_iter()
            .filter(|l| compatible(*l, stage))
            .collect();

        assert_eq!(lifecycle_stages_for(stage), expected, "{stage}");
    }
    for lifecycle in LifecycleStage::ALL {
        for work_model in WorkModel::ALL {
            let expected: Vec<_> = ModelStage::all()
                .filter(|s| s.model() == *work_model && compatible(*lifecycle, *s))
                .collect();

            assert_eq!(model_stages_for(*lifecycle, *work_model), expected);
        }
    }
}

#[test]
fn every_consistent_state_is_reachable_from_a_new_report_and_no_other() {
    let consistent = consistent_states();

    let reachable = reachable_states();

    let unreachable: Vec<_> = consistent.difference(&reachable).collect();
    let inconsistent: Vec<_> = reachable.difference(&consistent).collect();
    assert!(unreachable.is_empty(), "never reached: {unreachable:?}");
    assert!(
        inconsistent.is_empty(),
        "reached but inconsistent: {inconsistent:?}"
    );
    assert_eq!(reachable.len(), 51);
}

// ---------------------------------------------------------------------------------------------
// The two full walks, and the loops back
// ---------------------------------------------------------------------------------------------

#[test]
fn a_report_can_walk_the_case_management_model_to_closure_with_goals_achieved() {
    use CmStage as C;
    use LifecycleStage as L;
    let steps = [
        (to(lc(L::Verification)), report_at(L::Verification)),
        (to(lc(L::NeedRecognition)), report_at(L::NeedRecognition)),
        (
            opening(WorkModel::CaseManagement),
            case_at(L::Opened, cm(C::EstablishingContact)),
        ),
        (
            to(model(cm(C::NeedsAssessment))),
            case_at(L::Opened, cm(C::NeedsAssessment)),
        ),
        (
            to(lc(L::Planning)),
            case_at(L::Planning, cm(C::NeedsAssessment)),
        ),
        (
            to(model(cm(C::Planning))),
            case_at(L::Planning, cm(C::Planning)),
        ),
        (
            to(lc(L::Implementation)),
            case_at(L::Implementation, cm(C::Planning)),
        ),
        (
            to(model(cm(C::ImplementationAndMonitoring))),
            case_at(L::Implementation, cm(C::ImplementationAndMonitoring)),
        ),
        (
            to(lc(L::Monitoring)),
            case_at(L::Monitoring, cm(C::ImplementationAndMonitoring)),
        ),
        (
            to(model(cm(C::EvaluationOfResults))),
            case_at(L::Monitoring, cm(C::EvaluationOfResults)),
        ),
        (
            to(model(cm(C::Completion))),
            case_at(L::Monitoring, cm(C::Completion)),
        ),
        (
            closing(ClosureReason::GoalsAchieved),
            case_at(L::Closed, cm(C::Completion)),
        ),
    ];

    let end = walk(&steps);

    assert_eq!(end, case_at(L::Closed, cm(C::Completion)));
}

#[test]
fn a_report_can_walk_all_twelve_individual_stages_to_closure_with_goals_achieved() {
    use IndividualStage as I;
    use LifecycleStage as L;
    let steps = [
        (to(lc(L::Verification)), report_at(L::Verification)),
        (to(lc(L::NeedRecognition)), report_at(L::NeedRecognition)),
        (
            opening(WorkModel::Individual),
            case_at(L::Opened, ind(I::InitialContact)),
        ),
        (
            to(model(ind(I::ProblemExploration))),
            case_at(L::Opened, ind(I::ProblemExploration)),
        ),
        (
            to(model(ind(I::PreliminaryContract))),
            case_at(L::Opened, ind(I::PreliminaryContract)),
        ),
        (
            to(model(ind(I::Assessment))),
            case_at(L::Opened, ind(I::Assessment)),
        ),
        (
            to(lc(L::Planning)),
            case_at(L::Planning, ind(I::Assessment)),
        ),
        (
            to(model(ind(I::ProblemConceptualisation))),
            case_at(L::Planning, ind(I::ProblemConceptualisation)),
        ),
        (
            to(model(ind(I::StrategyExploration))),
            case_at(L::Planning, ind(I::StrategyExploration)),
        ),
        (
            to(model(ind(I::StrategyAndContract))),
            case_at(L::Planning, ind(I::StrategyAndContract)),
        ),
        (
            to(model(ind(I::InterventionPreparation))),
            case_at(L::Planning, ind(I::InterventionPreparation)),
        ),
        (
            to(lc(L::Implementation)),
            case_at(L::Implementation, ind(I::InterventionPreparation)),
        ),
        (
            to(model(ind(I::Intervention))),
            case_at(L::Implementation, ind(I::Intervention)),
        ),
        (
            to(model(ind(I::BarrierAssessment))),
            case_at(L::Implementation, ind(I::BarrierAssessment)),
        ),
        (
            to(lc(L::Monitoring)),
            case_at(L::Monitoring, ind(I::BarrierAssessment)),
        ),
        (
            to(model(ind(I::InterventionControl))),
            case_at(L::Monitoring, ind(I::InterventionControl)),
        ),
        (
            to(model(ind(I::Evolution))),
            case_at(L::Monitoring, ind(I::Evolution)),
        ),
        (
            closing(ClosureReason::GoalsAchieved),
            case_at(L::Closed, ind(I::Evolution)),
        ),
    ];

    let end = walk(&steps);

    assert_eq!(end, case_at(L::Closed, ind(I::Evolution)));
}

/// Runs `steps` from `start` with everything on record, returning the end state.
fn run_from(start: CaseState, steps: &[TransitionRequest]) -> CaseState {
    let facts = CaseFacts::complete();
    steps.iter().fold(start, |state, request| {
        attempt(state, request, &facts)
            .unwrap_or_else(|e| panic!("{} from {state:?} refused: {e}", request.target))
            .state
    })
}

#[test]
fn case_management_evaluation_can_loop_to_reassessment_and_a_corrected_plan() {
    use CmStage as C;
    use LifecycleStage as L;
    let start = case_at(L::Monitoring, cm(C::EvaluationOfResults));
    let steps = [
        with_reason(
            model(cm(C::NeedsAssessment)),
            "the family moved in with the grandmother",
        ),
        with_reason(lc(L::Planning), "new needs after re-assessment"),
        to(model(cm(C::Planning))),
        to(lc(L::Implementation)),
        to(model(cm(C::ImplementationAndMonitoring))),
        to(lc(L::Monitoring)),
    ];

    let end = run_from(start, &steps);

    assert_eq!(
        end,
        case_at(L::Monitoring, cm(C::ImplementationAndMonitoring))
    );
}

#[test]
fn individual_control_can_return_to_assessment_and_a_corrected_plan() {
    use IndividualStage as I;
    use LifecycleStage as L;
    let start = case_at(L::Monitoring, ind(I::InterventionControl));
    let steps = [
        with_reason(
            model(ind(I::Assessment)),
            "control found the plan off track",
        ),
        with_reason(lc(L::Planning), "strategy to be refined"),
        to(model(ind(I::ProblemConceptualisation))),
        to(model(ind(I::StrategyExploration))),
        to(model(ind(I::StrategyAndContract))),
        to(model(ind(I::InterventionPreparation))),
        to(lc(L::Implementation)),
    ];

    let end = run_from(start, &steps);

    assert_eq!(
        end,
        case_at(L::Implementation, ind(I::InterventionPreparation))
    );
}

#[test]
fn an_individual_barrier_needing_another_strategy_goes_through_monitoring_to_replanning() {
    use IndividualStage as I;
    use LifecycleStage as L;
    let start = case_at(L::Implementation, ind(I::BarrierAssessment));
    let steps = [
        to(lc(L::Monitoring)),
        with_reason(
            model(ind(I::StrategyExploration)),
            "the client lacks the skills",
        ),
        with_reason(lc(L::Planning), "another strategy"),
        to(model(ind(I::StrategyAndContract))),
    ];

    let end = run_from(start, &steps);

    assert_eq!(end, case_at(L::Planning, ind(I::StrategyAndContract)));
}

// ---------------------------------------------------------------------------------------------
// 3. Guards: one test per rule, naming exactly what is missing
// ---------------------------------------------------------------------------------------------

#[test]
fn opening_a_case_names_the_key_worker_the_identified_client_and_the_work_model_when_all_are_missing(
) {
    let state = report_at(LifecycleStage::NeedRecognition);

    let result = attempt(
        state,
        &to(lc(LifecycleStage::Opened)),
        &CaseFacts::default(),
    );

    assert_eq!(
        unmet_of(result),
        [
            Requirement::KeyWorkerAssigned,
            Requirement::ClientIdentified,
            Requirement::WorkModelChosen
        ]
    );
}

#[test]
fn opening_a_case_names_only_what_is_missing() {
    let state = report_at(LifecycleStage::NeedRecognition);
    let no_key_worker = CaseFacts {
        key_worker_assigned: false,
        ..CaseFacts::complete()
    };
    let no_client = CaseFacts {
        client_identified: false,
        ..CaseFacts::complete()
    };

    let without_key_worker = attempt(state, &opening(WorkModel::Individual), &no_key_worker);
    let without_client = attempt(state, &opening(WorkModel::Individual), &no_client);
    let without_model = attempt(
        state,
        &to(lc(LifecycleStage::Opened)),
        &CaseFacts::complete(),
    );

    assert_eq!(
        unmet_of(without_key_worker),
        [Requirement::KeyWorkerAssigned]
    );
    assert_eq!(unmet_of(without_client), [Requirement::ClientIdentified]);
    assert_eq!(unmet_of(without_model), [Requirement::WorkModelChosen]);
}

#[test]
fn lifecycle_planning_needs_a_completed_assessment() {
    let state = case_at(LifecycleStage::Opened, cm(CmStage::NeedsAssessment));
    let facts = CaseFacts {
        assessment_completed: false,
        ..CaseFacts::complete()
    };

    let result = attempt(state, &to(lc(LifecycleStage::Planning)), &facts);

    assert_eq!(unmet_of(result), [Requirement::CompletedAssessment]);
}

#[test]
fn case_management_planning_needs_a_completed_assessment() {
    let state = case_at(LifecycleStage::Planning, cm(CmStage::NeedsAssessment));
    let facts = CaseFacts {
        assessment_completed: false,
        ..CaseFacts::complete()
    };

    let result = attempt(state, &to(model(cm(CmStage::Planning))), &facts);

    assert_eq!(unmet_of(result), [Requirement::CompletedAssessment]);
}

fn no_plan_in_force() -> CaseFacts {
    CaseFacts {
        plan_agreed_by_client: false,
        service_agreement_signed: false,
        informed_consent_recorded: false,
        ..CaseFacts::complete()
    }
}

const PLAN_IN_FORCE: [Requirement; 3] = [
    Requirement::PlanAgreedByClient,
    Requirement::ServiceAgreementSigned,
    Requirement::InformedConsentRecorded,
];

#[test]
fn lifecycle_implementation_names_the_plan_agreement_the_service_agreement_and_the_consent() {
    for stage in [
        cm(CmStage::Planning),
        ind(IndividualStage::InterventionPreparation),
    ] {
        let state = case_at(LifecycleStage::Planning, stage);

        let result = attempt(
            state,
            &to(lc(LifecycleStage::Implementation)),
            &no_plan_in_force(),
        );

        assert_eq!(unmet_of(result), PLAN_IN_FORCE, "with {stage}");
    }
}

#[test]
fn case_management_implementation_and_monitoring_names_the_plan_agreement_the_service_agreement_and_the_consent(
) {
    let state = case_at(LifecycleStage::Implementation, cm(CmStage::Planning));

    let result = attempt(
        state,
        &to(model(cm(CmStage::ImplementationAndMonitoring))),
        &no_plan_in_force(),
    );

    assert_eq!(unmet_of(result), PLAN_IN_FORCE);
}

#[test]
fn a_plan_in_force_names_only_the_missing_part() {
    let state = case_at(LifecycleStage::Planning, cm(CmStage::Planning));
    let cases = [
        (
            CaseFacts {
                plan_agreed_by_client: false,
                ..CaseFacts::complete()
            },
            Requirement::PlanAgreedByClient,
        ),
        (
            CaseFacts {
                service_agreement_signed: false,
                ..CaseFacts::complete()
            },
            Requirement::ServiceAgreementSigned,
        ),
        (
            CaseFacts {
                informed_consent_recorded: false,
                ..CaseFacts::complete()
            },
            Requirement::InformedConsentRecorded,
        ),
    ];

    for (facts, missing) in cases {
        let result = attempt(state, &to(lc(LifecycleStage::Implementation)), &facts);

        assert_eq!(unmet_of(result), [missing]);
    }
}

#[test]
fn individual_assessment_needs_the_preliminary_contract() {
    let state = case_at(
        LifecycleStage::Opened,
        ind(IndividualStage::PreliminaryContract),
    );
    let facts = CaseFacts {
        preliminary_contract_recorded: false,
        ..CaseFacts::complete()
    };

    let result = attempt(state, &to(model(ind(IndividualStage::Assessment))), &facts);

    assert_eq!(unmet_of(result), [Requirement::PreliminaryContractRecorded]);
}

#[test]
fn individual_intervention_preparation_needs_the_concluded_contract() {
    let state = case_at(
        LifecycleStage::Planning,
        ind(IndividualStage::StrategyAndContract),
    );
    let facts = CaseFacts {
        concluded_contract_recorded: false,
        ..CaseFacts::complete()
    };

    let result = attempt(
        state,
        &to(model(ind(IndividualStage::InterventionPreparation))),
        &facts,
    );

    assert_eq!(unmet_of(result), [Requirement::ConcludedContractRecorded]);
}

#[test]
fn individual_evolution_needs_termination_agreed_by_both() {
    let state = case_at(
        LifecycleStage::Monitoring,
        ind(IndividualStage::InterventionControl),
    );
    let facts = CaseFacts {
        termination_agreed_by_both: false,
        ..CaseFacts::complete()
    };

    let result = attempt(state, &to(model(ind(IndividualStage::Evolution))), &facts);

    assert_eq!(unmet_of(result), [Requirement::TerminationAgreedByBoth]);
}

#[test]
fn closing_as_goals_achieved_needs_the_model_at_its_final_stage_and_a_final_evaluation() {
    let state = case_at(LifecycleStage::Monitoring, cm(CmStage::EvaluationOfResults));
    let facts = CaseFacts {
        final_evaluation_recorded: false,
        closure: reported(ClosureReason::GoalsAchieved),
        ..CaseFacts::complete()
    };

    let result = attempt(state, &closing(ClosureReason::GoalsAchieved), &facts);

    assert_eq!(
        unmet_of(result),
        [
            Requirement::WorkModelAtFinalStage,
            Requirement::FinalEvaluationRecorded
        ]
    );
}

#[test]
fn closing_as_goals_achieved_at_the_final_stage_still_needs_the_final_evaluation() {
    let state = case_at(LifecycleStage::Monitoring, ind(IndividualStage::Evolution));
    let facts = CaseFacts {
        final_evaluation_recorded: false,
        closure: reported(ClosureReason::GoalsAchieved),
        ..CaseFacts::complete()
    };

    let result = attempt(state, &closing(ClosureReason::GoalsAchieved), &facts);

    assert_eq!(unmet_of(result), [Requirement::FinalEvaluationRecorded]);
}

#[test]
fn closing_for_any_other_reason_needs_neither_the_final_stage_nor_an_evaluation() {
    let state = case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact));
    for reason in ClosureReason::ALL
        .iter()
        .filter(|r| **r != ClosureReason::GoalsAchieved)
    {
        let facts = CaseFacts {
            closure: crate::closure::ClosureFacts::reported(*reason, chrono::NaiveDate::MIN),
            ..CaseFacts::default()
        };
        let result = attempt(state, &closing(*reason), &facts);

        assert_eq!(
            result.map(|o| o.state),
            Ok(case_at(
                LifecycleStage::Closed,
                cm(CmStage::EstablishingContact)
            )),
            "{reason}"
        );
    }
}

#[test]
fn closing_needs_the_supervisors_approval_only_where_the_unit_requires_it() {
    let state = case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact));
    let required = CaseFacts {
        closure_approval_required: true,
        closure_approved: false,
        closure: crate::closure::ClosureFacts::reported(
            ClosureReason::ClientEndedAgreement,
            chrono::NaiveDate::MIN,
        ),
        ..CaseFacts::default()
    };
    let approved = CaseFacts {
        closure_approved: true,
        ..required.clone()
    };
    let not_required = CaseFacts {
        closure_approval_required: false,
        ..required.clone()
    };

    let refused = attempt(
        state,
        &closing(ClosureReason::ClientEndedAgreement),
        &required,
    );
    let after_approval = attempt(
        state,
        &closing(ClosureReason::ClientEndedAgreement),
        &approved,
    );
    let elsewhere = attempt(
        state,
        &closing(ClosureReason::ClientEndedAgreement),
        &not_required,
    );

    assert_eq!(unmet_of(refused), [Requirement::ClosureApproved]);
    assert!(after_approval.is_ok());
    assert!(elsewhere.is_ok());
}

#[test]
fn the_closure_approval_concerns_closure_only() {
    let facts = CaseFacts {
        closure_approval_required: true,
        closure_approved: false,
        ..CaseFacts::complete()
    };
    let state = case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact));
    for offer in available_transitions(&state, &facts, &supervisor()) {
        let expects = offer.kind == MoveKind::Closure;
        assert_eq!(
            offer.unmet.contains(&Requirement::ClosureApproved),
            expects,
            "{:?}",
            offer.target
        );
    }
}

#[test]
fn closure_needs_a_closure_reason() {
    for lifecycle in ACTIVE {
        let stage = model_stages_for(lifecycle, WorkModel::CaseManagement)[0];
        let state = case_at(lifecycle, stage);

        let result = attempt(
            state,
            &with_reason(lc(LifecycleStage::Closed), "free text is not enough"),
            &CaseFacts::complete(),
        );

        assert_eq!(
            unmet_of(result),
            [Requirement::ClosureReason],
            "{lifecycle}"
        );
    }
}

#[test]
fn rejection_needs_a_rejection_reason() {
    use LifecycleStage::*;
    for lifecycle in [Intake, Verification, NeedRecognition] {
        let result = attempt(
            report_at(lifecycle),
            &with_reason(lc(Rejected), "free text is not enough"),
            &CaseFacts::complete(),
        );

        assert_eq!(
            unmet_of(result),
            [Requirement::RejectionReason],
            "{lifecycle}"
        );
    }
}

#[test]
fn rejection_with_a_reason_ends_the_report_without_a_model() {
    let result = attempt(
        report_at(LifecycleStage::Verification),
        &rejecting(RejectionReason::InformationNotConfirmed),
        &CaseFacts::default(),
    );

    assert_eq!(
        result.map(|o| o.state),
        Ok(report_at(LifecycleStage::Rejected))
    );
}

const BLANK_REASONS: [Option<&str>; 4] = [None, Some(""), Some("   "), Some(" \t\n ")];

fn every_step_back() -> Vec<(LifecycleStage, ModelStage, ModelStage)> {
    use CmStage as C;
    use IndividualStage as I;
    use LifecycleStage as L;
    vec![
        (L::Planning, cm(C::Planning), cm(C::NeedsAssessment)),
        (
            L::Monitoring,
            cm(C::ImplementationAndMonitoring),
            cm(C::NeedsAssessment),
        ),
        (
            L::Monitoring,
            cm(C::EvaluationOfResults),
            cm(C::NeedsAssessment),
        ),
        (
            L::Monitoring,
            cm(C::EvaluationOfResults),
            cm(C::ImplementationAndMonitoring),
        ),
        (
            L::Monitoring,
            ind(I::InterventionControl),
            ind(I::Assessment),
        ),
        (
            L::Implementation,
            ind(I::BarrierAssessment),
            ind(I::Intervention),
        ),
        (
            L::Monitoring,
            ind(I::BarrierAssessment),
            ind(I::StrategyExploration),
        ),
    ]
}

#[test]
fn every_step_back_needs_a_reason_that_is_not_blank() {
    for (lifecycle, from, back) in every_step_back() {
        let state = case_at(lifecycle, from);
        for blank in BLANK_REASONS {
            let request = TransitionRequest {
                reason: blank.map(str::to_owned),
                ..to(model(back))
            };

            let result = attempt(state, &request, &CaseFacts::complete());

            assert_eq!(
                unmet_of(result),
                [Requirement::Reason],
                "{from} -> {back} with {blank:?}"
            );
        }
        let with_a_reason = attempt(
            state,
            &with_reason(model(back), "situation changed"),
            &CaseFacts::complete(),
        );
        assert_eq!(
            with_a_reason.map(|o| o.state),
            Ok(case_at(lifecycle, back)),
            "{from} -> {back}"
        );
    }
}

#[test]
fn plan_correction_needs_a_reason_that_is_not_blank() {
    let state = case_at(LifecycleStage::Monitoring, cm(CmStage::NeedsAssessment));
    for blank in BLANK_REASONS {
        let request = TransitionRequest {
            reason: blank.map(str::to_owned),
            ..to(lc(LifecycleStage::Planning))
        };

        let result = attempt(state, &request, &CaseFacts::complete());

        assert_eq!(unmet_of(result), [Requirement::Reason], "{blank:?}");
    }
}

#[test]
fn reopening_needs_a_supervisor_and_a_reason_that_is_not_blank() {
    let state = case_at(LifecycleStage::Closed, cm(CmStage::Completion));
    let facts = CaseFacts::complete();
    let reopen = |reason: Option<&str>| TransitionRequest {
        reason: reason.map(str::to_owned),
        ..to(lc(LifecycleStage::Opened))
    };

    let by_case_manager_without_reason =
        apply(&state, &reopen(None), &facts, &case_manager(), now());
    let by_case_manager_with_reason = apply(
        &state,
        &reopen(Some("the family asked again")),
        &facts,
        &case_manager(),
        now(),
    );
    let by_supervisor_with_blank = apply(&state, &reopen(Some("  ")), &facts, &supervisor(), now());
    let by_supervisor_with_reason = apply(
        &state,
        &reopen(Some("the family asked again")),
        &facts,
        &supervisor(),
        now(),
    );

    assert_eq!(
        unmet_of(by_case_manager_without_reason),
        [Requirement::SupervisorDecision, Requirement::Reason]
    );
    assert_eq!(
        unmet_of(by_case_manager_with_reason),
        [Requirement::SupervisorDecision]
    );
    assert_eq!(unmet_of(by_supervisor_with_blank), [Requirement::Reason]);
    assert!(by_supervisor_with_reason.is_ok());
}

#[test]
fn a_model_stage_does_not_move_while_the_case_is_closed() {
    let cases = [
        (cm(CmStage::NeedsAssessment), cm(CmStage::Planning)),
        (
            ind(IndividualStage::InitialContact),
            ind(IndividualStage::ProblemExploration),
        ),
        (
            ind(IndividualStage::InterventionControl),
            ind(IndividualStage::Evolution),
        ),
    ];
    for (from, next) in cases {
        let state = case_at(LifecycleStage::Closed, from);

        let result = attempt(
            state,
            &with_every_input(model(next)),
            &CaseFacts::complete(),
        );

        assert_eq!(
            unmet_of(result),
            [Requirement::CaseActive],
            "{from} -> {next}"
        );
    }
}

#[test]
fn a_report_has_no_model_stage_to_move() {
    for lifecycle in [
        LifecycleStage::Intake,
        LifecycleStage::NeedRecognition,
        LifecycleStage::Rejected,
        LifecycleStage::Attached,
    ] {
        let target = model(cm(CmStage::NeedsAssessment));

        let result = attempt(report_at(lifecycle), &to(target), &CaseFacts::complete());

        assert_eq!(
            result,
            Err(TransitionError::NotATransition {
                from: lc(lifecycle),
                to: target
            })
        );
    }
}

#[test]
fn attachment_needs_an_open_case_of_the_same_client() {
    let state = report_at(LifecycleStage::Intake);
    let target = |attach_target| CaseFacts {
        attach_target,
        ..CaseFacts::default()
    };
    let refused = [
        None,
        Some(AttachTarget {
            same_client: false,
            case_open: true,
        }),
        Some(AttachTarget {
            same_client: true,
            case_open: false,
        }),
        Some(AttachTarget {
            same_client: false,
            case_open: false,
        }),
    ];

    for attach_target in refused {
        let result = attempt(
            state,
            &to(lc(LifecycleStage::Attached)),
            &target(attach_target),
        );

        assert_eq!(
            unmet_of(result),
            [Requirement::OpenCaseOfSameClient],
            "{attach_target:?}"
        );
    }
    let allowed = attempt(
        state,
        &to(lc(LifecycleStage::Attached)),
        &target(Some(AttachTarget {
            same_client: true,
            case_open: true,
        })),
    );
    assert_eq!(
        allowed.map(|o| o.state),
        Ok(report_at(LifecycleStage::Attached))
    );
}

#[test]
fn a_lifecycle_move_that_would_leave_the_model_stage_incompatible_names_the_stages_needed() {
    use CmStage as C;
    use IndividualStage as I;
    use LifecycleStage as L;
    let cases = [
        (
            case_at(L::Opened, cm(C::EstablishingContact)),
            to(lc(L::Planning)),
            vec![cm(C::NeedsAssessment), cm(C::Planning)],
        ),
        (
            case_at(L::Planning, ind(I::ProblemConceptualisation)),
            to(lc(L::Implementation)),
            vec![
                ind(I::InterventionPreparation),
                ind(I::Intervention),
                ind(I::BarrierAssessment),
            ],
        ),
        (
            case_at(L::Implementation, cm(C::Planning)),
            to(lc(L::Monitoring)),
            vec![
                cm(C::NeedsAssessment),
                cm(C::ImplementationAndMonitoring),
                cm(C::EvaluationOfResults),
                cm(C::Completion),
            ],
        ),
        (
            case_at(L::Monitoring, ind(I::Intervention)),
            with_reason(lc(L::Planning), "plan to correct"),
            vec![
                ind(I::Assessment),
                ind(I::ProblemConceptualisation),
                ind(I::StrategyExploration),
                ind(I::StrategyAndContract),
                ind(I::InterventionPreparation),
            ],
        ),
    ];

    for (state, request, allowed) in cases {
        let Stage::Lifecycle(lifecycle) = request.target else {
            panic!("a lifecycle target");
        };

        let result = attempt(state, &request, &CaseFacts::complete());

        assert_eq!(
            unmet_of(result),
            [Requirement::WorkModelStageIn { lifecycle, allowed }],
            "{state:?}"
        );
    }
}

#[test]
fn a_model_move_the_lifecycle_does_not_hold_yet_names_the_lifecycle_stages_needed() {
    let state = case_at(LifecycleStage::Opened, cm(CmStage::NeedsAssessment));

    let result = attempt(
        state,
        &to(model(cm(CmStage::Planning))),
        &CaseFacts::complete(),
    );

    assert_eq!(
        unmet_of(result),
        [Requirement::LifecycleStageIn {
            model_stage: cm(CmStage::Planning),
            allowed: vec![LifecycleStage::Planning, LifecycleStage::Implementation],
        }]
    );
}

#[test]
fn a_refusal_names_every_unmet_requirement_at_once() {
    let state = case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact));

    let result = attempt(
        state,
        &to(lc(LifecycleStage::Planning)),
        &CaseFacts::default(),
    );

    assert_eq!(
        unmet_of(result),
        [
            Requirement::CompletedAssessment,
            Requirement::WorkModelStageIn {
                lifecycle: LifecycleStage::Planning,
                allowed: vec![cm(CmStage::NeedsAssessment), cm(CmStage::Planning)],
            }
        ]
    );
}

#[test]
fn a_pair_that_is_no_transition_is_refused_as_such() {
    let cases = [
        (
            report_at(LifecycleStage::Intake),
            lc(LifecycleStage::Closed),
            lc(LifecycleStage::Intake),
        ),
        (
            case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact)),
            lc(LifecycleStage::Opened),
            lc(LifecycleStage::Opened),
        ),
        (
            case_at(LifecycleStage::Opened, cm(CmStage::EstablishingContact)),
            model(ind(IndividualStage::ProblemExploration)),
            model(cm(CmStage::EstablishingContact)),
        ),
        (
            case_at(LifecycleStage::Monitoring, cm(CmStage::Completion)),
            model(cm(CmStage::EvaluationOfResults)),
            model(cm(CmStage::Completion)),
        ),
    ];

    for (state, target, from) in cases {
        let result = attempt(state, &with_every_input(target), &CaseFacts::complete());

        assert_eq!(
            result,
            Err(TransitionError::NotATransition { from, to: target })
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Events
// ---------------------------------------------------------------------------------------------

#[test]
fn a_model_step_back_records_who_when_from_to_and_why() {
    let state = case_at(LifecycleStage::Planning, cm(CmStage::Planning));
    let request = with_reason(model(cm(CmStage::NeedsAssessment)), "  the father left  ");

    let outcome = attempt(state, &request, &CaseFacts::complete()).unwrap();

    assert_eq!(
        outcome.events,
        [TransitionEvent {
            machine: Machine::CaseManagement,
            kind: MoveKind::StepBack,
            from: Some(model(cm(CmStage::Planning))),
            to: model(cm(CmStage::NeedsAssessment)),
            actor: STAFF.into(),
            at: now(),
            reason_code: None,
            reason: Some("the father left".into()),
        }]
    );
}

#[test]
fn a_lifecycle_move_records_who_when_from_and_to() {
    let state = report_at(LifecycleStage::Intake);

    let outcome = attempt(
        state,
        &to(lc(LifecycleStage::Verification)),
        &CaseFacts::default(),
    )
    .unwrap();

    assert_eq!(
        outcome.events,
        [TransitionEvent {
            machine: Machine::Lifecycle,
            kind: MoveKind::Forward,
            from: Some(lc(LifecycleStage::Intake)),
            to: lc(LifecycleStage::Verification),
            actor: STAFF.into(),
            at: now(),
            reason_code: None,
            reason: None,
        }]
    );
}

#[test]
fn closure_and_rejection_record_their_reason_code() {
    let closed = attempt(
        case_at(
            LifecycleStage::Implementation,
            ind(IndividualStage::Intervention),
        ),
        &TransitionRequest {
            reason: Some("moved to Lviv".into()),
            ..closing(ClosureReason::MovedAway)
        },
        &CaseFacts {
            closure: crate::closure::ClosureFacts::reported(
                ClosureReason::MovedAway,
                chrono::NaiveDate::MIN,
            ),
            ..CaseFacts::complete()
        },
    )
    .unwrap();
    let rejected = attempt(
        report_at(LifecycleStage::NeedRecognition),
        &rejecting(RejectionReason::NeedNotRecognised),
        &CaseFacts::complete(),
    )
    .unwrap();

    assert_eq!(
        closed.events,
        [TransitionEvent {
            machine: Machine::Lifecycle,
            kind: MoveKind::Closure,
            from: Some(lc(LifecycleStage::Implementation)),
            to: lc(LifecycleStage::Closed),
            actor: STAFF.into(),
            at: now(),
            reason_code: Some("moved_away"),
            reason: Some("moved to Lviv".into()),
        }]
    );
    assert_eq!(
        rejected.events,
        [TransitionEvent {
            machine: Machine::Lifecycle,
            kind: MoveKind::Rejection,
            from: Some(lc(LifecycleStage::NeedRecognition)),
            to: lc(LifecycleStage::Rejected),
            actor: STAFF.into(),
            at: now(),
            reason_code: Some("need_not_recognised"),
            reason: None,
        }]
    );
}

#[test]
fn opening_records_the_lifecycle_move_and_the_model_entered_from_nothing() {
    for work_model in WorkModel::ALL {
        let state = report_at(LifecycleStage::NeedRecognition);

        let outcome = attempt(state, &opening(*work_model), &CaseFacts::complete()).unwrap();

        let first = work_model.first_stage();
        assert_eq!(outcome.state, case_at(LifecycleStage::Opened, first));
        assert_eq!(
            outcome.events,
            [
                TransitionEvent {
                    machine: Machine::Lifecycle,
                    kind: MoveKind::Opening,
                    from: Some(lc(LifecycleStage::NeedRecognition)),
                    to: lc(LifecycleStage::Opened),
                    actor: STAFF.into(),
                    at: now(),
                    reason_code: None,
                    reason: None,
                },
                TransitionEvent {
                    machine: Stage::Model(first).machine(),
                    kind: MoveKind::Opening,
                    from: None,
                    to: model(first),
                    actor: STAFF.into(),
                    at: now(),
                    reason_code: None,
                    reason: None,
                },
            ]
        );
    }
}

#[test]
fn opening_enters_the_first_stage_of_the_chosen_model() {
    assert_eq!(
        WorkModel::CaseManagement.first_stage(),
        cm(CmStage::EstablishingContact)
    );
    assert_eq!(
        WorkModel::Individual.first_stage(),
        ind(IndividualStage::InitialContact)
    );
}

#[test]
fn reopening_puts_the_model_back_to_its_first_stage_and_records_it() {
    let cases = [
        (cm(CmStage::Completion), Machine::CaseManagement),
        (ind(IndividualStage::Evolution), Machine::Individual),
        (ind(IndividualStage::Intervention), Machine::Individual),
    ];
    for (closed_at, machine) in cases {
        let state = case_at(LifecycleStage::Closed, closed_at);
        let first = closed_at.model().first_stage();

        let outcome = apply(
            &state,
            &with_reason(lc(LifecycleStage::Opened), "new violence reported"),
            &CaseFacts::complete(),
            &supervisor(),
            now(),
        )
        .unwrap();

        assert_eq!(outcome.state, case_at(LifecycleStage::Opened, first));
        assert_eq!(
            outcome.events,
            [
                TransitionEvent {
                    machine: Machine::Lifecycle,
                    kind: MoveKind::Reopening,
                    from: Some(lc(LifecycleStage::Closed)),
                    to: lc(LifecycleStage::Opened),
                    actor: SUPERVISOR.into(),
                    at: now(),
                    reason_code: None,
                    reason: Some("new violence reported".into()),
                },
                TransitionEvent {
                    machine,
                    kind: MoveKind::Reopening,
                    from: Some(model(closed_at)),
                    to: model(first),
                    actor: SUPERVISOR.into(),
                    at: now(),
                    reason_code: None,
                    reason: Some("new violence reported".into()),
                },
            ]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The moves offered to a caller
// ---------------------------------------------------------------------------------------------

/// The (target, kind) pairs `move_to` allows from `state`, model moves only while active.
fn moves_of_move_to(state: &CaseState) -> Vec<(Stage, MoveKind)> {
    let lifecycle = LifecycleStage::ALL
        .iter()
        .filter_map(|to| state.lifecycle.move_to(*to).map(|k| (lc(*to), k)));
    let model_moves = state
        .model_stage
        .filter(|_| state.lifecycle.is_active_case())
        .into_iter()
        .flat_map(|from| {
            ModelStage::all().filter_map(move |to| from.move_to(to).map(|k| (model(to), k)))
        });
    lifecycle.chain(model_moves).collect()
}

#[test]
fn a_new_report_offers_verification_rejection_and_attachment_with_nothing_missing() {
    let offered = available_transitions(
        &CaseState::new_report(),
        &CaseFacts::complete(),
        &case_manager(),
    );

    let offer = |target, kind, needs_rejection_reason| AvailableTransition {
        target,
        kind,
        needs_reason: false,
        needs_closure_reason: false,
        needs_rejection_reason,
        needs_work_model: false,
        unmet: vec![],
    };
    assert_eq!(
        offered,
        [
            offer(lc(LifecycleStage::Verification), MoveKind::Forward, false),
            offer(lc(LifecycleStage::Rejected), MoveKind::Rejection, true),
            offer(lc(LifecycleStage::Attached), MoveKind::Attachment, false),
        ]
    );
}

#[test]
fn a_recognised_report_offers_opening_that_needs_a_work_model() {
    let offered = available_transitions(
        &report_at(LifecycleStage::NeedRecognition),
        &CaseFacts::default(),
        &case_manager(),
    );

    let opening = offered
        .iter()
        .find(|t| t.kind == MoveKind::Opening)
        .unwrap();
    assert!(opening.needs_work_model);
    assert_eq!(
        opening.unmet,
        [
            Requirement::KeyWorkerAssigned,
            Requirement::ClientIdentified
        ]
    );
}

#[test]
fn a_closed_case_offers_only_reopening_and_rejected_or_attached_reports_offer_nothing() {
    let closed = case_at(LifecycleStage::Closed, cm(CmStage::NeedsAssessment));

    let from_closed = available_transitions(&closed, &CaseFacts::complete(), &supervisor());
    let from_rejected = available_transitions(
        &report_at(LifecycleStage::Rejected),
        &CaseFacts::complete(),
        &supervisor(),
    );
    let from_attached = available_transitions(
        &report_at(LifecycleStage::Attached),
        &CaseFacts::complete(),
        &supervisor(),
    );

    assert_eq!(
        from_closed,
        [AvailableTransition {
            target: lc(LifecycleStage::Opened),
            kind: MoveKind::Reopening,
            needs_reason: true,
            needs_closure_reason: false,
            needs_rejection_reason: false,
            needs_work_model: false,
            unmet: vec![],
        }]
    );
    assert!(from_rejected.is_empty());
    assert!(from_attached.is_empty());
}

#[test]
fn an_active_case_offers_exactly_the_moves_of_both_machines_with_nothing_missing_when_compatible() {
    let state = case_at(LifecycleStage::Monitoring, cm(CmStage::EvaluationOfResults));

    let offered = available_transitions(&state, &CaseFacts::complete(), &case_manager());

    let summary: Vec<_> = offered
        .iter()
        .map(|t| (t.target, t.kind, t.unmet.is_empty()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                lc(LifecycleStage::Planning),
                MoveKind::PlanCorrection,
                false
            ),
            (lc(LifecycleStage::Closed), MoveKind::Closure, true),
            (
                model(cm(CmStage::NeedsAssessment)),
                MoveKind::StepBack,
                true
            ),
            (
                model(cm(CmStage::ImplementationAndMonitoring)),
                MoveKind::StepBack,
                true
            ),
            (model(cm(CmStage::Completion)), MoveKind::Forward, true),
        ]
    );
}

#[test]
fn in_every_reachable_state_the_offer_is_exactly_the_moves_of_move_to() {
    for state in reachable_states() {
        let offered = available_transitions(&state, &CaseFacts::complete(), &supervisor());

        let pairs: Vec<_> = offered.iter().map(|t| (t.target, t.kind)).collect();
        assert_eq!(pairs, moves_of_move_to(&state), "{state:?}");
        for t in &offered {
            assert_eq!(t.needs_reason, t.kind.needs_reason(), "{state:?} {t:?}");
            assert_eq!(t.needs_closure_reason, t.kind == MoveKind::Closure);
            assert_eq!(t.needs_rejection_reason, t.kind == MoveKind::Rejection);
            assert_eq!(t.needs_work_model, t.kind == MoveKind::Opening);
        }
    }
}

#[test]
fn with_complete_facts_an_offered_move_lacks_nothing_unless_it_breaks_the_compatibility_table() {
    for state in reachable_states() {
        let offered = available_transitions(&state, &CaseFacts::complete(), &supervisor());

        for t in offered {
            let keeps_compatible = match t.target {
                Stage::Lifecycle(to) => match (t.kind, state.model_stage) {
                    (MoveKind::Opening | MoveKind::Reopening, _) | (_, None) => true,
                    (_, Some(stage)) => compatible(to, stage),
                },
                Stage::Model(to) => compatible(state.lifecycle, to),
            };
            assert_eq!(t.unmet.is_empty(), keeps_compatible, "{state:?} {t:?}");
            assert!(
                t.unmet.iter().all(|r| matches!(
                    r,
                    Requirement::WorkModelStageIn { .. } | Requirement::LifecycleStageIn { .. }
                )),
                "{state:?} {t:?}"
            );
        }
    }
}

/// Facts with everything on record but one, for each fact, plus none and all.
fn facts_variants() -> Vec<CaseFacts> {
    let all = CaseFacts::complete();
    vec![
        CaseFacts::default(),
        all.clone(),
        CaseFacts {
            key_worker_assigned: false,
            ..all.clone()
        },
        CaseFacts {
            client_identified: false,
            ..all.clone()
        },
        CaseFacts {
            assessment_completed: false,
            ..all.clone()
        },
        CaseFacts {
            plan_agreed_by_client: false,
            ..all.clone()
        },
        CaseFacts {
            service_agreement_signed: false,
            ..all.clone()
        },
        CaseFacts {
            informed_consent_recorded: false,
            ..all.clone()
        },
        CaseFacts {
            preliminary_contract_recorded: false,
            ..all.clone()
        },
        CaseFacts {
            concluded_contract_recorded: false,
            ..all.clone()
        },
        CaseFacts {
            termination_agreed_by_both: false,
            ..all.clone()
        },
        CaseFacts {
            final_evaluation_recorded: false,
            ..all.clone()
        },
        CaseFacts {
            closure_approval_required: true,
            closure_approved: false,
            ..all.clone()
        },
        CaseFacts {
            attach_target: None,
            ..all
        },
    ]
}

#[test]
fn what_an_offer_lacks_is_exactly_what_apply_refuses_when_every_input_is_given() {
    for state in reachable_states() {
        for facts in facts_variants() {
            for actor in [case_manager(), supervisor()] {
                for t in available_transitions(&state, &facts, &actor) {
                    let result = apply(&state, &with_every_input(t.target), &facts, &actor, now());

                    match result {
                        Ok(_) => assert!(t.unmet.is_empty(), "{state:?} {t:?}"),
                        Err(TransitionError::Refused { unmet, .. }) => {
                            assert_eq!(unmet, t.unmet, "{state:?} {facts:?}")
                        }
                        Err(e) => panic!("{state:?} {t:?}: {e}"),
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Terminal stages, exhaustively
// ---------------------------------------------------------------------------------------------

#[test]
fn a_closed_case_can_only_be_reopened_whatever_is_asked() {
    for closed_at in ModelStage::all() {
        let state = case_at(LifecycleStage::Closed, closed_at);
        for target in all_stages() {
            for work_model in WorkModel::ALL {
                let request = TransitionRequest {
                    work_model: Some(*work_model),
                    ..with_every_input(target)
                };

                let result = apply(
                    &state,
                    &request,
                    &CaseFacts::complete(),
                    &supervisor(),
                    now(),
                );

                assert_eq!(
                    result.is_ok(),
                    target == lc(LifecycleStage::Opened),
                    "{closed_at} -> {target}"
                );
            }
        }
    }
}

#[test]
fn rejected_and_attached_reports_cannot_move_at_all() {
    for lifecycle in [LifecycleStage::Rejected, LifecycleStage::Attached] {
        for target in all_stages() {
            let result = apply(
                &report_at(lifecycle),
                &with_every_input(target),
                &CaseFacts::complete(),
                &supervisor(),
                now(),
            );

            assert!(
                matches!(result, Err(TransitionError::NotATransition { .. })),
                "{lifecycle} -> {target}: {result:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Properties over random sequences of requests
// ---------------------------------------------------------------------------------------------

/// How a step picks its target: any stage at all, one of the pairs `move_to` allows now, or one
/// of the forward moves allowed now (so that random walks get deep into cases instead of bouncing
/// off the table or closing early).
#[derive(Debug, Clone)]
enum Pick {
    Any(Stage),
    Offered(usize),
    Ahead(usize),
}

impl Pick {
    fn resolve(&self, state: &CaseState) -> Stage {
        let stages = all_stages();
        match self {
            Pick::Any(stage) => *stage,
            Pick::Offered(i) | Pick::Ahead(i) => {
                let ahead = matches!(self, Pick::Ahead(_));
                let offered: Vec<_> = stages
                    .iter()
                    .copied()
                    .filter(|t| {
                        move_kind(state, *t).is_some_and(|kind| {
                            !ahead || matches!(kind, MoveKind::Forward | MoveKind::Opening)
                        })
                    })
                    .collect();
                if offered.is_empty() {
                    stages[i % stages.len()]
                } else {
                    offered[i % offered.len()]
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Step {
    pick: Pick,
    reason: Option<String>,
    closure_reason: Option<ClosureReason>,
    rejection_reason: Option<RejectionReason>,
    work_model: Option<WorkModel>,
    facts: CaseFacts,
    roles: Vec<Role>,
}

fn arb_facts() -> impl Strategy<Value = CaseFacts> {
    let fact = || proptest::bool::weighted(0.85);
    (
        (fact(), fact(), fact(), fact(), fact()),
        (fact(), fact(), fact(), fact(), fact()),
        proptest::option::weighted(0.8, (fact(), fact())),
        (proptest::bool::weighted(0.3), fact()),
    )
        .prop_map(
            |((a, b, c, d, e), (f, g, h, i, j), target, (k, l))| CaseFacts {
                key_worker_assigned: a,
                client_identified: b,
                assessment_completed: c,
                plan_agreed_by_client: d,
                service_agreement_signed: e,
                informed_consent_recorded: f,
                preliminary_contract_recorded: g,
                concluded_contract_recorded: h,
                termination_agreed_by_both: i,
                final_evaluation_recorded: j,
                closure_approval_required: k,
                closure_approved: l,
                attach_target: target.map(|(same_client, case_open)| AttachTarget {
                    same_client,
                    case_open,
                }),
                closure: crate::closure::ClosureFacts::default(),
            },
        )
}

fn arb_step() -> impl Strategy<Value = Step> {
    use proptest::sample::{select, subsequence};
    let pick = prop_oneof![
        1 => select(all_stages()).prop_map(Pick::Any),
        2 => any::<usize>().prop_map(Pick::Offered),
        3 => any::<usize>().prop_map(Pick::Ahead),
    ];
    let reason = proptest::option::weighted(
        0.8,
        select(vec!["", "   ", " \t", "situation changed", "  new facts  "]),
    )
    .prop_map(|r| r.map(str::to_owned));
    let closure_reason = proptest::option::weighted(0.8, select(ClosureReason::ALL));
    let rejection_reason = proptest::option::weighted(0.8, select(RejectionReason::ALL));
    let work_model = proptest::option::weighted(0.8, select(WorkModel::ALL));
    let roles = subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len());
    (
        pick,
        reason,
        closure_reason,
        rejection_reason,
        work_model,
        (arb_facts(), proptest::bool::weighted(0.85)),
        roles,
    )
        .prop_map(
            |(
                pick,
                reason,
                closure_reason,
                rejection_reason,
                work_model,
                (mut facts, reported),
                roles,
            )| {
                // Mostly, the closure report states the reason the request gives.
                if let (Some(reason), true) = (closure_reason, reported) {
                    facts.closure =
                        crate::closure::ClosureFacts::reported(reason, chrono::NaiveDate::MIN);
                }
                Step {
                    pick,
                    reason,
                    closure_reason,
                    rejection_reason,
                    work_model,
                    facts,
                    roles,
                }
            },
        )
}

/// The stage the machine of `target` stands at in `state`.
fn previous_stage(state: &CaseState, target: Stage) -> Option<Stage> {
    match target {
        Stage::Lifecycle(_) => Some(Stage::Lifecycle(state.lifecycle)),
        Stage::Model(_) => state.model_stage.map(Stage::Model),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_requests_from_a_new_report_keep_every_rule(
        steps in proptest::collection::vec(arb_step(), 1..80)
    ) {
        let mut state = CaseState::new_report();
        for (i, step) in steps.iter().enumerate() {
            let target = step.pick.resolve(&state);
            let request = TransitionRequest {
                target,
                reason: step.reason.clone(),
                closure_reason: step.closure_reason,
                rejection_reason: step.rejection_reason,
                work_model: step.work_model,
            };
            let actor = Actor { staff_id: format!("staff-{i}"), roles: step.roles.clone() };
            let at = now() + Duration::minutes(i as i64);

            let result = apply(&state, &request, &step.facts, &actor, at);

            let Ok(outcome) = result else { continue };
            // (b) closed: only reopening; rejected and attached: nothing.
            match state.lifecycle {
                LifecycleStage::Closed => {
                    prop_assert_eq!(target, lc(LifecycleStage::Opened));
                    prop_assert!(actor.has(Role::Supervisor));
                }
                LifecycleStage::Rejected | LifecycleStage::Attached => {
                    prop_assert!(false, "{:?} moved to {}", state, target);
                }
                _ => {}
            }
            // (a) the reached state is one the domain allows.
            prop_assert!(outcome.state.is_consistent(), "{:?}", outcome.state);
            // (c) an event for the requested move, from where that machine stood.
            let from = previous_stage(&state, target);
            prop_assert!(
                outcome.events.iter().any(|e| e.to == target && e.from == from),
                "{:?} -> {}: {:?}", state, target, outcome.events
            );
            prop_assert_eq!(outcome.events[0].kind, move_kind(&state, target).unwrap());
            for event in &outcome.events {
                prop_assert_eq!(&event.actor, &actor.staff_id);
                prop_assert_eq!(event.at, at);
                prop_assert_eq!(event.machine, event.to.machine());
                if let Some(from) = event.from {
                    prop_assert_eq!(from.machine(), event.to.machine());
                }
                // The events describe the new state.
                match event.to {
                    Stage::Lifecycle(l) => prop_assert_eq!(outcome.state.lifecycle, l),
                    Stage::Model(m) => prop_assert_eq!(outcome.state.model_stage, Some(m)),
                }
            }
            state = outcome.state;
        }
    }

    #[test]
    fn a_refused_request_names_at_least_one_requirement(
        steps in proptest::collection::vec(arb_step(), 1..60)
    ) {
        let mut state = CaseState::new_report();
        for step in &steps {
            let target = step.pick.resolve(&state);
            let request = TransitionRequest {
                target,
                reason: step.reason.clone(),
                closure_reason: step.closure_reason,
                rejection_reason: step.rejection_reason,
                work_model: step.work_model,
            };
            let actor = Actor { staff_id: "staff".into(), roles: step.roles.clone() };

            match apply(&state, &request, &step.facts, &actor, now()) {
                Ok(outcome) => state = outcome.state,
                Err(TransitionError::Refused { to, unmet }) => {
                    prop_assert_eq!(to, target);
                    prop_assert!(!unmet.is_empty());
                    prop_assert!(move_kind(&state, target).is_some());
                }
                Err(TransitionError::NotATransition { from, to }) => {
                    prop_assert_eq!(to, target);
                    prop_assert!(move_kind(&state, target).is_none());
                    prop_assert_eq!(Some(from), previous_stage(&state, target).or(Some(lc(state.lifecycle))));
                }
            }
        }
    }
}
