//! Opora's domain: what a case is and how it may move, with no I/O and no framework.
//!
//! - [`lifecycle`]: the agency's 8-stage case lifecycle (seed 001), reports and cases as one machine;
//! - [`work_model`]: the 6-stage case-management model (seed 002; individual or team case
//!   management, seed 004) and the 12-stage individual case-work model (seed 001), and the table
//!   of which of their stages may stand with which lifecycle stage;
//! - [`guards`]: the facts the guards judge and the requirements a refusal names;
//! - [`transition`]: the one transition function, returning the events to record;
//! - [`access`]: roles and the actions each may take, and who sees which case and client;
//! - [`confidentiality`]: who may read the sensitive sections of a client, and on what ground;
//! - [`caseload`]: caseload weights for key-worker suggestions (urgency × work model) and the
//!   maximum caseload per key worker;
//! - [`deadlines`]: response deadlines over working days and holiday calendars;
//! - [`sessions`]: which bearer tokens are in force, and how failed logins are throttled;
//! - [`policy`]: the configuration that shapes rules, as one value handed to the use cases;
//! - [`merkle`]: the audit log's verifiable tree (RFC 9162), its inclusion and consistency proofs;
//! - [`codes`]: the closed lists of codes shared by the API, the database and reports;
//! - [`error`]: [`DomainError`], what a rule refuses (the field at fault, or the state in the way);
//! - [`casework`], [`assignment`], [`confidentiality`], [`contacts`], [`safety`]: the records of
//!   the work, each status a machine with one total transition function (`next`).

pub mod access;
pub mod accounts;
pub mod assignment;
pub mod caseload;
pub mod casework;
pub mod clients;
pub mod closure;
pub mod codes;
pub mod confidentiality;
pub mod contacts;
pub mod deadlines;
pub mod directory;
pub mod error;
pub mod events;
pub mod guards;
pub mod intake;
pub mod labels;
pub mod lifecycle;
pub mod merkle;
pub mod messages;
pub mod names;
pub mod policy;
pub mod questionnaire;
pub mod reference;
pub mod rounds;
pub mod safety;
pub mod sessions;
pub mod transition;
pub mod work_model;

#[cfg(test)]
mod tests;

pub use access::{Action, Actor, Role};
pub use codes::{
    AgreementForm, AgreementKind, AgreementMethod, AssessmentKind, ClientKind, EvaluationKind,
    FamilyRelation, GoalOutcome, PhoneKind, ReportSource, Sex, UnitKind, Urgency,
};
pub use error::DomainError;
pub use guards::{AttachTarget, CaseFacts, Requirement};
pub use lifecycle::{ClosureReason, LifecycleStage, MoveKind, RejectionReason};
pub use policy::Policy;
pub use transition::{
    apply, available_transitions, AvailableTransition, CaseState, Machine, Outcome, Stage,
    TransitionError, TransitionEvent, TransitionRequest,
};
pub use work_model::{CmStage, IndividualStage, ModelStage, WorkModel};
