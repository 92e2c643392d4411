//! Every error is an RFC 9457 `application/problem+json` document, rendered here and nowhere
//! else: the API's own errors ([`ApiError`]), the storage layer's (mapped once in
//! `From<StoreError>`), and anything actix answers by itself (unknown route, wrong method, body too
//! large), which the [`render_foreign_errors`] middleware rewrites. A 500 is logged with its cause
//! and reveals nothing.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, ResponseError};
use opora_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::{AllowedTransition, Unmet};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://opora.dev/problems/validation-failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"field": "display_name", "code": "length", "message": "must be 1 to 200 characters"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, for clients to switch on.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this occurrence concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Validation errors, one per field at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a refused or stale transition: the stage the record is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_stage: Option<String>,
    /// For a refused transition: each unmet requirement.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<Unmet>,
    /// For a refused or stale transition: the transitions the record allows now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_transitions: Option<Vec<AllowedTransition>>,
}

/// One field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `members[1].date_of_birth` or the query parameter.
    pub field: String,
    /// A stable code, e.g. `required`, `length`, `unknown_code`, `invalid_type`.
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A 409: what the record's state refused, what it is at, and what it allows now.
#[derive(Debug)]
pub struct Conflict {
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub current_stage: Option<String>,
    pub unmet: Vec<Unmet>,
    pub allowed: Option<Vec<AllowedTransition>>,
}

/// The API's errors. Each maps to one status and one problem type.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("invalid parameters")]
    InvalidParameters(Vec<FieldError>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{}", .0.detail)]
    Conflict(Box<Conflict>),
    #[error("precondition failed")]
    PreconditionFailed { current_version: i64 },
    #[error("precondition required")]
    PreconditionRequired,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("malformed-request", "The request could not be read"),
            ApiError::Validation(_) => ("validation-failed", "The request has invalid fields"),
            ApiError::InvalidParameters(_) => (
                "invalid-parameters",
                "The query parameters could not be read",
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "The body must be application/json",
            ),
            ApiError::PayloadTooLarge => ("payload-too-large", "The request body is too large"),
            ApiError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication is required"),
            ApiError::Forbidden(_) => ("forbidden", "Your role does not permit this action"),
            ApiError::NotFound => ("not-found", "No such resource"),
            ApiError::Conflict(c) => (c.kind, c.title),
            ApiError::PreconditionFailed { .. } => (
                "precondition-failed",
                "The resource has changed since you read it",
            ),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "This update needs an If-Match header",
            ),
            ApiError::Unavailable(_) => ("service-unavailable", "The service is unavailable"),
            ApiError::Internal(_) => ("internal-error", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind();
        let detail = match self {
            ApiError::BadRequest(d) | ApiError::Forbidden(d) => Some(d.clone()),
            ApiError::TooManyRequests { retry_after } => Some(format!("too many attempts: retry in {retry_after} s")),
            ApiError::Unauthorized(d) => Some((*d).to_owned()),
            ApiError::Validation(errors) | ApiError::InvalidParameters(errors) => Some(match errors.len() {
                1 => format!("{}: {}", errors[0].field, errors[0].message),
                n => format!("{n} fields are invalid"),
            }),
            ApiError::Conflict(c) => Some(c.detail.clone()),
            ApiError::PreconditionFailed { .. } => Some(
                "If-Match does not name the current version: read the resource again and reapply your change".into(),
            ),
            ApiError::PreconditionRequired => Some(
                "send If-Match with the ETag of the version you read, so that no update is lost".into(),
            ),
            ApiError::NotFound => Some("the resource does not exist or is outside your scope".into()),
            ApiError::UnsupportedMediaType => Some("send Content-Type: application/json".into()),
            ApiError::PayloadTooLarge => Some(format!("the body may be at most {} bytes", crate::json::MAX_BODY_BYTES)),
            ApiError::Unavailable(_) => Some("the database is not reachable; try again later".into()),
            ApiError::Internal(_) => None,
        };
        let (current_stage, unmet, allowed) = match self {
            ApiError::Conflict(c) => (c.current_stage.clone(), c.unmet.clone(), c.allowed.clone()),
            _ => (None, Vec::new(), None),
        };
        Problem {
            problem_type: problem_type(kind),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            instance: None,
            errors: match self {
                ApiError::Validation(errors) | ApiError::InvalidParameters(errors) => {
                    errors.clone()
                }
                _ => Vec::new(),
            },
            current_stage,
            unmet,
            allowed_transitions: allowed,
        }
    }
}

