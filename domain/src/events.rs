//! The kinds of event the system records: every change, under a stable name with a schema
//! version. The name is what the history, the audit log and (later) the change feed, reports and
//! webhooks switch on; it never changes once released. When an event's details change shape, its
//! schema version goes up, so that a consumer can read old and new events alike. Stage moves are
//! [`crate::TransitionEvent`]s, recorded under [`EventKind::Transition`].

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::casework::plan::ApprovalDecision;
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
            // 2: the names of the sections that changed, never their content (an event is read
            // by auditors, who do not read the family's questionnaire).
            QuestionnaireUpdated => 2,
        }
    }

    /// The record the event is about, as its name says (`case` for `case.updated`).
    pub fn record_type(self) -> &'static str {
        self.code().split('.').next().unwrap_or("event")
    }
}

/// Every change the system records other than a stage move, with its details typed: the kind and
/// the shape of the details cannot disagree, and a new detail is a compile error at every site
/// that records it. Details name records and codes, never free text (that stays in the record,
/// where access rules hold) except where the event's subject is the family's own data
/// (`client.*`). Persistence serialises the details once (`serde`, field names as written here).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DomainEvent {
    ReportRegistered {
        source: String,
        urgency: String,
        stage: String,
    },
    ClientCreated {
        after: ClientSnapshot,
    },
    ClientUpdated {
        before: ClientSnapshot,
        after: ClientSnapshot,
    },
    QuestionnaireUpdated {
        before_version: i64,
        version: i64,
        changed_sections: Vec<String>,
    },
    CaseUpdated {
        before: CaseAssignment,
        after: CaseAssignment,
    },
    CaseRestricted {
        named_staff: Vec<String>,
    },
    CaseUnrestricted {
        named_staff: Vec<String>,
    },
    TransferRequested(TransferRef),
    TransferAccepted {
        #[serde(flatten)]
        transfer: TransferRef,
        before: KeyWorker,
        after: KeyWorker,
        version: i64,
    },
    TransferDeclined(TransferRef),
    TransferCancelled(TransferRef),
    AssessmentDrafted(AssessmentSaved),
    AssessmentUpdated {
        assessment_id: String,
        version: i64,
        changed: Vec<String>,
    },
    /// Completed as it was saved (`saved`) or by the completion of a draft (`None`).
    AssessmentCompleted {
        #[serde(flatten)]
        saved: AssessmentCompletion,
    },
    PlanDrafted {
        plan_id: String,
        version: i32,
        goals: usize,
        actions: usize,
        carried_over: usize,
        warnings: Vec<String>,
    },
    PlanAgreed {
        plan_id: String,
        version: i32,
        agreed_by: Option<String>,
        method: Option<String>,
    },
    PlanApproval {
        plan_id: String,
        version: i32,
        decision: ApprovalDecision,
    },
    PlanSpecialistAgreement {
        plan_id: String,
        version: i32,
        action_id: String,
        agreed: bool,
    },
    PlanActionExecution {
        action_id: String,
        status: String,
        done_on: Option<NaiveDate>,
    },
    PlanGoalProgress {
        goal_id: String,
        status: String,
        progress: i32,
    },
    AgreementRecorded {
        agreement_id: String,
        kind: String,
        form: String,
        signed_on: NaiveDate,
    },
    AgreementTerminated {
        agreement_id: String,
        kind: String,
        ended_by: String,
        reason_code: Option<String>,
        terminated_on: NaiveDate,
    },
    EvaluationRecorded {
        evaluation_id: String,
        kind: String,
        outcome: String,
    },
    ClosureReportDrafted(ClosureReportSummary),
    ClosureReportUpdated(ClosureReportSummary),
    ClosureReportApproval {
        report_id: String,
        version: i64,
        approved: bool,
    },
    /// A contact planned or its outcome recorded: recorded under its status.
    Contact(ContactSummary),
    ContactRescheduled {
        #[serde(flatten)]
        contact: ContactSummary,
        before: ContactSchedule,
    },
    ContactAddendumAdded {
        contact_id: String,
        addendum_id: String,
    },
    SuccessStoryRecorded {
        story_id: String,
        consent_scope: Option<String>,
        consent_given_on: Option<NaiveDate>,
        shareable: bool,
    },
    SuccessStoryConsentWithdrawn {
        story_id: String,
        withdrawn_on: Option<NaiveDate>,
        shareable: bool,
    },
    SafetyConcernRaised {
        concern_id: String,
        /// UTC, RFC 3339.
        decision_due_at: String,
    },
    SafetyConcernDecided {
        concern_id: String,
        decision: Option<String>,
        late: bool,
    },
}

