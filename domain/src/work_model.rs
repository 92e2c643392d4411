//! The two working models a case follows once opened, chosen at opening (DOMAIN.md, "How they
//! fit"): the 6-stage case-management model of seed 002, where a key worker coordinates the
//! services (seed 004: *individual* case management when the key worker leads alone, *team* case
//! management when several workers or bodies take part; both follow these six stages), and the
//! 12-stage individual case-work model of seed 001, one worker one to one with one client (case
//! *work*, not seed 004's "individuální case management"). Also the table of which model stages
//! may stand with which lifecycle stage.
//!
//! Design decisions (documented in the README):
//! - 6-stage: forward one stage at a time; back to needs assessment from planning, implementation
//!   or evaluation (seed 002: the assessment is updated whenever the client's situation changes,
//!   and evaluation loops to re-assessment); evaluation → implementation to continue the work.
//! - 12-stage: forward one stage at a time; 11 → 4 (seed 001: control returns to assessment);
//!   10 → 9 (barriers overcome, the intervention goes on) and 10 → 6 (a barrier needs another
//!   strategy).
//! - Every step back needs a reason.

use crate::code_enum;
use crate::lifecycle::{LifecycleStage, MoveKind};

code_enum! {
    /// The working model chosen when a case is opened.
    pub enum WorkModel {
        /// Seed 002: 6-stage case management. A key worker coordinates the services, alone
        /// (seed 004's individual case management) or with a team (team case management).
        CaseManagement = "case_management",
        /// Seed 001: 12-stage individual case *work*: one worker one to one with one client. Not
        /// "individual case management" (that is `case_management` led by one key worker).
        Individual = "individual",
    }
}

code_enum! {
    /// The 6 stages of case management (seed 002, "ПРОЦЕС КЕЙС-МЕНЕДЖМЕНТУ").
    pub enum CmStage {
        EstablishingContact = "establishing_contact",
        NeedsAssessment = "needs_assessment",
        Planning = "planning",
        ImplementationAndMonitoring = "implementation_and_monitoring",
        EvaluationOfResults = "evaluation_of_results",
        Completion = "completion",
    }
}

code_enum! {
    /// The 12 stages of individual case work (seed 001, "Общая модель действий…").
    pub enum IndividualStage {
        InitialContact = "initial_contact",
        ProblemExploration = "problem_exploration",
        PreliminaryContract = "preliminary_contract",
        Assessment = "assessment",
        ProblemConceptualisation = "problem_conceptualisation",
        StrategyExploration = "strategy_exploration",
        StrategyAndContract = "strategy_and_contract",
        InterventionPreparation = "intervention_preparation",
        Intervention = "intervention",
        BarrierAssessment = "barrier_assessment",
        InterventionControl = "intervention_control",
        Evolution = "evolution",
    }
}

impl CmStage {
    /// Stage number, 1–6.
    pub const fn number(self) -> u8 {
        use CmStage::*;
        match self {
            EstablishingContact => 1,
            NeedsAssessment => 2,
            Planning => 3,
            ImplementationAndMonitoring => 4,
            EvaluationOfResults => 5,
            Completion => 6,
        }
    }

    /// The kind of move from `self` to `to`, or `None` when the pair is not a transition.
    pub fn move_to(self, to: CmStage) -> Option<MoveKind> {
        use CmStage::*;
        match (self, to) {
            (EstablishingContact, NeedsAssessment)
            | (NeedsAssessment, Planning)
            | (Planning, ImplementationAndMonitoring)
            | (ImplementationAndMonitoring, EvaluationOfResults)
            | (EvaluationOfResults, Completion) => Some(MoveKind::Forward),
            (Planning | ImplementationAndMonitoring | EvaluationOfResults, NeedsAssessment)
            | (EvaluationOfResults, ImplementationAndMonitoring) => Some(MoveKind::StepBack),
            (
                EstablishingContact
                | NeedsAssessment
                | Planning
                | ImplementationAndMonitoring
                | EvaluationOfResults
                | Completion,
                _,
            ) => None,
        }
    }
}

impl IndividualStage {
    /// Stage number, 1–12.
    pub fn number(self) -> u8 {
        // ALL is in stage order; the position is the number.
        IndividualStage::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The next stage of the forward path; `None` after the last.
    pub const fn next(self) -> Option<IndividualStage> {
        use IndividualStage::*;
        match self {
            InitialContact => Some(ProblemExploration),
            ProblemExploration => Some(PreliminaryContract),
            PreliminaryContract => Some(Assessment),
            Assessment => Some(ProblemConceptualisation),
            ProblemConceptualisation => Some(StrategyExploration),
            StrategyExploration => Some(StrategyAndContract),
            StrategyAndContract => Some(InterventionPreparation),
            InterventionPreparation => Some(Intervention),
            Intervention => Some(BarrierAssessment),
            BarrierAssessment => Some(InterventionControl),
            InterventionControl => Some(Evolution),
            Evolution => None,
        }
    }

    /// The stages this one may step back to (each with a reason): 11 → 4 (seed 001: control
    /// returns to assessment), 10 → 9 (barriers overcome) and 10 → 6 (another strategy needed).
    pub const fn steps_back(self) -> &'static [IndividualStage] {
        use IndividualStage::*;
        match self {
            InterventionControl => &[Assessment],
            BarrierAssessment => &[Intervention, StrategyExploration],
            InitialContact
            | ProblemExploration
            | PreliminaryContract
            | Assessment
            | ProblemConceptualisation
            | StrategyExploration
            | StrategyAndContract
            | InterventionPreparation
            | Intervention
            | Evolution => &[],
        }
    }