pub fn problem_type(kind: &str) -> String {
    format!("https://opora.dev/problems/{kind}")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => log::error!("internal error: {cause}"),
            ApiError::Unavailable(cause) => log::warn!("unavailable: {cause}"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let ApiError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"opora\""));
        }
        if let ApiError::TooManyRequests { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let ApiError::Unavailable(_) = self {
            // The pool was exhausted or the database unreachable: a client retries shortly
            // instead of hanging on.
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if let ApiError::PreconditionFailed { current_version } = self {
            response.insert_header((header::ETAG, crate::etag::etag(*current_version)));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden(action) => {
                ApiError::Forbidden(format!("your roles do not permit {action} on this record"))
            }
            StoreError::Invalid {
                field,
                code,
                message,
            } => ApiError::Validation(vec![FieldError::new(field, code, message)]),
            StoreError::StageChanged { expected, current } => {
                ApiError::Conflict(Box::new(Conflict {
                    kind: "stage-changed",
                    title: "The record has moved since you read it",
                    detail: format!(
                        "you saw {expected}, but it is now at {current}; read it again"
                    ),
                    current_stage: Some(current),
                    unmet: Vec::new(),
                    allowed: None,
                }))
            }
            StoreError::VersionMismatch { current } => ApiError::PreconditionFailed {
                current_version: current,
            },
            StoreError::Transition {
                error,
                current_stage,
                available,
            } => {
                use opora_domain::{Requirement, TransitionError};
                let (detail, unmet) = match &error {
                    TransitionError::NotATransition { .. } => (error.to_string(), Vec::new()),
                    TransitionError::Refused { unmet, .. } => {
                        if unmet == &[Requirement::SupervisorDecision] {
                            return ApiError::Forbidden(Requirement::SupervisorDecision.message());
                        }
                        (error.to_string(), unmet.iter().map(Unmet::from).collect())
                    }
                };
                let kind = if unmet.is_empty() {
                    "not-a-transition"
                } else {
                    "transition-refused"
                };
                ApiError::Conflict(Box::new(Conflict {
                    kind,
                    title: if unmet.is_empty() {
                        "No such transition from this stage"
                    } else {
                        "The transition's requirements are not met"
                    },
                    detail,
                    current_stage: Some(current_stage),
                    unmet,
                    allowed: Some(available.iter().map(AllowedTransition::from).collect()),
                }))
            }
            StoreError::RequirementUnmet { code, message } => {
                ApiError::Conflict(Box::new(Conflict {
                    kind: "conflict",
                    title: "The request conflicts with the record's state",
                    detail: message.clone(),
                    current_stage: None,
                    unmet: vec![Unmet {
                        code: code.to_owned(),
                        message,
                    }],
                    allowed: None,
                }))
            }
            StoreError::Conflict(detail) => ApiError::Conflict(Box::new(Conflict {
                kind: "conflict",
                title: "The request conflicts with the record's state",
                detail,
                current_stage: None,
                unmet: Vec::new(),
                allowed: None,
            })),
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::InvalidCredentials => {
                ApiError::Unauthorized("wrong staff id, password or refresh token")
            }
            StoreError::Throttled { retry_after } => ApiError::TooManyRequests { retry_after },
            StoreError::Pool(cause) => ApiError::Unavailable(cause.to_string()),
            other @ (StoreError::Config(_) | StoreError::Corrupt(_) | StoreError::Database(_)) => {
                ApiError::Internal(other.to_string())
            }
        }
    }
}

/// The documented routes: path templates split into segments (`{..}` matches any segment) and
/// their methods, to tell "no such resource" (404) from "not with this method" (405).
#[derive(Debug, Clone, Default)]
pub struct Routes(Vec<(Vec<String>, Vec<String>)>);

