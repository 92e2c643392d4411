//! The execution part of a plan (seed 002, stage 4: implementation and monitoring): the state of
//! each action and goal, kept by its stable id apart from the versioned wording, so that work
//! recorded against an action survives a new plan version.

use crate::code_enum;

code_enum! {
    /// Where an action or a goal stands. Any state may be recorded over any other (the worker
    /// records what is so; the events keep the history).
    pub enum ExecutionStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        Dropped = "dropped",
    }
}

impl ExecutionStatus {
    /// Whether nothing more is due: done or dropped (the work queue stops showing the action).
    pub const fn is_finished(self) -> bool {
        match self {
            ExecutionStatus::Done | ExecutionStatus::Dropped => true,
            ExecutionStatus::Planned | ExecutionStatus::InProgress => false,
        }
    }

    /// The states in which nothing more is due.
    pub fn finished() -> impl Iterator<Item = ExecutionStatus> {
        ExecutionStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_finished())
    }

    /// Whether the state carries the day the action was done.
    pub const fn has_done_date(self) -> bool {
        matches!(self, ExecutionStatus::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_and_dropped_actions_are_finished() {
        let finished: Vec<_> = ExecutionStatus::finished().collect();
        assert_eq!(finished, [ExecutionStatus::Done, ExecutionStatus::Dropped]);
    }

    #[test]
    fn only_a_done_action_has_a_done_date() {
        for s in ExecutionStatus::ALL {
            assert_eq!(s.has_done_date(), *s == ExecutionStatus::Done, "{s}");
        }
    }
}
