//! The records of a case the guards judge, one file per resource mirroring
//! `opora_domain::casework`: assessments (`assessment`), plan versions with the client's,
//! specialists' and supervisor's agreement (`plan`), the plan's execution part (`execution`),
//! agreements (`agreement`) and evaluations (`evaluation`). Here: the registration of every
//! handler, in the order the OpenAPI document lists them, and the code lists casework adds.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod agreement;
pub mod assessment;
pub mod evaluation;
pub mod execution;
pub mod plan;

pub use plan::WarningBody;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(assessment::create_assessment)
        .service(assessment::list_assessments)
        .service(assessment::get_assessment)
        .service(assessment::update_assessment)
        .service(assessment::complete_assessment)
        .service(plan::create_plan)
        .service(plan::list_plans)
        .service(plan::agree_plan)
        .service(plan::agree_as_specialist)
        .service(plan::approve_plan)
        .service(execution::record_action_execution)
        .service(execution::record_goal_progress)
        .service(execution::get_plan_execution)
        .service(agreement::create_agreement)
        .service(agreement::list_agreements)
        .service(evaluation::create_evaluation)
        .service(evaluation::list_evaluations);
}

// ---- code lists of this module -----------------------------------------------------------------

/// Schemas and `validator` rules of the code lists casework adds.
pub mod lists {
    use opora_domain::casework::assessment::NeedLevel;
    use opora_domain::casework::execution::ExecutionStatus;
    use opora_domain::casework::plan::{ApprovalDecision, ResponsibleKind};
    use utoipa::openapi::schema::Object;
    use validator::ValidationError;

    use crate::dto::{code_schema, one_of, or_null};

    /// A life domain: a code of the extensible `life_domains` classifier.
    pub fn life_domain() -> Object {
        crate::dto::codes::life_domain()
    }
    pub fn need_level() -> Object {
        code_schema(
            NeedLevel::ALL.iter().map(|c| c.code()),
            "How great the need in a life domain is.",
        )
    }
    pub fn execution_status() -> Object {
        code_schema(
            ExecutionStatus::ALL.iter().map(|c| c.code()),
            "Where an action or goal stands: planned, in progress, done or dropped.",
        )
    }
    pub fn responsible_kind() -> Object {
        or_null(code_schema(
            ResponsibleKind::ALL.iter().map(|c| c.code()),
            "Who carries out an action: a worker, a family member or a partner organisation.",
        ))
    }
    pub fn approval_decision() -> Object {
        code_schema(
            ApprovalDecision::ALL.iter().map(|c| c.code()),
            "A supervisor's decision: approved, or a comment only.",
        )
    }

    /// Well formed; the store checks the classifier has it, active.
    pub fn valid_life_domain(value: &str) -> Result<(), ValidationError> {
        crate::dto::codes::classifier_code(value)
    }
    pub fn valid_need_level(value: &str) -> Result<(), ValidationError> {
        one_of(NeedLevel::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_execution_status(value: &str) -> Result<(), ValidationError> {
        one_of(ExecutionStatus::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_responsible_kind(value: &str) -> Result<(), ValidationError> {
        one_of(ResponsibleKind::ALL.iter().map(|c| c.code()), value)
    }
    pub fn valid_approval_decision(value: &str) -> Result<(), ValidationError> {
        one_of(ApprovalDecision::ALL.iter().map(|c| c.code()), value)
    }
}

/// Parses an optional code of a closed list the request body does not validate itself: an
/// unknown one is a 422 naming the field and the list (`unknown_code`).
pub(crate) fn parse_listed<T: Copy>(
    field: &str,
    value: Option<&str>,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Result<Option<T>, crate::problem::ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    all.iter()
        .copied()
        .find(|t| code(*t) == value)
        .map(Some)
        .ok_or_else(|| {
            let codes: Vec<&str> = all.iter().map(|t| code(*t)).collect();
            crate::problem::ApiError::field(
                field,
                "unknown_code",
                format!("{value:?} is not one of: {}", codes.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use opora_domain::casework::plan::GoalTerm;

    use super::parse_listed;
    use crate::problem::ApiError;

    #[test]
    fn an_unknown_code_of_a_closed_list_is_refused_naming_the_field_and_the_list() {
        let parse = |v| parse_listed("goals[0].term", v, GoalTerm::ALL, GoalTerm::code);
        assert_eq!(parse(None).ok(), Some(None));
        assert_eq!(parse(Some("long")).ok(), Some(Some(GoalTerm::Long)));
        match parse(Some("medium")) {
            Err(ApiError::Validation(errors)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].field, "goals[0].term");
                assert_eq!(errors[0].code, "unknown_code");
                assert_eq!(errors[0].message, "\"medium\" is not one of: short, long");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
