//! Staff accounts' rules: how strong a password must be, what proves a member may set their own
//! password, and what an administrator may not do to their own account. Checking a password against its hash stays in the storage layer, whose
//! constant-time comparison is part of the check.

use crate::access::{Action, Role};
use crate::code_enum;
use crate::error::DomainError;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A password has at least [`MIN_PASSWORD_CHARS`] characters.
pub fn check_password_strength(password: &str) -> Result<(), DomainError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(DomainError::Invalid {
            field: "password".into(),
            code: "too_short",
            message: format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        })
    } else {
        Ok(())
    }
}

/// What a member offers, besides their bearer token, to set their own password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProof {
    /// Nothing.
    Nothing,
    /// The current password, and whether it matches the stored one.
    CurrentPassword { matches: bool },
    /// A one-time token an admin issued for them, and whether it is valid (theirs, unused,
    /// unexpired).
    SetupToken { valid: bool },
}

/// A member changes their password with the current one, or sets one with an admin's one-time
/// setup token. A first local password always needs that token: a bearer token alone (above all
/// an identity provider's, whose accounts have no local password) never creates a password login
/// (issue 9).
pub fn check_own_password_proof(
    has_local_password: bool,
    proof: PasswordProof,
) -> Result<(), DomainError> {
    match (has_local_password, proof) {
        (_, PasswordProof::SetupToken { valid: true })
        | (true, PasswordProof::CurrentPassword { matches: true }) => Ok(()),
        (_, PasswordProof::SetupToken { valid: false }) => Err(DomainError::invalid(
            "setup_token",
            "invalid_setup_token",
            "the one-time token is unknown, used or expired: ask an admin for a new one",
        )),
        (true, PasswordProof::CurrentPassword { matches: false }) => Err(DomainError::invalid(
            "current_password",
            "wrong_password",
            "the current password is wrong",
        )),
        (true, PasswordProof::Nothing) => Err(DomainError::invalid(
            "current_password",
            "required",
            "give the current password",
        )),
        (false, PasswordProof::Nothing | PasswordProof::CurrentPassword { .. }) => {
            Err(DomainError::invalid(
                "setup_token",
                "setup_token_required",
                "an account without a local password sets its first one with a one-time token from an admin",
            ))
        }
    }
}

/// An administrator may not disable their own account (nobody would be left to enable it).
/// `active` is the change asked for, `None` when the flag is left as it is.
pub fn check_not_disabling_self(
    caller_id: &str,
    staff_id: &str,
    active: Option<bool>,
) -> Result<(), DomainError> {
    if caller_id == staff_id && active == Some(false) {
        Err(DomainError::Conflict {
            code: "own_account",
            message: "an admin may not disable their own account".into(),
        })
    } else {
        Ok(())
    }
}

/// Whether granting the role needs a second admin's approval (four eyes): every role that reads
/// case content or sensitive sections, and admin itself (an admin approves the others' grants).
pub fn needs_second_admin(role: Role) -> bool {
    role == Role::Admin
        || role.may(Action::ReadCaseRecords)
        || role.may(Action::ReadSensitiveSections)
}

/// The roles of a change from `before` to `after` that wait for a second admin: those added that
/// [`needs_second_admin`]. Removing a role, or adding another, takes effect at once.
pub fn roles_awaiting_approval(before: &[Role], after: &[Role]) -> Vec<Role> {
    let mut added: Vec<Role> = after
        .iter()
        .copied()
        .filter(|r| !before.contains(r) && needs_second_admin(*r))
        .collect();
    added.sort();
    added.dedup();
    added
}

/// What a role change does now: the roles the account holds at once (the new set without the
/// grants that wait) and the roles that wait for a second admin.
pub fn split_role_change(before: &[Role], after: &[Role]) -> (Vec<Role>, Vec<Role>) {
    let waiting = roles_awaiting_approval(before, after);
    let now = after
        .iter()
        .copied()
        .filter(|r| !waiting.contains(r))
        .collect();
    (now, waiting)
}

