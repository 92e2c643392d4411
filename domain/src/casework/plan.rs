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

/// An action of a plan version being drafted, as far as its references go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionDraft<'a> {
    /// The stable id of an earlier version's action it carries over.
    pub id: Option<&'a str>,
    /// The goal it serves, by its index in the version's goals…
    pub goal: Option<usize>,
    /// …or by the stable id of a goal carried into this version.
    pub goal_id: Option<&'a str>,
}

/// A plan version being drafted: its period, the stable ids its goals carry over (one entry per
/// goal, `None` for a new goal), and its actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft<'a> {
    pub period_start: chrono::NaiveDate,
    pub period_end: chrono::NaiveDate,
    pub goal_ids: Vec<Option<&'a str>>,
    pub actions: Vec<ActionDraft<'a>>,
}

/// The stable ids of the goals and actions of the case's earlier plan versions.
#[derive(Debug, Clone, Copy)]
pub struct EarlierItems<'a> {
    pub goals: &'a std::collections::HashSet<String>,
    pub actions: &'a std::collections::HashSet<String>,
}

/// The rules of a plan version's draft (seed 002, stage 3: goals and the actions that serve
/// them, carried from version to version by stable ids so that their execution survives): the
/// period ends after it starts; a goal or action carried over is one of the case's earlier
/// versions and appears once; an action serves a goal of this version, named by index or by a
/// carried goal's id, not both.
pub fn check_draft(
    draft: &PlanDraft<'_>,
    earlier: EarlierItems<'_>,
) -> Result<(), crate::error::DomainError> {
    if draft.period_end < draft.period_start {
        return Err(crate::error::DomainError::invalid(
            "period_end",
            "before_start",
            "the period ends before it starts",
        ));
    }
    for (i, a) in draft.actions.iter().enumerate() {
        if a.goal.is_some_and(|g| g >= draft.goal_ids.len()) {
            return Err(crate::error::DomainError::invalid(
                format!("actions[{i}].goal"),
                "unknown_goal",
                "the action names a goal index the plan does not have",
            ));
        }
        if a.goal.is_some() && a.goal_id.is_some() {
            return Err(crate::error::DomainError::invalid(
                format!("actions[{i}].goal_id"),
                "both_goal_and_goal_id",
                "name the goal by index or by id, not both",
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in draft.goal_ids.iter().enumerate() {
        let Some(id) = id else { continue };
        if !earlier.goals.contains(*id) {
            return Err(crate::error::DomainError::invalid(
                format!("goals[{i}].id"),
                "unknown_goal",
                "no goal of an earlier plan version of this case has this id",
            ));
        }
        if !seen.insert(*id) {
            return Err(crate::error::DomainError::invalid(
                format!("goals[{i}].id"),
                "duplicate",
                "a goal appears once per version",
            ));
        }
    }
    for (i, a) in draft.actions.iter().enumerate() {
        let Some(id) = a.id else { continue };
        if !earlier.actions.contains(id) {
            return Err(crate::error::DomainError::invalid(
                format!("actions[{i}].id"),
                "unknown_action",
                "no action of an earlier plan version of this case has this id",
            ));
        }
        if !seen.insert(id) {
            return Err(crate::error::DomainError::invalid(
                format!("actions[{i}].id"),
                "duplicate",
                "an action appears once per version",
            ));
        }
    }
    for (i, a) in draft.actions.iter().enumerate() {
        if let Some(goal_id) = a.goal_id {
            if !draft.goal_ids.contains(&Some(goal_id)) {
                return Err(crate::error::DomainError::invalid(
                    format!("actions[{i}].goal_id"),
                    "unknown_goal",
                    "the action names a goal id this version does not have",
                ));
            }
        }
    }
    Ok(())
}

impl PlanRefusal {
    /// The refusal as a conflict naming the version by its number.
    pub fn for_version(self, version_no: i32) -> crate::error::DomainError {
        crate::error::DomainError::Conflict {
            code: self.code(),
            message: self.message_for_version(version_no),
        }
    }
}

/// The code of the refusal when the unit requires a supervisor's approval before the client's
/// agreement.
pub const SUPERVISOR_PLAN_APPROVAL: &str = "supervisor_plan_approval";

/// Where the unit requires it (issue 3, item 4), the client agrees a plan version only once a
/// supervisor has approved it.
pub fn check_supervisor_approval(
    required: bool,
    approved: bool,
    version_no: i32,
) -> Result<(), crate::error::DomainError> {
    if required && !approved {
        return Err(crate::error::DomainError::Conflict {
            code: SUPERVISOR_PLAN_APPROVAL,
            message: format!(
                "the unit requires a supervisor's approval of plan version {version_no} before the client's agreement"
            ),
        });
    }
    Ok(())
}

/// A service planned in a plan version, as the request gives it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceDraft<'a> {
    pub service: &'a str,
    pub provider: &'a str,
}

/// A planned service names the service and who provides it (a worker or a partner
/// organisation; the kind is a [`ProviderKind`] already).
pub fn check_services(services: &[ServiceDraft<'_>]) -> Result<(), crate::error::DomainError> {
    for (i, s) in services.iter().enumerate() {
        if s.service.trim().is_empty() {
            return Err(crate::error::DomainError::invalid(
                format!("services[{i}].service"),
                "required",
                "name the service",
            ));
        }
        if s.provider.trim().is_empty() {
            return Err(crate::error::DomainError::invalid(
                format!("services[{i}].provider"),
                "required",
                "name the worker or the partner organisation",
            ));
        }
    }
    Ok(())
}

/// The specialists an action names are staff the caller's units know (`known`: the fact, active
/// staff in scope); an unknown id, or one of another district, is at fault by its path.
pub fn check_specialists<'a>(
    actions: impl IntoIterator<Item = &'a [String]>,
    known: impl Fn(&str) -> bool,
) -> Result<(), crate::error::DomainError> {
    for (i, specialists) in actions.into_iter().enumerate() {
        if let Some(j) = specialists.iter().position(|s| !known(s)) {
            return Err(crate::error::DomainError::invalid(
                format!("actions[{i}].specialists[{j}]"),
                "unknown_staff",
                "no active staff member with this id in your units",
            ));
        }
    }
    Ok(())
}

/// A specialist records their own agreement to an action only (`staff_id`, if given, is the
/// caller's), and where the action names its specialists, only they do. The refusal is the
/// action the caller is not permitted.
pub fn check_specialist_agreement(
    me: &str,
    staff_id: Option<&str>,
    named: &[String],
) -> Result<(), crate::Action> {
    if staff_id.is_some_and(|s| s != me) {
        return Err(crate::Action::RecordCaseWork);
    }
    if !named.is_empty() && !named.iter().any(|n| n == me) {
        return Err(crate::Action::RecordCaseWork);
    }
    Ok(())
}

#[cfg(test)]
mod specialist_tests {
    use super::*;

    #[test]
    fn an_action_names_only_known_staff_as_its_specialists() {
        let known = |id: &str| id == "serhii" || id == "oksana";
        let ok = [vec!["serhii".to_owned()], vec![]];
        assert!(check_specialists(ok.iter().map(Vec::as_slice), known).is_ok());
        let unknown = [
            vec!["serhii".to_owned()],
            vec!["oksana".to_owned(), "someone".to_owned()],
        ];
        let refused = check_specialists(unknown.iter().map(Vec::as_slice), known);
        assert!(
            matches!(&refused, Err(crate::error::DomainError::Invalid { field, .. })
                if field == "actions[1].specialists[1]"),
            "{refused:?}"
        );
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

    mod drafts {
        use std::collections::HashSet;

        use super::super::*;

        fn day(d: u32) -> chrono::NaiveDate {
            chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
        }

        fn earlier() -> (HashSet<String>, HashSet<String>) {
            (
                HashSet::from(["goal-1".to_owned()]),
                HashSet::from(["action-1".to_owned()]),
            )
        }

        fn draft<'a>() -> PlanDraft<'a> {
            PlanDraft {
                period_start: day(1),
                period_end: day(31),
                goal_ids: vec![Some("goal-1"), None],
                actions: vec![
                    ActionDraft {
                        id: Some("action-1"),
                        goal_id: Some("goal-1"),
                        goal: None,
                    },
                    ActionDraft {
                        goal: Some(1),
                        ..ActionDraft::default()
                    },
                ],
            }
        }

        fn fault(draft: &PlanDraft<'_>) -> (String, &'static str) {
            let (goals, actions) = earlier();
            match check_draft(
                draft,
                EarlierItems {
                    goals: &goals,
                    actions: &actions,
                },
            ) {
                Err(crate::error::DomainError::Invalid { field, code, .. }) => (field, code),
                other => (format!("{other:?}"), ""),
            }
        }

        #[test]
        fn a_draft_carrying_earlier_goals_and_actions_by_id_is_accepted() {
            assert_eq!(fault(&draft()), ("Ok(())".into(), ""));
        }

        #[test]
        fn a_plan_period_ends_after_it_starts() {
            let mut backwards = draft();
            backwards.period_end = day(1);
            backwards.period_start = day(2);
            assert_eq!(fault(&backwards), ("period_end".into(), "before_start"));
        }

        #[test]
        fn an_action_serves_a_goal_of_this_version_named_once() {
            let mut beyond = draft();
            beyond.actions[1].goal = Some(2);
            assert_eq!(fault(&beyond), ("actions[1].goal".into(), "unknown_goal"));
            let mut both = draft();
            both.actions[1].goal_id = Some("goal-1");
            assert_eq!(
                fault(&both),
                ("actions[1].goal_id".into(), "both_goal_and_goal_id")
            );
            let mut elsewhere = draft();
            elsewhere.goal_ids = vec![None, None];
            assert_eq!(
                fault(&elsewhere),
                ("actions[0].goal_id".into(), "unknown_goal")
            );
        }

        #[test]
        fn only_goals_and_actions_of_earlier_versions_are_carried_over_and_each_once() {
            let mut unknown_goal = draft();
            unknown_goal.goal_ids[1] = Some("goal-9");
            assert_eq!(fault(&unknown_goal), ("goals[1].id".into(), "unknown_goal"));
            let mut twice = draft();
            twice.goal_ids[1] = Some("goal-1");
            assert_eq!(fault(&twice), ("goals[1].id".into(), "duplicate"));
            let mut unknown_action = draft();
            unknown_action.actions[1].id = Some("action-9");
            assert_eq!(
                fault(&unknown_action),
                ("actions[1].id".into(), "unknown_action")
            );
            let mut action_twice = draft();
            action_twice.actions[1].id = Some("action-1");
            assert_eq!(fault(&action_twice), ("actions[1].id".into(), "duplicate"));
        }
    }

    #[test]
    fn a_refused_plan_version_is_named_by_its_number() {
        let e = PlanRefusal::Superseded.for_version(3);
        assert_eq!(e.code(), "plan_superseded");
        assert_eq!(
            e.message(),
            "plan version 3 is superseded; work on the current version"
        );
    }

    #[test]
    fn a_plan_cannot_be_agreed_without_the_supervisors_approval_the_unit_requires() {
        assert_eq!(check_supervisor_approval(false, false, 2), Ok(()));
        assert_eq!(check_supervisor_approval(true, true, 2), Ok(()));
        let refused = check_supervisor_approval(true, false, 2).unwrap_err();
        assert_eq!(refused.code(), SUPERVISOR_PLAN_APPROVAL);
        assert_eq!(
            refused.message(),
            "the unit requires a supervisor's approval of plan version 2 before the client's agreement"
        );
    }

    #[test]
    fn a_planned_service_names_the_service_and_its_provider() {
        let ok = ServiceDraft {
            service: "counselling",
            provider: "olena",
        };
        assert_eq!(check_services(&[ok]), Ok(()));
        let field = |s: ServiceDraft<'static>| match check_services(&[ok, s]) {
            Err(crate::error::DomainError::Invalid { field, code, .. }) => (field, code),
            other => (format!("{other:?}"), ""),
        };
        assert_eq!(
            field(ServiceDraft { service: " ", ..ok }),
            ("services[1].service".into(), "required")
        );
        assert_eq!(
            field(ServiceDraft { provider: "", ..ok }),
            ("services[1].provider".into(), "required")
        );
    }

    #[test]
    fn only_the_specialist_named_by_the_action_records_their_own_agreement() {
        let named = vec!["olena".to_owned()];
        assert_eq!(check_specialist_agreement("olena", None, &named), Ok(()));
        assert_eq!(
            check_specialist_agreement("olena", Some("olena"), &[]),
            Ok(())
        );
        assert_eq!(
            check_specialist_agreement("olena", Some("petro"), &[]),
            Err(crate::Action::RecordCaseWork)
        );
        assert_eq!(
            check_specialist_agreement("petro", None, &named),
            Err(crate::Action::RecordCaseWork)
        );
    }
}