impl DomainEvent {
    /// The kind the event is recorded under.
    pub fn kind(&self) -> EventKind {
        use DomainEvent as E;
        match self {
            E::ReportRegistered { .. } => EventKind::ReportRegistered,
            E::ClientCreated { .. } => EventKind::ClientCreated,
            E::ClientUpdated { .. } => EventKind::ClientUpdated,
            E::QuestionnaireUpdated { .. } => EventKind::QuestionnaireUpdated,
            E::CaseUpdated { .. } => EventKind::CaseUpdated,
            E::CaseRestricted { .. } => EventKind::CaseRestricted,
            E::CaseUnrestricted { .. } => EventKind::CaseUnrestricted,
            E::TransferRequested(_) => EventKind::TransferRequested,
            E::TransferAccepted { .. } => EventKind::TransferAccepted,
            E::TransferDeclined(_) => EventKind::TransferDeclined,
            E::TransferCancelled(_) => EventKind::TransferCancelled,
            E::AssessmentDrafted(_) => EventKind::AssessmentDrafted,
            E::AssessmentUpdated { .. } => EventKind::AssessmentUpdated,
            E::AssessmentCompleted { .. } => EventKind::AssessmentCompleted,
            E::PlanDrafted { .. } => EventKind::PlanDrafted,
            E::PlanAgreed { .. } => EventKind::PlanAgreed,
            E::PlanApproval { .. } => EventKind::PlanApproval,
            E::PlanSpecialistAgreement { .. } => EventKind::PlanSpecialistAgreement,
            E::PlanActionExecution { .. } => EventKind::PlanActionExecution,
            E::PlanGoalProgress { .. } => EventKind::PlanGoalProgress,
            E::AgreementRecorded { .. } => EventKind::AgreementRecorded,
            E::AgreementTerminated { .. } => EventKind::AgreementTerminated,
            E::EvaluationRecorded { .. } => EventKind::EvaluationRecorded,
            E::ClosureReportDrafted(_) => EventKind::ClosureReportDrafted,
            E::ClosureReportUpdated(_) => EventKind::ClosureReportUpdated,
            E::ClosureReportApproval { .. } => EventKind::ClosureReportApproval,
            E::Contact(contact) => EventKind::contact(contact.status),
            E::ContactRescheduled { .. } => EventKind::ContactRescheduled,
            E::ContactAddendumAdded { .. } => EventKind::ContactAddendumAdded,
            E::SuccessStoryRecorded { .. } => EventKind::SuccessStoryRecorded,
            E::SuccessStoryConsentWithdrawn { .. } => EventKind::SuccessStoryConsentWithdrawn,
            E::SafetyConcernRaised { .. } => EventKind::SafetyConcernRaised,
            E::SafetyConcernDecided { .. } => EventKind::SafetyConcernDecided,
        }
    }
}

