//! Plan versions (seed 002, stage 3; seed 000: a plan is agreed with the family). Drafting may
//! start while the assessment is still under way, but the client agrees a plan built on a
//! completed assessment of the case's current cycle and round (see [`crate::rounds`]).

use crate::guards::Requirement;

/// The client may agree a plan version only when a completed assessment of the current cycle,
/// made after any return to assessment, is on record.
pub fn may_be_agreed(assessment_completed: bool) -> Result<(), Requirement> {
    if assessment_completed {
        Ok(())
    } else {
        Err(Requirement::CompletedAssessment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_cannot_be_agreed_without_a_completed_assessment() {
        assert_eq!(may_be_agreed(false), Err(Requirement::CompletedAssessment));
    }

    #[test]
    fn a_plan_can_be_agreed_once_an_assessment_is_completed() {
        assert_eq!(may_be_agreed(true), Ok(()));
    }
}
