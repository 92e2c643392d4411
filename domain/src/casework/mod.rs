//! Casework records and their rules: what may be done with an assessment, a plan version, an
//! agreement, given what is on record. Each rule is a pure function returning the requirement it
//! finds unmet, for the store to report as a 409 naming it (or, for what a request itself gets
//! wrong, the field at fault, for a 422).

pub mod agreement;
pub mod assessment;
pub mod execution;
pub mod plan;
