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
}
