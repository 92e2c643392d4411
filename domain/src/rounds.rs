//! The loops of the work models, and what makes them loops rather than stage moves.
//!
//! Seed 002: evaluation of results may send the case back to needs assessment (re-assessment).
//! Seed 001: stage 11 (intervention control) returns to stage 4 (assessment). Seed 000: evaluation
//! ends in closure or a *new plan* (lifecycle monitoring → planning, a plan correction). Going
//! forward again must need new work: after a return to assessment, an assessment completed after
//! the return; after a plan correction, a plan version agreed by the client after the correction.
//! A transition says what it starts in its [`Effects`]; [`Rounds`] keeps where the case's current
//! rounds began; [`assessment_counts`] and [`plan_agreement_counts`] decide which records count.

use chrono::{DateTime, Utc};

use crate::lifecycle::MoveKind;
use crate::transition::Stage;
use crate::work_model::{CmStage, IndividualStage, ModelStage};

/// What a transition does beside moving a stage, for the store to record with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effects {
    /// A closed case reopens: a new cycle, needing a new assessment and plan.
    pub starts_new_cycle: bool,
    /// The case closes: its closure reason and time are recorded.
    pub closes: bool,
    /// Back to (re-)assessment: only an assessment completed from now on lets the case go forward.
    pub returns_to_assessment: bool,
    /// Plan correction: only a plan version agreed from now on lets the case go back to work.
    pub corrects_plan: bool,
}

impl Effects {
    /// The effects of a move of `kind` to `target`.
    pub fn of(kind: MoveKind, target: Stage) -> Effects {
        Effects {
            starts_new_cycle: kind == MoveKind::Reopening,
            closes: kind == MoveKind::Closure,
            returns_to_assessment: kind == MoveKind::StepBack && is_assessment_stage(target),
            corrects_plan: kind == MoveKind::PlanCorrection,
        }
    }
}

/// The model stages a loop returns to for a new assessment: 6-stage needs assessment, 12-stage 4.
fn is_assessment_stage(target: Stage) -> bool {
    matches!(
        target,
        Stage::Model(
            ModelStage::CaseManagement(CmStage::NeedsAssessment)
                | ModelStage::Individual(IndividualStage::Assessment)
        )
    )
}

/// Where the case's current rounds of assessment and planning began; `None` means with the cycle
/// (whose records are already told apart by their cycle number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rounds {
    pub reassessment_since: Option<DateTime<Utc>>,
    pub replanning_since: Option<DateTime<Utc>>,
}

impl Rounds {
    /// The rounds after a transition with `effects` made at `at`.
    pub fn after(self, effects: Effects, at: DateTime<Utc>) -> Rounds {
        if effects.starts_new_cycle {
            return Rounds::default();
        }
        Rounds {
            reassessment_since: if effects.returns_to_assessment {
                Some(at)
            } else {
                self.reassessment_since
            },
            replanning_since: if effects.corrects_plan {
                Some(at)
            } else {
                self.replanning_since
            },
        }
    }
}

/// Whether an assessment of the current cycle completed at `completed_at` satisfies the guards:
/// it must be completed after the last return to assessment, if there was one.
pub fn assessment_counts(completed_at: Option<DateTime<Utc>>, rounds: &Rounds) -> bool {
    match (completed_at, rounds.reassessment_since) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(completed), Some(since)) => completed > since,
    }
}

/// Whether the client's agreement to the plan version in force, recorded at `agreed_at`, satisfies
/// the guards: it must be recorded after the last plan correction, if there was one.
pub fn plan_agreement_counts(agreed_at: Option<DateTime<Utc>>, rounds: &Rounds) -> bool {
    match (agreed_at, rounds.replanning_since) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(agreed), Some(since)) => agreed > since,
    }
}

/// What a transition changes on the case record beside its stages, as the domain decides it:
/// the cycle, the closure fields, where the rounds began, and when the needs assessment is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFields {
    pub cycle: i32,
    pub closure_reason: Option<crate::lifecycle::ClosureReason>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rounds: Rounds,
    /// When the needs assessment of the cycle is due.
    pub assessment_due_at: Option<chrono::NaiveDateTime>,
}

