//! Protections around every request: per-client rate limiting (429 problem with `Retry-After`),
//! CORS for the configured frontend origins only, and security headers. Body size limits live in
//! [`crate::json`]; input length limits in each request type (and so in the contract).

use std::hash::{Hash, Hasher};

use actix_cors::Cors;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::governor::NotUntil;
use actix_governor::{
    GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError,
};
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::problem::{problem_type, Problem, PROBLEM_JSON};

/// Rate-limit key: the bearer token (hashed, never kept) for authenticated callers, else the
/// peer address, so one client cannot starve the others behind the same proxy.
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = u64;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<u64, Self::KeyExtractionError> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match req.headers().get(header::AUTHORIZATION) {
            Some(token) => ("token", token.as_bytes()).hash(&mut hasher),
            None => ("peer", req.peer_addr().map(|a| a.ip())).hash(&mut hasher),
        }
        Ok(hasher.finish())
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1);
        let problem = Problem {
            problem_type: problem_type("too-many-requests"),
            title: "Too many requests".into(),
            status: 429,
            detail: Some(format!("slow down: retry in {wait} s")),
            instance: None,
            errors: Vec::new(),
            current_stage: None,
            unmet: Vec::new(),
            allowed_transitions: None,
        };
        response
            .insert_header((header::RETRY_AFTER, wait.to_string()))
            .content_type(PROBLEM_JSON)
            .body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// Requests per second and burst per client.
pub fn rate_limit(
    per_second: u64,
    burst: u32,
) -> Option<GovernorConfig<ClientKey, NoOpMiddleware>> {
    GovernorConfigBuilder::default()
        .key_extractor(ClientKey)
        .requests_per_second(per_second.max(1))
        .burst_size(burst.max(1))
        .finish()
}

/// CORS for the configured origins only; with none configured, browsers get no cross-origin access.
pub fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600);
    origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}