    /// The kind of move from `self` to `to`, or `None` when the pair is not a transition.
    pub fn move_to(self, to: IndividualStage) -> Option<MoveKind> {
        if self.next() == Some(to) {
            Some(MoveKind::Forward)
        } else if self.steps_back().contains(&to) {
            Some(MoveKind::StepBack)
        } else {
            None
        }
    }
}

/// A stage of whichever model the case follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelStage {
    CaseManagement(CmStage),
    Individual(IndividualStage),
}

impl ModelStage {
    /// Every stage of both models; the codes are unique across them.
    pub fn all() -> impl Iterator<Item = ModelStage> {
        CmStage::ALL
            .iter()
            .map(|s| ModelStage::CaseManagement(*s))
            .chain(
                IndividualStage::ALL
                    .iter()
                    .map(|s| ModelStage::Individual(*s)),
            )
    }

    pub const fn code(self) -> &'static str {
        match self {
            ModelStage::CaseManagement(s) => s.code(),
            ModelStage::Individual(s) => s.code(),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        CmStage::parse(code)
            .map(ModelStage::CaseManagement)
            .or_else(|| IndividualStage::parse(code).map(ModelStage::Individual))
    }

    pub const fn model(self) -> WorkModel {
        match self {
            ModelStage::CaseManagement(_) => WorkModel::CaseManagement,
            ModelStage::Individual(_) => WorkModel::Individual,
        }
    }

    pub fn number(self) -> u8 {
        match self {
            ModelStage::CaseManagement(s) => s.number(),
            ModelStage::Individual(s) => s.number(),
        }
    }

    /// The kind of move to `to`; `None` also when `to` belongs to the other model.
    pub fn move_to(self, to: ModelStage) -> Option<MoveKind> {
        match (self, to) {
            (ModelStage::CaseManagement(a), ModelStage::CaseManagement(b)) => a.move_to(b),
            (ModelStage::Individual(a), ModelStage::Individual(b)) => a.move_to(b),
            (ModelStage::CaseManagement(_), ModelStage::Individual(_))
            | (ModelStage::Individual(_), ModelStage::CaseManagement(_)) => None,
        }
    }

    /// Whether this is the model's last stage (needed to close a case as "goals achieved").
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            ModelStage::CaseManagement(CmStage::Completion)
                | ModelStage::Individual(IndividualStage::Evolution)
        )
    }
}

impl std::fmt::Display for ModelStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl WorkModel {
    /// The stage a case enters when opened or reopened under this model.
    pub const fn first_stage(self) -> ModelStage {
        match self {
            WorkModel::CaseManagement => ModelStage::CaseManagement(CmStage::EstablishingContact),
            WorkModel::Individual => ModelStage::Individual(IndividualStage::InitialContact),
        }
    }
}

/// Which model stages may stand with which lifecycle stage.
///
/// A report (stages 1–3 and its outcomes) has no model stage at all. A closed case keeps the
/// stage it was closed at, whichever that is. For an active case the model may not run ahead of
/// the administrative record (no implementation before the plan is approved), nor lag behind it
/// (no lifecycle planning while the model is still establishing contact). Monitoring also holds
/// the stages the model's loops return to (re-assessment; 11 → 4; 10 → 6), so that a loop can
/// start before the lifecycle goes back to planning.
pub fn compatible(lifecycle: LifecycleStage, stage: ModelStage) -> bool {
    use CmStage as C;
    use IndividualStage as I;
    use LifecycleStage as L;
    match lifecycle {
        L::Intake | L::Verification | L::NeedRecognition | L::Rejected | L::Attached => false,
        L::Closed => true,
        L::Opened => matches!(
            stage,
            ModelStage::CaseManagement(C::EstablishingContact | C::NeedsAssessment)
                | ModelStage::Individual(
                    I::InitialContact
                        | I::ProblemExploration
                        | I::PreliminaryContract
                        | I::Assessment
                )
        ),
        L::Planning => matches!(
            stage,
            ModelStage::CaseManagement(C::NeedsAssessment | C::Planning)
                | ModelStage::Individual(
                    I::Assessment
                        | I::ProblemConceptualisation
                        | I::StrategyExploration
                        | I::StrategyAndContract
                        | I::InterventionPreparation
                )
        ),
        L::Implementation => matches!(
            stage,
            ModelStage::CaseManagement(C::Planning | C::ImplementationAndMonitoring)
                | ModelStage::Individual(
                    I::InterventionPreparation | I::Intervention | I::BarrierAssessment
                )
        ),
        L::Monitoring => matches!(
            stage,
            ModelStage::CaseManagement(
                C::NeedsAssessment
                    | C::ImplementationAndMonitoring
                    | C::EvaluationOfResults
                    | C::Completion
            ) | ModelStage::Individual(
                I::Assessment
                    | I::StrategyExploration
                    | I::Intervention
                    | I::BarrierAssessment
                    | I::InterventionControl
                    | I::Evolution
            )
        ),
    }
}

/// The lifecycle stages a model stage may stand with.
pub fn lifecycle_stages_for(stage: ModelStage) -> Vec<LifecycleStage> {
    LifecycleStage::ALL
        .iter()
        .copied()
        .filter(|l| l.is_active_case() && compatible(*l, stage))
        .collect()
}

/// The model stages (of `model`) that may stand with a lifecycle stage.
pub fn model_stages_for(lifecycle: LifecycleStage, model: WorkModel) -> Vec<ModelStage> {
    ModelStage::all()
        .filter(|s| s.model() == model && compatible(lifecycle, *s))
        .collect()
}
