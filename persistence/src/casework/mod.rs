//! The records of a case the guards look at: assessments, plan versions (goals and actions, the
//! client's agreement), agreements (service agreement, informed consent, contracts, termination)
//! and evaluations. Just enough for the guards now; the casework issue deepens them.
//!
//! Rules kept here: records are added only while the case is active; a completed assessment is
//! immutable (corrections go into a new one); a plan version becomes active only when the
//! client's agreement is recorded, and the version it replaces is kept, marked superseded.
//!
//! Depth (issue 3): an assessment has entries per life domain, conclusions, recommendations and
//! the child's own view; a draft is edited with its version (ETag). Goals and actions keep a
//! stable id across plan versions, and their execution state is stored apart from the versioned
//! wording (keyed by the stable id), so work recorded against an action survives a new version.
//! Specialists taking part in an action record their agreement; a supervisor may approve a
//! version. A version that loads the family with more than the policy's `family_weekly_load`
//! family tasks and planned appointments a week carries a `family_overload` warning.
//!
//! One file per record, mirroring `opora_domain::casework`: [`assessment`], [`plan`] (versions,
//! goals, actions, the specialists' agreement and the supervisor's approval), [`execution`],
//! [`agreement`], [`evaluation`].

pub mod agreement;
pub mod assessment;
pub mod evaluation;
pub mod execution;
pub mod plan;

pub use agreement::{NewAgreement, PlanAgreement};
pub use assessment::{AssessmentChanges, ChildView, DomainEntry, NewAssessment};
pub use evaluation::NewEvaluation;
pub use execution::{ActionExecution, GoalProgress, PlanExecution};
pub use plan::{NewAction, NewGoal, NewPlan, PlanApproval, SpecialistAgreement};

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}
