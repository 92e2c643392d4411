//! Handing a case over to another key worker (issue 3, item 2). The key worker or a supervisor
//! asks another case manager to take the case; only that person's acceptance changes the key
//! worker. They may decline; the requester or a supervisor may cancel. Each outcome is final: a
//! new request is made instead.

use crate::code_enum;
use crate::error::conflict_from;

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
}
