//! The kinds of event the system records: every change, under a stable name with a schema
//! version. The name is what the history, the audit log and (later) the change feed, reports and
//! webhooks switch on; it never changes once released. When an event's details change shape, its
//! schema version goes up, so that a consumer can read old and new events alike. Stage moves are
//! [`crate::TransitionEvent`]s, recorded under [`EventKind::Transition`].

use crate::code_enum;

code_enum! {
    /// What happened.
    pub enum EventKind {
        /// A report or case moved a stage of the lifecycle or of its work model.
        Transition = "transition",
        ReportRegistered = "report.registered",
        ClientCreated = "client.created",
        ClientUpdated = "client.updated",
        QuestionnaireUpdated = "client.questionnaire.updated",
        CaseUpdated = "case.updated",
        CaseRestricted = "case.restricted",
        CaseUnrestricted = "case.unrestricted",
        TransferRequested = "case.transfer_requested",
        TransferAccepted = "case.transfer_accepted",
        TransferDeclined = "case.transfer_declined",
        TransferCancelled = "case.transfer_cancelled",
        AssessmentDrafted = "assessment.drafted",
        AssessmentUpdated = "assessment.updated",
        AssessmentCompleted = "assessment.completed",
        PlanDrafted = "plan.drafted",
        PlanAgreed = "plan.agreed",
        PlanApproval = "plan.approval",
        PlanSpecialistAgreement = "plan.specialist_agreement",
        PlanActionExecution = "plan_action.execution",
        PlanGoalProgress = "plan_goal.progress",
        AgreementRecorded = "agreement.recorded",
        AgreementTerminated = "agreement.terminated",
        EvaluationRecorded = "evaluation.recorded",
        ClosureReportDrafted = "closure_report.drafted",
        ClosureReportUpdated = "closure_report.updated",
        ClosureReportApproval = "closure_report.approval",
        ContactPlanned = "contact.planned",
        ContactRescheduled = "contact.rescheduled",
        ContactHeld = "contact.held",
        ContactMissed = "contact.missed",
        ContactCancelled = "contact.cancelled",
        ContactAddendumAdded = "contact.addendum_added",
        SuccessStoryRecorded = "success_story.recorded",
        SuccessStoryConsentWithdrawn = "success_story.consent_withdrawn",
        SafetyConcernRaised = "safety_concern.raised",
        SafetyConcernDecided = "safety_concern.decided",
    }
}

impl EventKind {
    /// What a contact's outcome is recorded as.
    pub const fn contact(status: crate::contacts::ContactStatus) -> EventKind {
        use crate::contacts::ContactStatus;
        match status {
            ContactStatus::Planned => EventKind::ContactPlanned,
            ContactStatus::Held => EventKind::ContactHeld,
            ContactStatus::Missed => EventKind::ContactMissed,
            ContactStatus::Cancelled => EventKind::ContactCancelled,
        }
    }

    /// The version of the shape of this kind's details; raised whenever that shape changes.
    pub const fn schema_version(self) -> i32 {
        use EventKind::*;
        match self {
            Transition
            | ReportRegistered
            | ClientCreated
            | ClientUpdated
            | QuestionnaireUpdated
            | CaseUpdated
            | CaseRestricted
            | CaseUnrestricted
            | TransferRequested
            | TransferAccepted
            | TransferDeclined
            | TransferCancelled
            | AssessmentDrafted
            | AssessmentUpdated
            | AssessmentCompleted
            | PlanDrafted
            | PlanAgreed
            | PlanApproval
            | PlanSpecialistAgreement
            | PlanActionExecution
            | PlanGoalProgress
            | AgreementRecorded
            | AgreementTerminated
            | EvaluationRecorded
            | ClosureReportDrafted
            | ClosureReportUpdated
            | ClosureReportApproval
            | ContactPlanned
            | ContactRescheduled
            | ContactHeld
            | ContactMissed
            | ContactCancelled
            | ContactAddendumAdded
            | SuccessStoryRecorded
            | SuccessStoryConsentWithdrawn
            | SafetyConcernRaised
            | SafetyConcernDecided => 1,
        }
    }

    /// The record the event is about, as its name says (`case` for `case.updated`).
    pub fn record_type(self) -> &'static str {
        self.code().split('.').next().unwrap_or("event")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_is_unique_and_names_its_record_and_what_happened() {
        let mut seen = std::collections::HashSet::new();
        for kind in EventKind::ALL {
            assert!(seen.insert(kind.code()), "{kind:?} twice");
            if *kind != EventKind::Transition {
                let (record, what) = kind.code().split_once('.').unwrap_or_default();
                assert!(!record.is_empty() && !what.is_empty(), "{kind:?}");
                assert!(
                    kind.code()
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                    "{kind:?}"
                );
            }
        }
    }

    #[test]
    fn every_event_kind_has_a_schema_version_from_one() {
        for kind in EventKind::ALL {
            assert!(kind.schema_version() >= 1, "{kind:?}");
        }
    }

    #[test]
    fn names_parse_back_to_their_kind() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.code()), Some(*kind));
        }
    }
}
