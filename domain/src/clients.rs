//! Clients' rules: the categories a client is registered with, and what is recorded of a family's
//! members. The storage layer loads where each category code stands in its classifier and these
//! rules decide.

use crate::error::DomainError;
use crate::reference::CodeStatus;

/// Categories are codes of the client-category classifier, each given once and active; a
/// deactivated code the client already has counts as active (it may stay). `codes` pairs each
/// code with where it stands, in the order given.
pub fn check_categories(codes: &[(&str, CodeStatus)]) -> Result<(), DomainError> {
    for (i, (code, status)) in codes.iter().enumerate() {
        let field = format!("categories[{i}]");
        if codes[..i].iter().any(|(c, _)| c == code) {
            return Err(DomainError::Invalid {
                field,
                code: "duplicate",
                message: "the category is listed twice".into(),
            });
        }
        match status {
            CodeStatus::Active => {}
            CodeStatus::Inactive => {
                return Err(DomainError::Invalid {
                    field,
                    code: "inactive_category",
                    message: format!("client category {code:?} is deactivated"),
                })
            }
            CodeStatus::Unknown => {
                return Err(DomainError::Invalid {
                    field,
                    code: "unknown_category",
                    message: format!(
                        "no client category {code:?} (see GET /api/v1/reference/client_categories)"
                    ),
                })
            }
        }
    }
    Ok(())
}

/// What the member rules look at of a family member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberFacts {
    pub is_child: bool,
    /// A school or kindergarten is given.
    pub has_school: bool,
}

/// A school or kindergarten is recorded for children only.
pub fn check_members(members: &[MemberFacts]) -> Result<(), DomainError> {
    for (i, m) in members.iter().enumerate() {
        if m.has_school && !m.is_child {
            return Err(DomainError::Invalid {
                field: format!("members[{i}].school"),
                code: "only_for_children",
                message: "a school or kindergarten is recorded for children only".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_category_is_given_once() {
        let err = check_categories(&[
            ("veterans", CodeStatus::Active),
            ("idp", CodeStatus::Active),
            ("veterans", CodeStatus::Active),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            DomainError::Invalid {
                field: "categories[2]".into(),
                code: "duplicate",
                message: "the category is listed twice".into(),
            }
        );
    }

    #[test]
    fn a_category_is_an_active_code_of_the_classifier() {
        assert_eq!(
            check_categories(&[
                ("veterans", CodeStatus::Active),
                ("idp", CodeStatus::Active)
            ]),
            Ok(())
        );
        assert_eq!(
            check_categories(&[("idp", CodeStatus::Active), ("old", CodeStatus::Inactive)]),
            Err(DomainError::Invalid {
                field: "categories[1]".into(),
                code: "inactive_category",
                message: "client category \"old\" is deactivated".into(),
            })
        );
        assert_eq!(
            check_categories(&[("nope", CodeStatus::Unknown)]),
            Err(DomainError::Invalid {
                field: "categories[0]".into(),
                code: "unknown_category",
                message:
                    "no client category \"nope\" (see GET /api/v1/reference/client_categories)"
                        .into(),
            })
        );
    }

    #[test]
    fn a_school_is_recorded_for_children_only() {
        let child = MemberFacts {
            is_child: true,
            has_school: true,
        };
        let adult = MemberFacts {
            is_child: false,
            has_school: false,
        };
        assert_eq!(check_members(&[child, adult]), Ok(()));
        let adult_at_school = MemberFacts {
            is_child: false,
            has_school: true,
        };
        assert_eq!(
            check_members(&[child, adult_at_school]),
            Err(DomainError::Invalid {
                field: "members[1].school".into(),
                code: "only_for_children",
                message: "a school or kindergarten is recorded for children only".into(),
            })
        );
    }
}
