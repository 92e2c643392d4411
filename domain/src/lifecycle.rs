//! The agency's 8-stage case lifecycle (seed 001, "Технология включает…"), as one machine.
//!
//! Stages 1–3 (intake, verification, need recognition) belong to the intake report; stage 4 opens
//! a case, which goes on through planning → implementation → monitoring → closed. Two terminal
//! outcomes end a report without a case of its own: `rejected` (need not recognised, information
//! not confirmed, …) and `attached` (the report joins an already open case of the same client).
//! Seed 000 lets evaluation lead to a new plan, hence monitoring → planning; our design adds early
//! closure from any active stage with a reason from a closed list, and reopening by a supervisor.

use crate::code_enum;

code_enum! {
    /// Where a report or a case stands in the agency's lifecycle.
    pub enum LifecycleStage {
        /// 1. A report or appeal is registered and pre-assessed for urgency.
        Intake = "intake",
        /// 2. The facts are being checked.
        Verification = "verification",
        /// 3. Deciding whether the client needs help.
        NeedRecognition = "need_recognition",
        /// The report ended without a case (terminal).
        Rejected = "rejected",
        /// The report joined an already open case of the same client (terminal).
        Attached = "attached",
        /// 4. The case is registered and a key worker assigned.
        Opened = "opened",
        /// 5. The plan is developed with the family and approved.
        Planning = "planning",
        /// 6. The plan is carried out; the key worker coordinates services.
        Implementation = "implementation",
        /// 7. Are goals met, must the plan be corrected, must work continue?
        Monitoring = "monitoring",
        /// 8. The case is closed (terminal except by reopening).
        Closed = "closed",
    }
}

code_enum! {
    /// What kind of move an allowed pair of stages is, in either machine; it decides which inputs
    /// the move needs.
    pub enum MoveKind {
        /// The next stage of the forward path.
        Forward = "forward",
        /// A work-model stage back (a reason is required).
        StepBack = "step_back",
        /// Stage 3 → 4: a case is opened from the report.
        Opening = "opening",
        /// A report ends at stages 1–3 without a case (a rejection reason is required).
        Rejection = "rejection",
        /// A report joins an already open case of the same client.
        Attachment = "attachment",
        /// Monitoring → planning: the plan is corrected (a reason is required).
        PlanCorrection = "plan_correction",
        /// Any active stage → closed (a closure reason from the closed list is required).
        Closure = "closure",
        /// Closed → opened, by a supervisor with a reason.
        Reopening = "reopening",
    }
}

impl MoveKind {
    /// Whether the move must say why in free text.
    pub const fn needs_reason(self) -> bool {
        matches!(
            self,
            MoveKind::StepBack | MoveKind::PlanCorrection | MoveKind::Reopening
        )
    }
}

impl LifecycleStage {
    /// The stage number of the 8-stage technology; report outcomes have none.
    pub const fn number(self) -> Option<u8> {
        use LifecycleStage::*;
        match self {
            Intake => Some(1),
            Verification => Some(2),
            NeedRecognition => Some(3),
            Opened => Some(4),
            Planning => Some(5),
            Implementation => Some(6),
            Monitoring => Some(7),
            Closed => Some(8),
            Rejected | Attached => None,
        }
    }

    /// Stages held by an intake report (before any case exists), outcomes included.
    pub const fn is_report_stage(self) -> bool {
        use LifecycleStage::*;
        match self {
            Intake | Verification | NeedRecognition | Rejected | Attached => true,
            Opened | Planning | Implementation | Monitoring | Closed => false,
        }
    }

    /// An open case on which work goes on (model stages move only here).
    pub const fn is_active_case(self) -> bool {
        use LifecycleStage::*;
        match self {
            Opened | Planning | Implementation | Monitoring => true,
            Intake | Verification | NeedRecognition | Rejected | Attached | Closed => false,
        }
    }

