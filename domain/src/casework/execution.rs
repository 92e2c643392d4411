//! The execution part of a plan (seed 002, stage 4: implementation and monitoring): the state of
//! each action and goal, kept by its stable id apart from the versioned wording, so that work
//! recorded against an action survives a new plan version.

use crate::code_enum;
use crate::error::DomainError;

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

/// Only a done action has a done date.
pub fn check_done_date(
    status: ExecutionStatus,
    done_on: Option<chrono::NaiveDate>,
) -> Result<(), DomainError> {
    if done_on.is_some() && !status.has_done_date() {
        return Err(DomainError::Invalid {
            field: "done_on".to_owned(),
            code: "not_done",
            message: "only a done action has a done date".to_owned(),
        });
    }
    Ok(())
}

/// A goal's progress is a percentage, 0 to 100.
pub fn check_progress(progress: i32) -> Result<(), DomainError> {
    if !(0..=100).contains(&progress) {
        return Err(DomainError::Invalid {
            field: "progress".to_owned(),
            code: "range",
            message: "0 to 100".to_owned(),
        });
    }
    Ok(())
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

    #[test]
    fn a_done_date_is_recorded_for_a_done_action_only() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
        assert_eq!(check_done_date(ExecutionStatus::Done, day), Ok(()));
        assert_eq!(check_done_date(ExecutionStatus::Planned, None), Ok(()));
        assert_eq!(
            check_done_date(ExecutionStatus::InProgress, day).map_err(|e| e.code()),
            Err("not_done")
        );
    }

    #[test]
    fn a_goals_progress_is_a_percentage() {
        assert_eq!(check_progress(0), Ok(()));
        assert_eq!(check_progress(100), Ok(()));
        for wrong in [-1, 101] {
            assert_eq!(check_progress(wrong).map_err(|e| e.code()), Err("range"));
        }
    }
}