impl CaseFields {
    /// The record after a transition with `effects`, made at `at`, closing for `closure_reason`
    /// (when it closes): a closure records its reason and time; a reopening starts a new cycle
    /// without them, with both rounds afresh and a new needs assessment due as the case's urgency
    /// class says (counted from the reopening).
    pub fn after(
        self,
        effects: Effects,
        closure_reason: Option<crate::lifecycle::ClosureReason>,
        at: DateTime<Utc>,
        urgency: Option<crate::codes::Urgency>,
        policy: &crate::policy::Policy,
    ) -> CaseFields {
        let mut next = CaseFields {
            rounds: self.rounds.after(effects, at),
            ..self
        };
        if effects.closes {
            next.closure_reason = closure_reason;
            next.closed_at = Some(at);
        }
        if effects.starts_new_cycle {
            next.cycle += 1;
            next.closure_reason = None;
            next.closed_at = None;
            next.assessment_due_at = urgency.map(|u| {
                crate::deadlines::due_at(at.naive_utc(), u, &policy.deadlines, &policy.calendar)
            });
        }
        next
    }
}

/// When the needs assessment is due after the urgency class changed to `urgency`: nothing moves
/// once an assessment of the cycle is completed (`None`); otherwise the deadline is counted from
/// the report's receipt in the first cycle and from the change (`now`) after a reopening.
pub fn assessment_due_after_urgency_change(
    assessment_completed: bool,
    cycle: i32,
    received_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
    urgency: crate::codes::Urgency,
    policy: &crate::policy::Policy,
) -> Option<chrono::NaiveDateTime> {
    if assessment_completed {
        return None;
    }
    let base = if cycle == 1 { received_at } else { now };
    Some(crate::deadlines::due_at(
        base,
        urgency,
        &policy.deadlines,
        &policy.calendar,
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::lifecycle::LifecycleStage;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn returned_at(hour: u32) -> Rounds {
        Rounds::default().after(
            Effects::of(
                MoveKind::StepBack,
                Stage::Model(ModelStage::CaseManagement(CmStage::NeedsAssessment)),
            ),
            at(hour),
        )
    }

    #[test]
    fn evaluation_back_to_needs_assessment_is_a_return_to_assessment() {
        let effects = Effects::of(
            MoveKind::StepBack,
            Stage::Model(ModelStage::CaseManagement(CmStage::NeedsAssessment)),
        );
        assert!(effects.returns_to_assessment);
        assert!(!effects.corrects_plan && !effects.starts_new_cycle && !effects.closes);
    }

    #[test]
    fn individual_stage_11_back_to_4_is_a_return_to_assessment() {
        let effects = Effects::of(
            MoveKind::StepBack,
            Stage::Model(ModelStage::Individual(IndividualStage::Assessment)),
        );
        assert!(effects.returns_to_assessment);
    }

    #[test]
    fn other_steps_back_are_not_returns_to_assessment() {
        for target in [
            ModelStage::Individual(IndividualStage::Intervention),
            ModelStage::Individual(IndividualStage::StrategyExploration),
            ModelStage::CaseManagement(CmStage::ImplementationAndMonitoring),
        ] {
            let effects = Effects::of(MoveKind::StepBack, Stage::Model(target));
            assert!(!effects.returns_to_assessment, "{target:?}");
        }
    }

    #[test]
    fn a_forward_move_into_an_assessment_stage_is_not_a_return() {
        let effects = Effects::of(
            MoveKind::Forward,
            Stage::Model(ModelStage::CaseManagement(CmStage::NeedsAssessment)),
        );
        assert_eq!(effects, Effects::default());
    }

    #[test]
    fn monitoring_back_to_planning_is_a_plan_correction() {
        let effects = Effects::of(
            MoveKind::PlanCorrection,
            Stage::Lifecycle(LifecycleStage::Planning),
        );
        assert!(effects.corrects_plan && !effects.returns_to_assessment);
    }

    #[test]
    fn after_a_return_to_assessment_an_assessment_completed_before_it_does_not_count() {
        assert!(!assessment_counts(Some(at(9)), &returned_at(10)));
    }

    #[test]
    fn after_a_return_to_assessment_an_assessment_completed_after_it_counts() {
        assert!(assessment_counts(Some(at(11)), &returned_at(10)));
    }

    #[test]
    fn without_a_return_any_completed_assessment_of_the_cycle_counts() {
        assert!(assessment_counts(Some(at(1)), &Rounds::default()));
        assert!(!assessment_counts(None, &Rounds::default()));
    }

    #[test]
    fn after_a_plan_correction_only_a_plan_agreed_after_it_counts() {
        let rounds = Rounds::default().after(
            Effects::of(
                MoveKind::PlanCorrection,
                Stage::Lifecycle(LifecycleStage::Planning),
            ),
            at(10),
        );
        assert!(!plan_agreement_counts(Some(at(9)), &rounds));
        assert!(plan_agreement_counts(Some(at(11)), &rounds));
        assert!(!plan_agreement_counts(None, &rounds));
    }

    #[test]
    fn a_plan_correction_leaves_the_assessment_round_alone_and_vice_versa() {
        let rounds = returned_at(8).after(
            Effects::of(
                MoveKind::PlanCorrection,
                Stage::Lifecycle(LifecycleStage::Planning),
            ),
            at(10),
        );
        assert_eq!(rounds.reassessment_since, Some(at(8)));
        assert_eq!(rounds.replanning_since, Some(at(10)));
    }

    #[test]
    fn reopening_starts_both_rounds_afresh_with_the_new_cycle() {
        let rounds = returned_at(8).after(
            Effects::of(
                MoveKind::Reopening,
                Stage::Lifecycle(LifecycleStage::Opened),
            ),
            at(10),
        );
        assert_eq!(rounds, Rounds::default());
    }

    mod changes {
        use super::super::*;
        use crate::codes::Urgency;
        use crate::lifecycle::{ClosureReason, LifecycleStage};
        use crate::policy::Policy;

        fn at(hour: u32) -> DateTime<Utc> {
            use chrono::TimeZone;
            Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
                .single()
                .unwrap_or_default()
        }

        fn open() -> CaseFields {
            CaseFields {
                cycle: 1,
                closure_reason: None,
                closed_at: None,
                rounds: Rounds::default(),
                assessment_due_at: None,
            }
        }

        #[test]
        fn a_closure_records_its_reason_and_time() {
            let closing = Effects::of(MoveKind::Closure, Stage::Lifecycle(LifecycleStage::Closed));
            let closed = open().after(
                closing,
                Some(ClosureReason::MovedAway),
                at(9),
                Some(Urgency::Routine),
                &Policy::default(),
            );
            assert_eq!(closed.closure_reason, Some(ClosureReason::MovedAway));
            assert_eq!(closed.closed_at, Some(at(9)));
            assert_eq!(closed.cycle, 1);
        }

        #[test]
        fn a_reopening_starts_a_new_cycle_with_a_new_assessment_due() {
            let policy = Policy::default();
            let closed = CaseFields {
                closure_reason: Some(ClosureReason::MovedAway),
                closed_at: Some(at(8)),
                ..open()
            };
            let reopening = Effects::of(
                MoveKind::Reopening,
                Stage::Lifecycle(LifecycleStage::Opened),
            );
            let reopened = closed.after(reopening, None, at(10), Some(Urgency::Emergency), &policy);
            assert_eq!(reopened.cycle, 2);
            assert_eq!((reopened.closure_reason, reopened.closed_at), (None, None));
            assert_eq!(
                reopened.assessment_due_at,
                Some(crate::deadlines::due_at(
                    at(10).naive_utc(),
                    Urgency::Emergency,
                    &policy.deadlines,
                    &policy.calendar
                ))
            );
        }

        #[test]
        fn a_changed_urgency_moves_the_assessment_deadline_only_while_none_is_completed() {
            let policy = Policy::default();
            let received = at(1).naive_utc();
            let now = at(5).naive_utc();
            let due = |completed, cycle| {
                assessment_due_after_urgency_change(
                    completed,
                    cycle,
                    received,
                    now,
                    Urgency::Emergency,
                    &policy,
                )
            };
            let from = |base| {
                crate::deadlines::due_at(
                    base,
                    Urgency::Emergency,
                    &policy.deadlines,
                    &policy.calendar,
                )
            };
            assert_eq!(due(true, 1), None);
            assert_eq!(due(false, 1), Some(from(received)));
            assert_eq!(due(false, 2), Some(from(now)));
        }
    }
}