    /// The kind of move from `self` to `to`, or `None` when the pair is not a transition.
    pub fn move_to(self, to: LifecycleStage) -> Option<MoveKind> {
        use LifecycleStage::*;
        use MoveKind as M;
        match self {
            Intake => match to {
                Verification => Some(M::Forward),
                Rejected => Some(M::Rejection),
                Attached => Some(M::Attachment),
                Intake | NeedRecognition | Opened | Planning | Implementation | Monitoring
                | Closed => None,
            },
            Verification => match to {
                NeedRecognition => Some(M::Forward),
                Rejected => Some(M::Rejection),
                Attached => Some(M::Attachment),
                Intake | Verification | Opened | Planning | Implementation | Monitoring
                | Closed => None,
            },
            NeedRecognition => match to {
                Opened => Some(M::Opening),
                Rejected => Some(M::Rejection),
                Attached => Some(M::Attachment),
                Intake | Verification | NeedRecognition | Planning | Implementation
                | Monitoring | Closed => None,
            },
            Rejected | Attached => None,
            Opened => match to {
                Planning => Some(M::Forward),
                Closed => Some(M::Closure),
                Intake | Verification | NeedRecognition | Rejected | Attached | Opened
                | Implementation | Monitoring => None,
            },
            Planning => match to {
                Implementation => Some(M::Forward),
                Closed => Some(M::Closure),
                Intake | Verification | NeedRecognition | Rejected | Attached | Opened
                | Planning | Monitoring => None,
            },
            Implementation => match to {
                Monitoring => Some(M::Forward),
                Closed => Some(M::Closure),
                Intake | Verification | NeedRecognition | Rejected | Attached | Opened
                | Planning | Implementation => None,
            },
            Monitoring => match to {
                Planning => Some(M::PlanCorrection),
                Closed => Some(M::Closure),
                Intake | Verification | NeedRecognition | Rejected | Attached | Opened
                | Implementation | Monitoring => None,
            },
            Closed => match to {
                Opened => Some(M::Reopening),
                Intake | Verification | NeedRecognition | Rejected | Attached | Planning
                | Implementation | Monitoring | Closed => None,
            },
        }
    }
}

code_enum! {
    /// Why a case is closed: a closed list, because rules and reports depend on it (seeds 000, 003).
    pub enum ClosureReason {
        /// Problems solved: the work model reached its final stage and a final evaluation exists.
        GoalsAchieved = "goals_achieved",
        /// The client ended the agreement unilaterally (seed 003).
        ClientEndedAgreement = "client_ended_agreement",
        /// The service refused further help: the client broke the agreement (seed 003).
        AgreementBreached = "agreement_breached",
        /// The service refused further help: the client asked for something unlawful (seed 003).
        UnlawfulRequest = "unlawful_request",
        /// The client moved out of the agency's area.
        MovedAway = "moved_away",
        /// The client died.
        ClientDied = "client_died",
        /// The case went to another agency.
        TransferredToAnotherAgency = "transferred_to_another_agency",
        /// The family could not be reached despite repeated attempts.
        LostContact = "lost_contact",
        /// The service agreement's term ended.
        ContractEnded = "contract_ended",
        /// The client gave false information that the decision to provide services rested on.
        FalseInformation = "false_information",
        /// The provider stopped providing the service (closed, or the service ended).
        ProviderClosed = "provider_closed",
    }
}

code_enum! {
    /// Why a report ends without a case.
    pub enum RejectionReason {
        /// Verification did not confirm the reported facts.
        InformationNotConfirmed = "information_not_confirmed",
        /// The client does not need help (stage 3 decision).
        NeedNotRecognised = "need_not_recognised",
        /// Another body is competent; the report was passed on.
        OutsideCompetence = "outside_competence",
        /// The same situation is already reported.
        DuplicateReport = "duplicate_report",
        /// The client refused help and no child is at risk.
        ClientRefused = "client_refused",
    }
}