/// Whether an account's password is set only with a second admin: it holds a role that
/// [`needs_second_admin`]. One admin alone who could set it could log in as it.
pub fn password_needs_second_admin(roles: &[Role]) -> bool {
    roles.iter().any(|r| needs_second_admin(*r))
}

/// Moving an account that reads case content to another unit, or enabling it again, widens what
/// it sees as a role grant would; one admin alone may not (`four_eyes`). The way through: take the
/// case roles away (at once), move or enable the account, and grant them again (a second admin
/// approves).
pub fn check_scope_change(
    roles: &[Role],
    moves_unit: bool,
    enables: bool,
) -> Result<(), DomainError> {
    if (moves_unit || enables) && password_needs_second_admin(roles) {
        Err(DomainError::conflict(
            "four_eyes",
            "this account reads case content: take its case roles away, move or enable it, then grant them again for a second admin to approve",
        ))
    } else {
        Ok(())
    }
}

/// An admin sets another member's password directly only when it opens no case content: one admin
/// who knew the password of a case reader could log in as them (`four_eyes`; the way is a setup
/// token two admins issue).
pub fn check_admin_sets_password(roles: &[Role]) -> Result<(), DomainError> {
    if password_needs_second_admin(roles) {
        Err(DomainError::conflict(
            "four_eyes",
            "this account reads case content: ask for a password setup token, which a second admin completes",
        ))
    } else {
        Ok(())
    }
}

/// A second admin completes a request another admin made, for someone else (`own_request`).
pub fn check_second_admin(
    admin: &str,
    requested_by: &str,
    staff_id: &str,
) -> Result<(), DomainError> {
    if admin == requested_by || admin == staff_id {
        Err(DomainError::conflict(
            "own_request",
            "completed by another admin than the one who asked and the one it concerns",
        ))
    } else {
        Ok(())
    }
}

/// Nobody changes their own roles: an admin who could would give themself case access.
pub fn may_change_roles_of(caller_id: &str, staff_id: &str) -> bool {
    caller_id != staff_id
}