impl Routes {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                let methods = serde_json::to_value(item)
                    .ok()
                    .and_then(|v| {
                        v.as_object()
                            .map(|o| o.keys().map(|k| k.to_ascii_uppercase()).collect())
                    })
                    .unwrap_or_default();
                (segments, methods)
            })
            .collect();
        Routes(routes)
    }

    /// The methods the path allows, if it is a documented route.
    fn allowed(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s == p || (s.starts_with('{') && !p.is_empty()))
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

/// Rewrites any error response not already problem+json (actix's own 404, 405, 413, …) into one.
pub fn render_foreign_errors<B: 'static>(routes: std::sync::Arc<Routes>) -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(move |res| to_problem(res, &routes))
}

fn to_problem<B>(
    res: ServiceResponse<B>,
    routes: &Routes,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    // actix answers 404 when a route exists with other methods only.
    let allow = match res.status() {
        StatusCode::NOT_FOUND => routes.allowed(res.request().path()).map(|m| m.join(", ")),
        _ => None,
    };
    let status = if allow.is_some() {
        StatusCode::METHOD_NOT_ALLOWED
    } else {
        res.status()
    };
    let (kind, title) = match status {
        StatusCode::NOT_FOUND => ("not-found", "No such resource"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "The request body is too large"),
        s if s.is_server_error() => ("internal-error", "Internal server error"),
        _ => ("http-error", "The request failed"),
    };
    if status.is_server_error() {
        log::error!(
            "{} {} answered {status}",
            res.request().method(),
            res.request().path()
        );
    }
    let problem = Problem {
        problem_type: problem_type(kind),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: status.canonical_reason().map(str::to_owned),
        instance: Some(res.request().path().to_owned()),
        errors: Vec::new(),
        current_stage: None,
        unmet: Vec::new(),
        allowed_transitions: None,
    };
    let (req, mut response) = res.into_parts();
    let body = serde_json::to_string(&problem).unwrap_or_default();
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Some(allow) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    let response = response.set_body(BoxBody::new(body));
    let res = ServiceResponse::new(req, response).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(
        res.map_body(|_, b: EitherBody<B, BoxBody>| b),
    ))
}

/// Documented problem responses, reused by every operation.
/// These types exist only for the document; no value of them is ever built.
#[allow(dead_code)]
pub mod responses {
    use super::Problem;
    use utoipa::IntoResponses;

    #[derive(IntoResponses)]
    #[response(
        status = 400,
        description = "The body or query could not be read (malformed JSON, bad parameter)",
        content_type = "application/problem+json"
    )]
    pub struct BadRequest(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 401,
        description = "No bearer token, or an invalid, expired or revoked one",
        content_type = "application/problem+json"
    )]
    pub struct Unauthorized(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 403,
        description = "The record is visible but your role may not do this",
        content_type = "application/problem+json"
    )]
    pub struct Forbidden(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 404,
        description = "No such record in your scope (existence is not revealed)",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 409,
        description = "Refused by the record's state: `unmet` names each missing requirement and `allowed_transitions` what is possible now; or the record moved since you read it (`current_stage`)",
        content_type = "application/problem+json"
    )]
    pub struct Conflict(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 412,
        description = "If-Match names an older version; the current ETag is returned",
        content_type = "application/problem+json"
    )]
    pub struct PreconditionFailed(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 415,
        description = "The body is not application/json",
        content_type = "application/problem+json"
    )]
    pub struct UnsupportedMediaType(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 422,
        description = "Invalid fields: `errors` lists each field at fault",
        content_type = "application/problem+json"
    )]
    pub struct Unprocessable(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 428,
        description = "The update needs an If-Match header",
        content_type = "application/problem+json"
    )]
    pub struct PreconditionRequired(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 500,
        description = "Internal error (logged; nothing is revealed)",
        content_type = "application/problem+json"
    )]
    pub struct Internal(Problem);

    #[derive(IntoResponses)]
    #[response(
        status = 503,
        description = "The database is not reachable",
        content_type = "application/problem+json"
    )]
    pub struct Unavailable(Problem);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_pool_is_a_503_that_says_when_to_retry() {
        // What r2d2 answers when no connection frees up within OPORA_DB_POOL_TIMEOUT_MS.
        let error = ApiError::from(StoreError::Unavailable(
            "timed out waiting for connection".into(),
        ));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
    }
}
