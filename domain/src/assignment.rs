//! Handing a case over to another key worker (issue 3, item 2). The key worker or a supervisor
//! asks another case manager to take the case; only that person's acceptance changes the key
//! worker. They may decline; the requester or a supervisor may cancel. Each outcome is final: a
//! new request is made instead.

use crate::code_enum;
use crate::error::{conflict_from, DomainError};
use crate::lifecycle::LifecycleStage;

code_enum! {
    /// Where a transfer stands.
    pub enum TransferStatus {
        /// Asked; awaits the proposed key worker's answer.
        Pending = "pending",
        /// Taken over: the case has the new key worker.
        Accepted = "accepted",
        /// The proposed key worker said no; the key worker stays.
        Declined = "declined",
        /// Withdrawn by the requester or a supervisor.
        Cancelled = "cancelled",
    }
}

code_enum! {
    /// What may be done with a transfer.
    pub enum TransferCommand {
        Accept = "accept",
        Decline = "decline",
        Cancel = "cancel",
    }
}

/// Why a transfer refuses a command: it is decided already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRefusal {
    /// What the transfer is now.
    pub status: TransferStatus,
}

impl TransferRefusal {
    pub const fn code(self) -> &'static str {
        "transfer_decided"
    }

    pub fn message(self) -> String {
        format!(
            "the transfer is {} already: only a pending transfer is accepted, declined or cancelled",
            self.status
        )
    }
}

conflict_from!(TransferRefusal);

impl TransferStatus {
    /// The status after `command`, or why it is refused.
    pub fn next(self, command: TransferCommand) -> Result<TransferStatus, TransferRefusal> {
        use TransferCommand::*;
        use TransferStatus::*;
        match (self, command) {
            (Pending, Accept) => Ok(Accepted),
            (Pending, Decline) => Ok(Declined),
            (Pending, Cancel) => Ok(Cancelled),
            (Accepted | Declined | Cancelled, Accept | Decline | Cancel) => {
                Err(TransferRefusal { status: self })
            }
        }
    }
}

/// What the record says of a staff member proposed as a case's key worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// An active staff member of the caller's units.
    pub in_scope: bool,
    /// Holds a role that may lead cases (case manager, supervisor).
    pub leads_cases: bool,
    /// Their unit is the case's unit or one above it (so they see the case).
    pub sees_case_unit: bool,
    /// The last day of a leave covering today.
    pub on_leave_until: Option<chrono::NaiveDate>,
    /// They lead the case already.
    pub already_key_worker: bool,
}

/// A case's key worker (seed 001: one worker leads the case) is an active member of the caller's
/// units who may lead cases, sees the case's unit, is not on leave, and is not its key worker
/// already. `field` names the request's field.
pub fn check_key_worker(field: &str, candidate: &Candidate) -> Result<(), DomainError> {
    if candidate.already_key_worker {
        return Err(crate::error::DomainError::invalid(
            field,
            "already_key_worker",
            "this staff member is the case's key worker already",
        ));
    }
    if !candidate.in_scope {
        return Err(crate::error::DomainError::invalid(
            field,
            "unknown_staff",
            "no active staff member with this id in your units",
        ));
    }
    if !candidate.leads_cases {
        return Err(crate::error::DomainError::invalid(
            field,
            "not_a_case_manager",
            "a key worker must be a case manager or a supervisor",
        ));
    }
    if !candidate.sees_case_unit {
        return Err(crate::error::DomainError::invalid(
            field,
            "outside_case_unit",
            "this staff member's unit does not see the case's unit",
        ));
    }
    if let Some(until) = candidate.on_leave_until {
        return Err(crate::error::DomainError::invalid(
            field,
            "on_leave",
            format!("this staff member is on leave until {until}"),
        ));
    }
    Ok(())
}

/// A transfer is requested for an active case with no other transfer pending (`pending`: its id
/// and addressee).
pub fn may_request_transfer(
    stage: LifecycleStage,
    pending: Option<(&str, &str)>,
) -> Result<(), DomainError> {
    if !stage.is_active_case() {
        return Err(crate::error::DomainError::conflict(
            "case_not_active",
            format!("the case is {stage}: only an active case changes its key worker"),
        ));
    }
    if let Some((id, to)) = pending {
        return Err(crate::error::DomainError::conflict(
            "transfer_pending",
            format!(
                "transfer {id} to {to} is pending: it must be accepted, declined or cancelled first"
            ),
        ));
    }
    Ok(())
}

/// The new key worker accepts a transfer only while the case is active, still led by whoever
/// asked to hand it over, and they are not on leave themselves.
pub fn may_accept_transfer(
    stage: LifecycleStage,
    key_worker_now: &str,
    requested_from: &str,
    acceptor_on_leave_until: Option<chrono::NaiveDate>,
) -> Result<(), DomainError> {
    if !stage.is_active_case() {
        return Err(crate::error::DomainError::conflict(
            "case_not_active",
            format!(
                "the case is {stage}: only an active case changes its key worker; decline the transfer"
            ),
        ));
    }
    if key_worker_now != requested_from {
        return Err(crate::error::DomainError::conflict(
            "key_worker_changed",
            format!(
                "the case's key worker changed to {key_worker_now} after the request; the transfer must be cancelled or declined"
            ),
        ));
    }
    if let Some(until) = acceptor_on_leave_until {
        return Err(crate::error::DomainError::conflict(
            "on_leave",
            format!("you are on leave until {until}: a case cannot pass to someone on leave"),
        ));
    }
    Ok(())
}