code_enum! {
    /// Where a role grant that needs a second admin stands.
    pub enum RoleGrantStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// Decides a pending grant: by an admin other than the one who asked and than the one it grants
/// (`own_request`); a decided grant stays decided (`grant_decided`).
pub fn decide_role_grant(
    status: RoleGrantStatus,
    approve: bool,
    decider: &str,
    requested_by: &str,
    staff_id: &str,
) -> Result<RoleGrantStatus, DomainError> {
    if status != RoleGrantStatus::Pending {
        return Err(DomainError::conflict(
            "grant_decided",
            format!("the role grant is already {status}"),
        ));
    }
    check_second_admin(decider, requested_by, staff_id)?;
    Ok(if approve {
        RoleGrantStatus::Approved
    } else {
        RoleGrantStatus::Rejected
    })
}

#[cfg(test)]
mod grant_tests {
    use super::*;

    #[test]
    fn granting_a_role_that_reads_case_content_or_admin_needs_a_second_admin() {
        use Role::*;
        for role in Role::ALL {
            let expected = !matches!(role, Registry);
            assert_eq!(needs_second_admin(*role), expected, "{role}");
        }
        assert_eq!(
            split_role_change(&[Specialist], &[Specialist, Supervisor, Registry]),
            (vec![Specialist, Registry], vec![Supervisor])
        );
        // Taking a role away is at once.
        assert_eq!(
            split_role_change(&[Supervisor, CaseManager], &[CaseManager]),
            (vec![CaseManager], vec![])
        );
    }

    #[test]
    fn an_accounts_password_needs_a_second_admin_when_it_reads_case_content() {
        assert!(password_needs_second_admin(&[
            Role::Registry,
            Role::Specialist
        ]));
        assert!(password_needs_second_admin(&[Role::Admin]));
        assert!(!password_needs_second_admin(&[Role::Registry]));
        assert!(!password_needs_second_admin(&[]));
        assert!(check_second_admin("a2", "a1", "olena").is_ok());
        assert!(check_second_admin("a1", "a1", "olena").is_err());
        assert_eq!(
            check_admin_sets_password(&[Role::CaseManager]).map_err(|e| e.code()),
            Err("four_eyes")
        );
        assert!(check_admin_sets_password(&[Role::Registry]).is_ok());
    }

    #[test]
    fn one_admin_does_not_move_or_enable_an_account_that_reads_case_content() {
        let reader = [Role::Supervisor];
        assert!(check_scope_change(&reader, true, false).is_err());
        assert!(check_scope_change(&reader, false, true).is_err());
        assert!(check_scope_change(&reader, false, false).is_ok());
        assert!(check_scope_change(&[Role::Registry], true, true).is_ok());
        assert!(check_scope_change(&[], true, true).is_ok());
    }

    #[test]
    fn nobody_changes_their_own_roles() {
        assert!(!may_change_roles_of("admin", "admin"));
        assert!(may_change_roles_of("admin", "olena"));
    }

    #[test]
    fn a_grant_is_decided_once_by_a_third_person() {
        use RoleGrantStatus::*;
        assert_eq!(
            decide_role_grant(Pending, true, "a2", "a1", "olena"),
            Ok(Approved)
        );
        assert_eq!(
            decide_role_grant(Pending, false, "a2", "a1", "olena"),
            Ok(Rejected)
        );
        for (decider, staff) in [("a1", "olena"), ("olena", "olena")] {
            let refused = decide_role_grant(Pending, true, decider, "a1", staff);
            assert_eq!(refused.map_err(|e| e.code()), Err("own_request"));
        }
        for status in [Approved, Rejected] {
            let refused = decide_role_grant(status, true, "a2", "a1", "olena");
            assert_eq!(refused.map_err(|e| e.code()), Err("grant_decided"));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_password_has_at_least_12_characters() {
        assert_eq!(check_password_strength("дванадцять12"), Ok(()));
        assert_eq!(
            check_password_strength("eleven char"),
            Err(DomainError::Invalid {
                field: "password".into(),
                code: "too_short",
                message: "a password needs at least 12 characters".into(),
            })
        );
    }

    #[test]
    fn a_first_local_password_needs_an_admins_one_time_token() {
        use PasswordProof::*;
        let refused = |has: bool, proof| {
            check_own_password_proof(has, proof).err().map(|e| match e {
                DomainError::Invalid { field, code, .. } => (field, code),
                DomainError::Conflict { code, .. } => (String::new(), code),
            })
        };
        assert_eq!(refused(false, SetupToken { valid: true }), None);
        assert_eq!(
            refused(false, Nothing),
            Some(("setup_token".into(), "setup_token_required"))
        );
        assert_eq!(
            refused(false, CurrentPassword { matches: false }),
            Some(("setup_token".into(), "setup_token_required"))
        );
        assert_eq!(
            refused(false, SetupToken { valid: false }),
            Some(("setup_token".into(), "invalid_setup_token"))
        );
    }

    #[test]
    fn a_local_password_changes_with_the_current_one_or_an_admins_token() {
        use PasswordProof::*;
        assert_eq!(
            check_own_password_proof(true, CurrentPassword { matches: true }),
            Ok(())
        );
        assert_eq!(
            check_own_password_proof(true, SetupToken { valid: true }),
            Ok(())
        );
        assert_eq!(
            check_own_password_proof(true, CurrentPassword { matches: false })
                .unwrap_err()
                .code(),
            "wrong_password"
        );
        assert_eq!(
            check_own_password_proof(true, Nothing).unwrap_err().code(),
            "required"
        );
    }

    #[test]
    fn an_admin_may_not_disable_their_own_account() {
        let err = check_not_disabling_self("admin", "admin", Some(false)).unwrap_err();
        assert_eq!(err.code(), "own_account");
        assert_eq!(err.message(), "an admin may not disable their own account");
        assert_eq!(
            check_not_disabling_self("admin", "admin", Some(true)),
            Ok(())
        );
        assert_eq!(check_not_disabling_self("admin", "admin", None), Ok(()));
        assert_eq!(
            check_not_disabling_self("admin", "worker", Some(false)),
            Ok(())
        );
    }
}