/// The family's register data as an event records it: what changed, for the auditor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSnapshot {
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: Option<String>,
    pub members: Vec<MemberSnapshot>,
    pub categories: Vec<String>,
    pub phones: Vec<PhoneSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberSnapshot {
    pub full_name: String,
    pub relation: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub is_child: bool,
    pub school_name: Option<String>,
    pub school_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneSnapshot {
    pub number: String,
    pub kind: String,
    pub note: Option<String>,
}

/// Who leads a case and how urgent it is: what a case update changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseAssignment {
    pub urgency: String,
    pub key_worker_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyWorker {
    pub key_worker_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferRef {
    pub transfer_id: String,
    pub from_staff_id: String,
    pub to_staff_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentSaved {
    pub assessment_id: String,
    pub kind: String,
    pub cycle: i32,
    pub domains: usize,
    pub corrects: Option<String>,
    pub child_view: bool,
}

/// How an assessment came to be completed: saved complete, or a draft completed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AssessmentCompletion {
    Saved(AssessmentSaved),
    Draft { assessment_id: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosureReportSummary {
    pub closure_report_id: String,
    pub cycle: i32,
    pub version: i64,
    pub closure_reason: String,
    pub goals_evaluated: usize,
    pub complete: bool,
}

/// What an event says about a contact: no free text (that stays in the record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactSummary {
    pub contact_id: String,
    #[serde(rename = "type")]
    pub contact_type: String,
    pub status: crate::contacts::ContactStatus,
    pub scheduled_at: Option<NaiveDateTime>,
    pub occurred_at: Option<NaiveDateTime>,
    pub child_seen: Option<bool>,
    pub child_heard: Option<bool>,
    pub participants: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactSchedule {
    #[serde(rename = "type")]
    pub contact_type: String,
    pub scheduled_at: Option<NaiveDateTime>,
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

    fn transfer() -> TransferRef {
        TransferRef {
            transfer_id: "t1".into(),
            from_staff_id: "olena".into(),
            to_staff_id: "petro".into(),
        }
    }

    fn contact(status: crate::contacts::ContactStatus) -> ContactSummary {
        ContactSummary {
            contact_id: "c1".into(),
            contact_type: "home_visit".into(),
            status,
            scheduled_at: None,
            occurred_at: None,
            child_seen: Some(true),
            child_heard: None,
            participants: 2,
        }
    }

    #[test]
    fn a_contact_event_is_recorded_under_the_contacts_status() {
        use crate::contacts::ContactStatus;
        for status in ContactStatus::ALL {
            assert_eq!(
                DomainEvent::Contact(contact(*status)).kind(),
                EventKind::contact(*status)
            );
        }
        let moved = DomainEvent::ContactRescheduled {
            contact: contact(ContactStatus::Planned),
            before: ContactSchedule {
                contact_type: "office".into(),
                scheduled_at: None,
            },
        };
        assert_eq!(moved.kind(), EventKind::ContactRescheduled);
    }

    #[test]
    fn details_are_a_flat_object_of_the_variants_fields() {
        let accepted = DomainEvent::TransferAccepted {
            transfer: transfer(),
            before: KeyWorker {
                key_worker_id: "olena".into(),
            },
            after: KeyWorker {
                key_worker_id: "petro".into(),
            },
            version: 4,
        };
        assert_eq!(
            serde_json::to_value(&accepted).ok(),
            Some(serde_json::json!({
                "transfer_id": "t1", "from_staff_id": "olena", "to_staff_id": "petro",
                "before": {"key_worker_id": "olena"}, "after": {"key_worker_id": "petro"},
                "version": 4,
            }))
        );
        let held = DomainEvent::Contact(contact(crate::contacts::ContactStatus::Held));
        let details = serde_json::to_value(&held).unwrap_or_default();
        assert_eq!(details["type"], "home_visit");
        assert_eq!(details["status"], "held");
        let completed = DomainEvent::AssessmentCompleted {
            saved: AssessmentCompletion::Draft {
                assessment_id: "a1".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&completed).ok(),
            Some(serde_json::json!({"assessment_id": "a1"}))
        );
    }

    #[test]
    fn a_questionnaire_event_names_the_changed_sections_and_holds_no_answers() {
        let event = DomainEvent::QuestionnaireUpdated {
            before_version: 1,
            version: 2,
            changed_sections: vec!["housing".into()],
        };
        assert_eq!(event.kind().schema_version(), 2);
        assert_eq!(
            serde_json::to_value(&event).ok(),
            Some(
                serde_json::json!({"before_version": 1, "version": 2, "changed_sections": ["housing"]})
            )
        );
    }

    #[test]
    fn names_parse_back_to_their_kind() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.code()), Some(*kind));
        }
    }
}
