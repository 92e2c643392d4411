//! Intake: the rules a report (seed 001: the stages before a case is opened) is checked against
//! outside the lifecycle machine itself.

use crate::error::DomainError;
use crate::lifecycle::LifecycleStage;

/// A client a report names is a client in the caller's units (`in_scope`: the fact).
pub fn check_client(field: &str, in_scope: bool) -> Result<(), DomainError> {
    if in_scope {
        Ok(())
    } else {
        Err(crate::error::DomainError::invalid(
            field,
            "unknown_client",
            "no such client in your units",
        ))
    }
}

/// A report moves only to a report stage, or is opened as a case.
pub fn check_report_target(to: LifecycleStage) -> Result<(), DomainError> {
    if to.is_report_stage() || to == LifecycleStage::Opened {
        Ok(())
    } else {
        Err(crate::error::DomainError::invalid(
            "to",
            "not_a_report_stage",
            "a report moves to verification, need_recognition, rejected, attached or opened",
        ))
    }
}

/// Opening a case from a report needs its client, key worker and work model.
pub fn opening_needs<C, K, M>(
    client: Option<C>,
    key_worker: Option<K>,
    model: Option<M>,
) -> Result<(C, K, M), DomainError> {
    match (client, key_worker, model) {
        (Some(c), Some(k), Some(m)) => Ok((c, k, m)),
        _ => Err(DomainError::Conflict {
            code: "opening_incomplete",
            message: "opening needs a client, key worker and work model".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_code(e: DomainError) -> (String, &'static str) {
        match e {
            DomainError::Invalid { field, code, .. } => (field, code),
            DomainError::Conflict { code, .. } => (String::new(), code),
        }
    }

    #[test]
    fn a_report_names_a_client_in_the_callers_units() {
        assert_eq!(check_client("client_id", true), Ok(()));
        assert_eq!(
            check_client("client_id", false).map_err(field_code),
            Err(("client_id".into(), "unknown_client"))
        );
    }

    #[test]
    fn a_report_moves_only_to_a_report_stage_or_is_opened() {
        assert_eq!(check_report_target(LifecycleStage::Opened), Ok(()));
        for stage in LifecycleStage::ALL {
            let allowed = stage.is_report_stage() || *stage == LifecycleStage::Opened;
            assert_eq!(check_report_target(*stage).is_ok(), allowed, "{stage:?}");
        }
        assert_eq!(
            check_report_target(LifecycleStage::Closed).map_err(field_code),
            Err(("to".into(), "not_a_report_stage"))
        );
    }

    #[test]
    fn opening_a_case_needs_a_client_key_worker_and_work_model() {
        assert_eq!(opening_needs(Some(1), Some(2), Some(3)), Ok((1, 2, 3)));
        assert_eq!(
            opening_needs(Some(1), None::<u8>, Some(3)).map_err(field_code),
            Err((String::new(), "opening_incomplete"))
        );
    }
}
