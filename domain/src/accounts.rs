//! Staff accounts' rules: how strong a password must be, and what an administrator may not do to
//! their own account. Checking a password against its hash stays in the storage layer, whose
//! constant-time comparison is part of the check.

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
