//! The JSON body extractor: checks the media type, deserialises with the path of the field at
//! fault (serde_path_to_error), then runs the `validator` rules; every failure is a problem with
//! each field named. Malformed JSON is 400; well-formed but invalid is 422.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::problem::{ApiError, FieldError};

pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A validated JSON request body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let bytes = web::Bytes::from_request(req, payload);
        // A body that trickles in (or stalls) holds a connection and a worker's attention: it
        // must arrive whole within the deadline.
        let deadline = req
            .app_data::<crate::hardening::BodyTimeout>()
            .map(|t| t.0)
            .unwrap_or(crate::hardening::Timeouts::default().body);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = actix_web::rt::time::timeout(deadline, bytes)
                .await
                .map_err(|_| {
                    ApiError::BadRequest(format!(
                        "the body did not arrive within {} s",
                        deadline.as_secs()
                    ))
                })?
                .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                    Some(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge,
                    _ => ApiError::BadRequest(format!("the body could not be read: {e}")),
                })?;
            let value = parse::<T>(&bytes)?;
            validate(&value)?;
            Ok(JsonBody(value))
        })
    }
}

/// Query parameters, deserialised with the name of the parameter at fault.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parse = form_urlencoded::parse(req.query_string().as_bytes());
        let de = serde_urlencoded::Deserializer::new(parse);
        std::future::ready(
            serde_path_to_error::deserialize::<_, T>(de)
                .map(QueryParams)
                .map_err(|e| {
                    let field = e.path().to_string();
                    let message = e.inner().to_string();
                    let field = match message.strip_prefix("missing field `") {
                        Some(rest) => rest.split('`').next().unwrap_or(rest).to_owned(),
                        None => field,
                    };
                    ApiError::InvalidParameters(vec![FieldError::new(
                        field,
                        "invalid_parameter",
                        message,
                    )])
                }),
        )
    }
}

/// Deserialises, naming the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let (field, code) = match message.strip_prefix("missing field `") {
                    Some(rest) => {
                        let name = rest.split('`').next().unwrap_or(rest);
                        (join(&path, name), "required")
                    }
                    // serde_path_to_error's path already ends with the unknown field.
                    None if message.starts_with("unknown field") => (path, "unknown_field"),
                    None => (
                        if path == "." { String::new() } else { path },
                        "invalid_type",
                    ),
                };
                ApiError::Validation(vec![FieldError::new(field, code, message)])
            }
            _ => ApiError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })
}

fn join(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Runs the validator rules, listing every field at fault (sorted by path).
pub fn validate<T: Validate>(value: &T) -> Result<(), ApiError> {
    value.validate().map_err(|errors| {
        let mut out = Vec::new();
        flatten("", &errors, &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    })
}

fn flatten(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        // A raw identifier (`r#type`) names the JSON field without its `r#`.
        let path = join(prefix, field.trim_start_matches("r#"));
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| describe(e));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

fn describe(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            _ => "has the wrong length".into(),
        },
        "range" => "is out of range".into(),
        "required" => "is required".into(),
        other => format!("is invalid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Member {
        #[validate(length(min = 1, max = 10))]
        name: String,
    }

    #[derive(Debug, Deserialize, Validate)]
    struct Family {
        #[validate(length(min = 1, max = 10))]
        name: String,
        #[validate(nested)]
        members: Vec<Member>,
    }

    fn fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let e = parse::<Family>(br#"{"members": []}"#).err();
        assert_eq!(
            fields(e.unwrap_or(ApiError::NotFound)),
            vec![("name".into(), "required".into())]
        );
    }

    #[test]
    fn a_wrongly_typed_nested_field_is_named_with_its_path() {
        let e = parse::<Family>(br#"{"name": "A", "members": [{"name": "b"}, {"name": 5}]}"#).err();
        assert_eq!(
            fields(e.unwrap_or(ApiError::NotFound)),
            vec![("members[1].name".into(), "invalid_type".into())]
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse::<Family>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn every_invalid_field_is_listed_with_its_path() {
        let family = Family {
            name: String::new(),
            members: vec![
                Member { name: "ok".into() },
                Member {
                    name: "far too long a name".into(),
                },
            ],
        };
        let e = validate(&family).err();
        assert_eq!(
            fields(e.unwrap_or(ApiError::NotFound)),
            vec![
                ("members[1].name".into(), "length".into()),
                ("name".into(), "length".into())
            ]
        );
    }
}
