//! Plan versions (seed 002, stage 3; seed 000: a plan is agreed with the family). Drafting may
//! start while the assessment is still under way, but the client agrees a plan built on a
//! completed assessment of the case's current cycle and round (see [`crate::rounds`]).
//!
//! A version is drafted, becomes active when the client agrees it, and is superseded (kept,
//! readable) when a later version is agreed: one active version per case, and a superseded
//! version never becomes active again. Specialists and supervisors review the current versions
//! (draft or active) only. The code lists of a version's goals, actions and services live here
//! too.

use crate::code_enum;
use crate::error::conflict_from;
use crate::guards::Requirement;

code_enum! {
    /// Where a plan version stands.
    pub enum PlanStatus {
        /// Being drafted; awaits the client's agreement.
        Draft = "draft",
        /// Agreed by the client: the plan in force (one per case).
        Active = "active",
        /// Replaced by a later agreed version; kept readable, never active again.
        Superseded = "superseded",
    }
}

code_enum! {
    /// What may happen to a plan version.
    pub enum PlanCommand {
        /// The client agrees the version.
        Agree = "agree",
        /// A later version was agreed: the one in force steps down.
        Supersede = "supersede",
        /// A specialist records their agreement to an action, or a supervisor approves or
        /// comments.
        Review = "review",
    }
}

/// Why a plan version refuses a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRefusal {
    /// Only a draft is agreed.
    NotADraft(PlanStatus),
    /// Only the active version is superseded.
    NotActive(PlanStatus),
    /// A superseded version takes no more reviews.
    Superseded,
}

impl PlanRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            PlanRefusal::NotADraft(_) => "plan_not_draft",
            PlanRefusal::NotActive(_) => "plan_not_active",
            PlanRefusal::Superseded => "plan_superseded",
        }
    }

    /// What is wrong, about "the plan version".
    pub fn message(self) -> String {
        format!("the plan version {}", self.predicate())
    }

    /// What is wrong, naming the version by its number.
    pub fn message_for_version(self, version_no: i32) -> String {
        format!("plan version {version_no} {}", self.predicate())
    }

    fn predicate(self) -> String {
        match self {
            PlanRefusal::NotADraft(status) => {
                format!("is {status}; only a draft can be agreed")
            }
            PlanRefusal::NotActive(status) => {
                format!("is {status}; only the active version is superseded")
            }
            PlanRefusal::Superseded => "is superseded; work on the current version".to_owned(),
        }
    }
}

conflict_from!(PlanRefusal);

impl PlanStatus {
    /// The status after `command`, or why it is refused.
    pub fn next(self, command: PlanCommand) -> Result<PlanStatus, PlanRefusal> {
        use PlanCommand::*;
        use PlanStatus::*;
        match (self, command) {
            (Draft, Agree) => Ok(Active),
            (Active | Superseded, Agree) => Err(PlanRefusal::NotADraft(self)),
            (Active, Supersede) => Ok(Superseded),
            (Draft | Superseded, Supersede) => Err(PlanRefusal::NotActive(self)),
            (Draft, Review) => Ok(Draft),
            (Active, Review) => Ok(Active),
            (Superseded, Review) => Err(PlanRefusal::Superseded),
        }
    }
}

code_enum! {
    /// Who carries out an action of the plan.
    pub enum ResponsibleKind {
        Worker = "worker",
        FamilyMember = "family_member",
        PartnerOrganisation = "partner_organisation",
    }
}

code_enum! {
    /// Who provides a planned service.
    pub enum ProviderKind {
        Worker = "worker",
        PartnerOrganisation = "partner_organisation",
    }
}

code_enum! {
    /// A goal's term.
    pub enum GoalTerm {
        Short = "short",
        Long = "long",
    }
}

code_enum! {
    /// A goal's priority: 1 (highest) to 5, or a word.
    pub enum GoalPriority {
        P1 = "1",
        P2 = "2",
        P3 = "3",
        P4 = "4",
        P5 = "5",
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

code_enum! {
    /// A supervisor's decision on a plan version: approved, or a comment only. Where the unit
    /// requires approval, only `approved` lets the client's agreement be recorded.
    pub enum ApprovalDecision {
        Approved = "approved",
        Commented = "commented",
    }
}

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
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_plan_version_machine_allows_exactly_these_moves() {
        use PlanCommand::*;
        use PlanStatus::*;
        let allowed: Vec<_> = PlanStatus::ALL
            .iter()
            .flat_map(|s| PlanCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Draft, Agree, Active),
                (Draft, Review, Draft),
                (Active, Supersede, Superseded),
                (Active, Review, Active),
            ]
        );
    }

    #[test]
    fn only_a_draft_plan_version_is_agreed() {
        use PlanStatus::*;
        assert_eq!(Draft.next(PlanCommand::Agree), Ok(Active));
        let refused = Active.next(PlanCommand::Agree).unwrap_err();
        assert_eq!(refused, PlanRefusal::NotADraft(Active));
        assert_eq!(
            refused.message_for_version(2),
            "plan version 2 is active; only a draft can be agreed"
        );
    }

    #[test]
    fn a_superseded_plan_version_is_never_active_again() {
        use PlanStatus::*;
        for command in PlanCommand::ALL {
            assert_ne!(Superseded.next(*command), Ok(Active), "{command}");
            assert!(Superseded.next(*command).is_err(), "{command}");
        }
    }

    #[test]
    fn only_the_active_plan_version_is_superseded() {
        use PlanStatus::*;
        assert_eq!(Active.next(PlanCommand::Supersede), Ok(Superseded));
        assert_eq!(
            Draft.next(PlanCommand::Supersede),
            Err(PlanRefusal::NotActive(Draft))
        );
    }

    #[test]
    fn a_superseded_plan_version_takes_no_more_reviews() {
        let refused = PlanStatus::Superseded
            .next(PlanCommand::Review)
            .unwrap_err();
        assert_eq!(refused.code(), "plan_superseded");
        assert_eq!(
            refused.message_for_version(1),
            "plan version 1 is superseded; work on the current version"
        );
        assert_eq!(
            crate::DomainError::from(refused).message(),
            "the plan version is superseded; work on the current version"
        );
    }

    #[test]
    fn the_plan_code_lists_keep_their_codes() {
        let codes = |all: Vec<&'static str>| all.join(",");
        assert_eq!(
            codes(ResponsibleKind::ALL.iter().map(|k| k.code()).collect()),
            "worker,family_member,partner_organisation"
        );
        assert_eq!(
            codes(ProviderKind::ALL.iter().map(|k| k.code()).collect()),
            "worker,partner_organisation"
        );
        assert_eq!(
            codes(GoalTerm::ALL.iter().map(|k| k.code()).collect()),
            "short,long"
        );
        assert_eq!(
            codes(GoalPriority::ALL.iter().map(|k| k.code()).collect()),
            "1,2,3,4,5,low,medium,high"
        );
        assert_eq!(
            codes(ApprovalDecision::ALL.iter().map(|k| k.code()).collect()),
            "approved,commented"
        );
    }

    #[test]
    fn a_plan_cannot_be_agreed_without_a_completed_assessment() {
        assert_eq!(may_be_agreed(false), Err(Requirement::CompletedAssessment));
    }

    #[test]
    fn a_plan_can_be_agreed_once_an_assessment_is_completed() {
        assert_eq!(may_be_agreed(true), Ok(()));
    }
}
