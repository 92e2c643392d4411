//! The directory's rules: where a unit may stand in the tree, which unit a staff member is
//! placed in, and which units a caller may name. The storage layer loads the facts (does the
//! unit exist, is it in the caller's scope, what kind is the parent) and these rules decide.

use crate::codes::UnitKind;
use crate::error::DomainError;

/// A caller names only units in their scope; outside it a unit is as unknown as one that does
/// not exist (422 naming `field`, `unknown_unit`).
pub fn check_unit_in_scope(field: &str, in_scope: bool) -> Result<(), DomainError> {
    if in_scope {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field: field.to_owned(),
            code: "unknown_unit",
            message: "no such unit in your scope".into(),
        })
    }
}

/// A unit stands below an existing parent that may contain its kind (department → centre →
/// district department → service or sector). `parent` is the parent's kind, `None` when no unit
/// has the id given.
pub fn check_placement(parent: Option<UnitKind>, kind: UnitKind) -> Result<(), DomainError> {
    let Some(parent) = parent else {
        return Err(DomainError::Invalid {
            field: "parent_id".into(),
            code: "unknown_unit",
            message: "no such unit".into(),
        });
    };
    if parent.may_contain(kind) {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field: "kind".into(),
            code: "unit_tree",
            message: format!("a {kind} may not stand below a {parent}"),
        })
    }
}

/// A staff member is placed in a unit that exists.
pub fn check_staff_unit(unit_id: &str, exists: bool) -> Result<(), DomainError> {
    if exists {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            field: "unit".into(),
            code: "unknown_unit",
            message: format!("no unit {unit_id}"),
        })
    }
}

/// A staff member given no unit is placed in the root unit, so one must exist.
pub fn default_staff_unit<T>(root: Option<T>) -> Result<T, DomainError> {
    root.ok_or_else(|| DomainError::Invalid {
        field: "unit".into(),
        code: "no_units",
        message: "no unit exists yet; create one or load the demo".into(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_caller_names_only_units_in_their_scope() {
        assert_eq!(check_unit_in_scope("unit_id", true), Ok(()));
        assert_eq!(
            check_unit_in_scope("parent_id", false),
            Err(DomainError::Invalid {
                field: "parent_id".into(),
                code: "unknown_unit",
                message: "no such unit in your scope".into(),
            })
        );
    }

    #[test]
    fn a_unit_stands_below_an_existing_parent() {
        assert_eq!(
            check_placement(None, UnitKind::Service),
            Err(DomainError::Invalid {
                field: "parent_id".into(),
                code: "unknown_unit",
                message: "no such unit".into(),
            })
        );
    }

    #[test]
    fn a_unit_stands_only_below_a_kind_that_may_contain_it() {
        assert_eq!(
            check_placement(Some(UnitKind::Department), UnitKind::Centre),
            Ok(())
        );
        assert_eq!(
            check_placement(Some(UnitKind::Centre), UnitKind::Sector),
            Ok(())
        );
        assert_eq!(
            check_placement(Some(UnitKind::Service), UnitKind::Sector),
            Err(DomainError::Invalid {
                field: "kind".into(),
                code: "unit_tree",
                message: "a sector may not stand below a service".into(),
            })
        );
    }

    #[test]
    fn a_staff_member_is_placed_in_a_unit_that_exists() {
        assert_eq!(check_staff_unit("u1", true), Ok(()));
        assert_eq!(
            check_staff_unit("u9", false),
            Err(DomainError::Invalid {
                field: "unit".into(),
                code: "unknown_unit",
                message: "no unit u9".into(),
            })
        );
    }

    #[test]
    fn a_staff_member_without_a_unit_needs_a_root_unit() {
        assert_eq!(default_staff_unit(Some("root")), Ok("root"));
        let err = default_staff_unit::<&str>(None).unwrap_err();
        assert_eq!(err.code(), "no_units");
        assert_eq!(
            err.message(),
            "no unit exists yet; create one or load the demo"
        );
    }
}
