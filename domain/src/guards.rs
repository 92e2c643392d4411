//! What the guards look at, and the requirements a refused transition names.
//!
//! The facts are gathered by the storage layer from the case's records of its current cycle (a
//! reopened case needs a new assessment and plan); the domain only judges them.

use crate::lifecycle::LifecycleStage;
use crate::work_model::ModelStage;

/// What is on record for a case (or a report about to become one), as the guards need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub key_worker_assigned: bool,
    pub client_identified: bool,
    pub assessment_completed: bool,
    pub plan_agreed_by_client: bool,
    pub service_agreement_signed: bool,
    pub informed_consent_recorded: bool,
    pub preliminary_contract_recorded: bool,
    pub concluded_contract_recorded: bool,
    pub termination_agreed_by_both: bool,
    pub final_evaluation_recorded: bool,
    /// The case's unit (or the nearest one up the tree with settings) requires a supervisor's
    /// approval of the closure report before the case closes.
    pub closure_approval_required: bool,
    /// A supervisor approved the current cycle's closure report (as it stands now).
    pub closure_approved: bool,
    /// For attaching a report: the case it would join, if one was named.
    pub attach_target: Option<AttachTarget>,
    /// The closure report of the current cycle and the open child-safety concerns.
    pub closure: crate::closure::ClosureFacts,
}

impl CaseFacts {
    /// Every fact true: what a case that did everything right has on record.
    pub fn complete() -> Self {
        CaseFacts {
            key_worker_assigned: true,
            client_identified: true,
            assessment_completed: true,
            plan_agreed_by_client: true,
            service_agreement_signed: true,
            informed_consent_recorded: true,
            preliminary_contract_recorded: true,
            concluded_contract_recorded: true,
            termination_agreed_by_both: true,
            final_evaluation_recorded: true,
            closure_approval_required: false,
            closure_approved: true,
            attach_target: Some(AttachTarget {
                same_client: true,
                case_open: true,
            }),
            // A closure report whose reason needs neither the final stage nor a notice period.
            closure: crate::closure::ClosureFacts::reported(
                crate::lifecycle::ClosureReason::LostContact,
                chrono::NaiveDate::MIN,
            ),
        }
    }
}

/// The case a report would be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachTarget {
    pub same_client: bool,
    pub case_open: bool,
}

/// One unmet condition of a refused transition, named so the caller knows what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    KeyWorkerAssigned,
    ClientIdentified,
    WorkModelChosen,
    CompletedAssessment,
    PlanAgreedByClient,
    ServiceAgreementSigned,
    InformedConsentRecorded,
    PreliminaryContractRecorded,
    ConcludedContractRecorded,
    TerminationAgreedByBoth,
    WorkModelAtFinalStage,
    FinalEvaluationRecorded,
    /// The unit requires a supervisor's approval of the closure report before closing.
    ClosureApproved,
    /// Model stages move only while the case is opened, in planning, implementation or monitoring.
    CaseActive,
    /// Only a supervisor may reopen a closed case.
    SupervisorDecision,
    /// A step back, a plan correction or a reopening must say why.
    Reason,
    ClosureReason,
    RejectionReason,
    /// A report joins only an open case of the same client.
    OpenCaseOfSameClient,
    /// The lifecycle move needs the work model at one of these stages first.
    WorkModelStageIn {
        lifecycle: LifecycleStage,
        allowed: Vec<ModelStage>,
    },
    /// Every closure has a closure report of the current cycle (seed 000's closing procedure).
    ClosureReport,
    /// The closure report states another reason than the closure.
    ClosureReportWithReason {
        reason: crate::lifecycle::ClosureReason,
    },
    /// The closure report records when and how the family was told, or why it could not be.
    FamilyToldOfClosure,
    /// Services do not stop while a child-safety concern awaits its decision (art. 24).
    NoOpenSafetyConcern,
    /// Closing for non-compliance takes effect 15 days after written notice (art. 24(5)).
    WrittenNoticePeriod {
        effective_from: Option<chrono::NaiveDate>,
    },
    /// The model move needs the case at one of these lifecycle stages first.
    LifecycleStageIn {
        model_stage: ModelStage,
        allowed: Vec<LifecycleStage>,
    },
}