/// A leave ends on or after the day it starts and overlaps no leave on record (`overlapping`).
pub fn check_leave(
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    overlapping: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> Result<(), DomainError> {
    if ends_on < starts_on {
        return Err(crate::error::DomainError::invalid(
            "ends_on",
            "before_start",
            "the leave ends before it starts",
        ));
    }
    if let Some((from, to)) = overlapping {
        return Err(crate::error::DomainError::conflict(
            "leave_overlaps",
            format!("overlaps the leave from {from} to {to} on record"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use TransferCommand::*;
    use TransferStatus::*;

    #[test]
    fn the_transfer_machine_allows_exactly_these_moves() {
        let allowed: Vec<_> = TransferStatus::ALL
            .iter()
            .flat_map(|s| TransferCommand::ALL.iter().map(move |c| (*s, *c)))
            .filter_map(|(s, c)| s.next(c).ok().map(|to| (s, c, to)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Pending, Accept, Accepted),
                (Pending, Decline, Declined),
                (Pending, Cancel, Cancelled),
            ]
        );
    }

    #[test]
    fn only_a_pending_transfer_is_decided() {
        for status in [Accepted, Declined, Cancelled] {
            for command in TransferCommand::ALL {
                assert_eq!(status.next(*command), Err(TransferRefusal { status }));
            }
        }
    }

    #[test]
    fn a_refused_transfer_says_what_it_is_now() {
        let refused = Accepted.next(Cancel).unwrap_err();
        assert_eq!(refused.code(), "transfer_decided");
        assert_eq!(
            refused.message(),
            "the transfer is accepted already: only a pending transfer is accepted, declined or cancelled"
        );
    }

    mod rules {
        use super::super::*;

        fn day(d: u32) -> chrono::NaiveDate {
            chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
        }

        const FIT: Candidate = Candidate {
            in_scope: true,
            leads_cases: true,
            sees_case_unit: true,
            on_leave_until: None,
            already_key_worker: false,
        };

        fn code(result: Result<(), DomainError>) -> &'static str {
            result.err().map_or("ok", |e| e.code())
        }

        #[test]
        fn a_key_worker_is_an_active_member_of_the_units_who_leads_cases_sees_the_case_and_is_at_work(
        ) {
            assert_eq!(code(check_key_worker("key_worker_id", &FIT)), "ok");
            let cases = [
                (
                    Candidate {
                        already_key_worker: true,
                        ..FIT
                    },
                    "already_key_worker",
                ),
                (
                    Candidate {
                        in_scope: false,
                        ..FIT
                    },
                    "unknown_staff",
                ),
                (
                    Candidate {
                        leads_cases: false,
                        ..FIT
                    },
                    "not_a_case_manager",
                ),
                (
                    Candidate {
                        sees_case_unit: false,
                        ..FIT
                    },
                    "outside_case_unit",
                ),
                (
                    Candidate {
                        on_leave_until: Some(day(9)),
                        ..FIT
                    },
                    "on_leave",
                ),
            ];
            for (candidate, expected) in cases {
                assert_eq!(code(check_key_worker("to_staff_id", &candidate)), expected);
            }
        }

        #[test]
        fn a_transfer_is_requested_for_an_active_case_with_none_pending() {
            assert_eq!(
                code(may_request_transfer(LifecycleStage::Planning, None)),
                "ok"
            );
            assert_eq!(
                code(may_request_transfer(LifecycleStage::Closed, None)),
                "case_not_active"
            );
            assert_eq!(
                code(may_request_transfer(
                    LifecycleStage::Planning,
                    Some(("t1", "anna"))
                )),
                "transfer_pending"
            );
        }

        #[test]
        fn a_transfer_is_accepted_while_the_case_is_active_still_led_by_the_requester_and_the_acceptor_at_work(
        ) {
            let accept = |stage, now, leave| may_accept_transfer(stage, now, "olena", leave);
            assert_eq!(code(accept(LifecycleStage::Opened, "olena", None)), "ok");
            assert_eq!(
                code(accept(LifecycleStage::Closed, "olena", None)),
                "case_not_active"
            );
            assert_eq!(
                code(accept(LifecycleStage::Opened, "iryna", None)),
                "key_worker_changed"
            );
            assert_eq!(
                code(accept(LifecycleStage::Opened, "olena", Some(day(5)))),
                "on_leave"
            );
        }

        #[test]
        fn a_leave_ends_after_it_starts_and_overlaps_no_other() {
            assert_eq!(code(check_leave(day(1), day(5), None)), "ok");
            assert_eq!(code(check_leave(day(5), day(1), None)), "before_start");
            assert_eq!(
                code(check_leave(day(1), day(5), Some((day(4), day(9))))),
                "leave_overlaps"
            );
        }
    }
}
