//! Needs assessments (seed 002, stage 2; seed 001, stages 2 and 4). An assessment is drafted and
//! edited, then completed; a completed assessment is the record the plan rests on and never
//! changes: what turns out wrong is corrected by a re-assessment that names it (seed 002: the
//! situation is re-assessed when it changes).

use crate::code_enum;
use crate::codes::AssessmentKind;
use crate::error::{conflict_from, DomainError};

code_enum! {
    /// Where an assessment stands.
    pub enum AssessmentStatus {
        /// Being written; edited with its version (ETag).
        Draft = "draft",
        /// Done: immutable, counted by the guards.
        Completed = "completed",
    }
}

code_enum! {
    /// What may be done with an assessment.
    pub enum AssessmentCommand {
        /// Change its text, domains, conclusions or the child's view.
        Edit = "edit",
        /// Complete it.
        Complete = "complete",
        /// Correct it by a re-assessment that names it (`corrects`).
        Correct = "correct",
    }
}

code_enum! {
    /// How great the need in a life domain is, lowest first.
    pub enum NeedLevel {
        None = "none",
        Low = "low",
        Moderate = "moderate",
        High = "high",
        Critical = "critical",
    }
}

/// Why an assessment refuses a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentRefusal {
    /// A completed assessment is not edited.
    CompletedIsImmutable,
    /// A completed assessment is not completed again.
    AlreadyCompleted,
    /// A draft is edited, not corrected by a re-assessment.
    DraftIsNotCorrected,
}

impl AssessmentRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            AssessmentRefusal::CompletedIsImmutable => "assessment_completed",
            AssessmentRefusal::AlreadyCompleted => "already_completed",
            AssessmentRefusal::DraftIsNotCorrected => "not_completed",
        }
    }

    pub fn message(self) -> String {
        match self {
            AssessmentRefusal::CompletedIsImmutable => "the assessment is completed and cannot change; record corrections in a re-assessment",
            AssessmentRefusal::AlreadyCompleted => "the assessment is already completed; record corrections in a new one",
            AssessmentRefusal::DraftIsNotCorrected => "a draft is edited, not corrected",
        }
        .to_owned()
    }
}

conflict_from!(AssessmentRefusal);

impl AssessmentRefusal {
    /// The refusal as a fault of the request's field (a re-assessment's `corrects` naming a
    /// draft is a wrong reference, not a state conflict).
    pub fn at_field(self, field: &'static str) -> DomainError {
        DomainError::Invalid {
            field: field.to_owned(),
            code: self.code(),
            message: self.message(),
        }
    }
}

impl AssessmentStatus {
    /// The status after `command`, or why it is refused.
    pub fn next(self, command: AssessmentCommand) -> Result<AssessmentStatus, AssessmentRefusal> {
        use AssessmentCommand::*;
        use AssessmentStatus::*;
        match (self, command) {
            (Draft, Edit) => Ok(Draft),
            (Draft, Complete) => Ok(Completed),
            (Draft, Correct) => Err(AssessmentRefusal::DraftIsNotCorrected),
            (Completed, Edit) => Err(AssessmentRefusal::CompletedIsImmutable),
            (Completed, Complete) => Err(AssessmentRefusal::AlreadyCompleted),
            // The re-assessment is a new record; the corrected one stays as it was.
            (Completed, Correct) => Ok(Completed),
        }
    }

    /// The status a new assessment is recorded with: completed at once, or a draft.
    pub const fn at_creation(complete: bool) -> AssessmentStatus {
        if complete {
            AssessmentStatus::Completed
        } else {
            AssessmentStatus::Draft
        }
    }
}

/// One life domain of an assessment as the request gives it (its need level is a [`NeedLevel`]
/// already).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainDraft<'a> {
    pub domain: &'a str,
}

