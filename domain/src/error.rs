//! The domain's one error type: what a rule refuses, in terms the layers above report without
//! knowing the rule. A refusal names either the request's field at fault (the storage layer
//! reports it as `Invalid`, the API as 422) or the state of the record that stands in the way
//! (`Conflict`, 409). Both carry a stable snake_case `code` a client may switch on and an English
//! `message` saying what is wrong and what to do instead.
//!
//! The state machines (assessment, plan version, transfer, disclosure, contact, agreement,
//! safety concern) refuse with small typed errors of their own, which their tests match on and
//! which convert into this type.

use std::fmt;

/// A rule's refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A value the request gives is not acceptable: the field at fault (422).
    Invalid {
        /// The field's path in the request, e.g. `opinions[2].author`.
        field: String,
        code: &'static str,
        message: String,
    },
    /// The record's state does not allow the request (409).
    Conflict { code: &'static str, message: String },
}

impl DomainError {
    /// The request's `field` is not acceptable (422).
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        DomainError::Invalid {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The record's state does not allow the request (409).
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { code, .. } | DomainError::Conflict { code, .. } => code,
        }
    }

    /// What is wrong, in English.
    pub fn message(&self) -> &str {
        match self {
            DomainError::Invalid { message, .. } | DomainError::Conflict { message, .. } => message,
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainError::Invalid { field, message, .. } => write!(f, "{field}: {message}"),
            DomainError::Conflict { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for DomainError {}

/// Declares how a state machine's typed refusal converts into a [`DomainError::Conflict`]: the
/// refusal type has `code()` and `message()`.
macro_rules! conflict_from {
    ($refusal:ty) => {
        impl From<$refusal> for $crate::error::DomainError {
            fn from(r: $refusal) -> Self {
                $crate::error::DomainError::Conflict {
                    code: r.code(),
                    message: r.message(),
                }
            }
        }
    };
}
pub(crate) use conflict_from;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_error_shows_its_code_and_message() {
        let invalid = DomainError::Invalid {
            field: "corrects".into(),
            code: "not_completed",
            message: "a draft is edited, not corrected".into(),
        };
        assert_eq!(invalid.code(), "not_completed");
        assert_eq!(
            invalid.to_string(),
            "corrects: a draft is edited, not corrected"
        );
        let conflict = DomainError::Conflict {
            code: "already_decided",
            message: "the disclosure is already approved".into(),
        };
        assert_eq!(conflict.message(), "the disclosure is already approved");
        assert_eq!(conflict.to_string(), "the disclosure is already approved");
    }
}
