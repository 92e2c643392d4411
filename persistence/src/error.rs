//! The storage layer's one error type: not-found, forbidden, conflicts and refused transitions are
//! named; raw diesel errors never leak up except as `Database`, which the API logs and hides.

use opora_domain::{Action, AvailableTransition, TransitionError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist or lies outside the caller's scope (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// The record is visible but the caller's roles do not permit the action.
    #[error("the caller's roles do not permit {0}")]
    Forbidden(Action),
    /// A value is well-formed but not acceptable here (e.g. a key worker outside the unit).
    #[error("{field}: {message}")]
    Invalid {
        field: String,
        code: &'static str,
        message: String,
    },
    /// The caller saw another stage than the record has now (no lost update).
    #[error("the record is at {current}, not {expected}")]
    StageChanged { expected: String, current: String },
    /// The caller's If-Match names an older version.
    #[error("the record has changed (version {current})")]
    VersionMismatch { current: i64 },
    /// A transition the domain refused, with what is allowed now.
    #[error("{error}")]
    Transition {
        error: TransitionError,
        current_stage: String,
        available: Vec<AvailableTransition>,
    },
    /// Wrong staff id or password (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed logins for this account or address: try again after this many seconds.
    #[error("throttled for {retry_after} s")]
    Throttled { retry_after: u64 },
    /// A requirement of the record's state is unmet (409 naming its code), outside transitions.
    #[error("{message}")]
    RequirementUnmet { code: &'static str, message: String },
    /// A uniqueness or state conflict not covered above.
    #[error("{0}")]
    Conflict(String),
    /// Bad configuration (e.g. an unsupported database URL).
    #[error("{0}")]
    Config(String),
    /// The database cannot be reached or migrated.
    #[error("{0}")]
    Unavailable(String),
    /// A stored value the domain does not know: the database was changed outside the app.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => StoreError::NotFound,
            E::DatabaseError(K::UniqueViolation, info) => {
                StoreError::Conflict(format!("already exists: {}", info.message()))
            }
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                StoreError::Conflict("a referenced record does not exist".into())
            }
            other => StoreError::Database(other),
        }
    }
}

impl StoreError {
    /// A requirement of the domain unmet by what is on record (409 naming its code).
    pub fn unmet(requirement: opora_domain::Requirement) -> Self {
        StoreError::RequirementUnmet {
            code: requirement.code(),
            message: requirement.message(),
        }
    }

    /// A domain rule's refusal: the field at fault (422) or the state in the way (409 naming the
    /// rule's code, so that a client can switch on it).
    pub fn refused(e: impl Into<opora_domain::DomainError>) -> Self {
        match e.into() {
            opora_domain::DomainError::Invalid {
                field,
                code,
                message,
            } => StoreError::invalid(&field, code, message),
            opora_domain::DomainError::Conflict { code, message } => {
                StoreError::RequirementUnmet { code, message }
            }
        }
    }

    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// A code read from a row, as the domain's enum: the one place stored text becomes a domain
/// value. Unknown text means the database was changed outside the app ([`StoreError::Corrupt`]).
pub(crate) fn stored<T>(
    what: &str,
    code: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(code).ok_or_else(|| StoreError::Corrupt(format!("{what} {code:?}")))
}
