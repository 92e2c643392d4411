//! Child-safety concerns (seed 000: case management's protective function). A concern is raised
//! on a report or a case and needs a supervisor's safety decision
//! ([`crate::deadlines::SafetyDecision`]) within the emergency deadline; the decision is recorded
//! once (a changed situation is a new concern). While a concern awaits its decision the case is
//! not closed, except on the client's death or a transfer (see [`crate::closure`]).

use crate::code_enum;

code_enum! {
    /// Where a concern stands (stored as whether its decision is on record, `decided_at`).
    pub enum SafetyConcernStatus {
        /// Awaiting the supervisor's safety decision.
        Raised = "raised",
        /// The decision is on record.
        Decided = "decided",
    }
}

code_enum! {
    /// What may happen to a concern.
    pub enum SafetyConcernCommand {
        /// A supervisor records the safety decision.
        Decide = "decide",
    }
}

/// Why a concern refuses a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafetyConcernRefusal {
    /// The decision is on record already.
    AlreadyDecided,
}

impl SafetyConcernRefusal {
    pub const fn code(self) -> &'static str {
        match self {
            SafetyConcernRefusal::AlreadyDecided => "concern_decided",
        }
    }

    pub fn message(self) -> String {
        match self {
            SafetyConcernRefusal::AlreadyDecided => {
                "the concern is already decided; raise a new one if the situation changed"
                    .to_owned()
            }
        }
    }
}

crate::error::conflict_from!(SafetyConcernRefusal);

impl SafetyConcernStatus {
    /// The status of a concern whose decision is on record or not.
    pub const fn of(decided: bool) -> SafetyConcernStatus {
        if decided {
            SafetyConcernStatus::Decided
        } else {
            SafetyConcernStatus::Raised
        }
    }

    /// The status after `command`, or why it is refused.
    pub fn next(
        self,
        command: SafetyConcernCommand,
    ) -> Result<SafetyConcernStatus, SafetyConcernRefusal> {
        use SafetyConcernCommand::*;
        use SafetyConcernStatus::*;
        match (self, command) {
            (Raised, Decide) => Ok(Decided),
            (Decided, Decide) => Err(SafetyConcernRefusal::AlreadyDecided),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_safety_concern_machine_allows_exactly_these_moves() {
        let allowed: Vec<_> = SafetyConcernStatus::ALL
            .iter()
            .flat_map(|s| SafetyConcernCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![(
                SafetyConcernStatus::Raised,
                SafetyConcernCommand::Decide,
                SafetyConcernStatus::Decided
            )]
        );
    }

    #[test]
    fn a_safety_concern_is_decided_once() {
        let decided = SafetyConcernStatus::of(true);
        assert_eq!(
            decided.next(SafetyConcernCommand::Decide),
            Err(SafetyConcernRefusal::AlreadyDecided)
        );
        assert_eq!(
            crate::DomainError::from(SafetyConcernRefusal::AlreadyDecided).message(),
            "the concern is already decided; raise a new one if the situation changed"
        );
        assert_eq!(SafetyConcernStatus::of(false), SafetyConcernStatus::Raised);
    }
}