impl Requirement {
    /// A stable code for clients to switch on.
    pub fn code(&self) -> &'static str {
        use Requirement::*;
        match self {
            KeyWorkerAssigned => "key_worker_assigned",
            ClientIdentified => "client_identified",
            WorkModelChosen => "work_model_chosen",
            CompletedAssessment => "completed_assessment",
            PlanAgreedByClient => "plan_agreed_by_client",
            ServiceAgreementSigned => "service_agreement_signed",
            InformedConsentRecorded => "informed_consent_recorded",
            PreliminaryContractRecorded => "preliminary_contract_recorded",
            ConcludedContractRecorded => "concluded_contract_recorded",
            TerminationAgreedByBoth => "termination_agreed_by_both",
            WorkModelAtFinalStage => "work_model_at_final_stage",
            FinalEvaluationRecorded => "final_evaluation_recorded",
            ClosureApproved => "closure_approved",
            CaseActive => "case_active",
            SupervisorDecision => "supervisor_decision",
            Reason => "reason",
            ClosureReason => "closure_reason",
            RejectionReason => "rejection_reason",
            OpenCaseOfSameClient => "open_case_of_same_client",
            ClosureReport => "closure_report",
            ClosureReportWithReason { .. } => "closure_report_with_reason",
            FamilyToldOfClosure => "family_told_of_closure",
            NoOpenSafetyConcern => "no_open_safety_concern",
            WrittenNoticePeriod { .. } => "written_notice_period",
            WorkModelStageIn { .. } => "work_model_stage",
            LifecycleStageIn { .. } => "lifecycle_stage",
        }
    }

    /// What is missing, in words a case manager understands.
    pub fn message(&self) -> String {
        use Requirement::*;
        let join = |codes: Vec<&str>| codes.join(", ");
        match self {
            KeyWorkerAssigned => "no key worker is assigned".into(),
            ClientIdentified => "the client is not identified".into(),
            WorkModelChosen => "a work model (case_management or individual) must be chosen".into(),
            CompletedAssessment => {
                "no assessment completed in this cycle of the case (after its last return to assessment)"
                    .into()
            }
            PlanAgreedByClient => {
                "no plan version agreed by the client in this cycle (after its last plan correction)"
                    .into()
            }
            ServiceAgreementSigned => "no signed service agreement".into(),
            InformedConsentRecorded => "no informed consent on record".into(),
            PreliminaryContractRecorded => "no preliminary (oral) contract recorded".into(),
            ConcludedContractRecorded => "no concluded contract recorded".into(),
            TerminationAgreedByBoth => "termination is not agreed by both sides".into(),
            WorkModelAtFinalStage => "the work model has not reached its final stage".into(),
            FinalEvaluationRecorded => "no final evaluation recorded".into(),
            ClosureApproved => "the closure report is not approved by a supervisor".into(),
            CaseActive => "the case is not active".into(),
            SupervisorDecision => "only a supervisor may reopen a closed case".into(),
            Reason => "a reason is required".into(),
            ClosureReason => "a closure reason from the closed list is required".into(),
            RejectionReason => "a rejection reason from the closed list is required".into(),
            OpenCaseOfSameClient => {
                "the report may join only an open case of the same client".into()
            }
            ClosureReport => "no closure report for this cycle of the case: write it first".into(),
            ClosureReportWithReason { reason } => format!(
                "the closure report states another reason than {}: correct one of them",
                reason.code()
            ),
            FamilyToldOfClosure => "the closure report does not record when and how the family was told, or why it could not be".into(),
            NoOpenSafetyConcern => "a child-safety concern awaits its decision: services do not stop while a child may be at risk".into(),
            WrittenNoticePeriod { effective_from: Some(from) } => format!(
                "closing for non-compliance takes effect 15 days after the written notice: not before {from}"
            ),
            WrittenNoticePeriod { effective_from: None } => "closing for non-compliance needs the client told in writing (letter or written notice) 15 days before".into(),
            WorkModelStageIn { lifecycle, allowed } => format!(
                "the work model must first be at one of [{}] for the case to be in {}",
                join(allowed.iter().map(|s| s.code()).collect()),
                lifecycle.code()
            ),
            LifecycleStageIn {
                model_stage,
                allowed,
            } => format!(
                "work-model stage {} may stand only while the case is in [{}]",
                model_stage.code(),
                join(allowed.iter().map(|s| s.code()).collect())
            ),
        }
    }
}