/// Seed 002, stage 2: each life domain is assessed once.
pub fn check_domains(domains: &[DomainDraft<'_>]) -> Result<(), DomainError> {
    let mut seen = std::collections::HashSet::new();
    for (i, d) in domains.iter().enumerate() {
        if !seen.insert(d.domain) {
            return Err(crate::error::DomainError::invalid(
                format!("domains[{i}].domain"),
                "duplicate",
                "each life domain appears once",
            ));
        }
    }
    Ok(())
}

/// Only a re-assessment corrects an earlier assessment (`corrects`).
pub fn check_corrects(kind: Option<AssessmentKind>, corrects: bool) -> Result<(), DomainError> {
    if corrects && kind != Some(AssessmentKind::ReAssessment) {
        return Err(crate::error::DomainError::invalid(
            "corrects",
            "not_a_re_assessment",
            "only a re-assessment corrects an earlier assessment",
        ));
    }
    Ok(())
}

/// The assessment a re-assessment corrects is one of the case's (`None`: no such assessment of
/// the case) and completed.
pub fn check_corrected(earlier: Option<AssessmentStatus>) -> Result<(), DomainError> {
    let Some(status) = earlier else {
        return Err(crate::error::DomainError::invalid(
            "corrects",
            "unknown_assessment",
            "no such assessment of this case",
        ));
    };
    status
        .next(AssessmentCommand::Correct)
        .map_err(|r| r.at_field("corrects"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use AssessmentCommand::*;
    use AssessmentStatus::*;

    #[test]
    fn the_assessment_machine_allows_exactly_these_moves() {
        let allowed: Vec<_> = AssessmentStatus::ALL
            .iter()
            .flat_map(|s| AssessmentCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Draft, Edit, Draft),
                (Draft, Complete, Completed),
                (Completed, Correct, Completed),
            ]
        );
    }

    #[test]
    fn a_completed_assessment_cannot_change() {
        assert_eq!(
            Completed.next(Edit),
            Err(AssessmentRefusal::CompletedIsImmutable)
        );
        assert_eq!(
            Completed.next(Complete),
            Err(AssessmentRefusal::AlreadyCompleted)
        );
    }

    #[test]
    fn only_a_completed_assessment_is_corrected_by_a_re_assessment() {
        assert_eq!(Completed.next(Correct), Ok(Completed));
        let refused = Draft.next(Correct).unwrap_err().at_field("corrects");
        assert_eq!(
            refused,
            DomainError::Invalid {
                field: "corrects".into(),
                code: "not_completed",
                message: "a draft is edited, not corrected".into(),
            }
        );
    }

    #[test]
    fn a_draft_is_edited_until_it_is_completed() {
        assert_eq!(Draft.next(Edit), Ok(Draft));
        assert_eq!(Draft.next(Complete), Ok(Completed));
        assert_eq!(AssessmentStatus::at_creation(false), Draft);
        assert_eq!(AssessmentStatus::at_creation(true), Completed);
    }

    #[test]
    fn an_assessment_refusal_is_a_conflict_naming_its_code() {
        let e = DomainError::from(AssessmentRefusal::CompletedIsImmutable);
        assert_eq!(e.code(), "assessment_completed");
        assert!(matches!(e, DomainError::Conflict { .. }));
    }

    #[test]
    fn need_levels_run_from_none_to_critical() {
        let codes: Vec<_> = NeedLevel::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["none", "low", "moderate", "high", "critical"]);
        assert!(NeedLevel::Low < NeedLevel::Critical);
        assert_eq!(NeedLevel::parse("severe"), None);
    }

    fn field_and_code(result: Result<(), DomainError>) -> Option<(String, &'static str)> {
        match result {
            Err(DomainError::Invalid { field, code, .. }) => Some((field, code)),
            _ => None,
        }
    }

    #[test]
    fn each_life_domain_is_assessed_once() {
        let d = |domain| DomainDraft { domain };
        assert_eq!(check_domains(&[d("health"), d("housing")]), Ok(()));
        assert_eq!(
            field_and_code(check_domains(&[d("health"), d("health")])),
            Some(("domains[1].domain".into(), "duplicate"))
        );
    }

    #[test]
    fn only_a_re_assessment_corrects_an_earlier_assessment() {
        assert_eq!(
            check_corrects(Some(AssessmentKind::ReAssessment), true),
            Ok(())
        );
        assert_eq!(check_corrects(None, false), Ok(()));
        for kind in AssessmentKind::ALL
            .iter()
            .filter(|k| **k != AssessmentKind::ReAssessment)
        {
            assert_eq!(
                field_and_code(check_corrects(Some(*kind), true)),
                Some(("corrects".into(), "not_a_re_assessment")),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn a_re_assessment_corrects_a_completed_assessment_of_the_case() {
        assert_eq!(check_corrected(Some(Completed)), Ok(()));
        assert_eq!(
            field_and_code(check_corrected(None)),
            Some(("corrects".into(), "unknown_assessment"))
        );
        assert_eq!(
            field_and_code(check_corrected(Some(Draft))),
            Some(("corrects".into(), "not_completed"))
        );
    }
}
