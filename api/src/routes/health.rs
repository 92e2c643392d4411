//! Liveness and readiness, without authentication.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::{responses, ApiError};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// The process is up.
#[utoipa::path(tag = "health", operation_id = "healthz", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The database is reachable.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses((status = 200, description = "The database answers", body = Health), responses::Unavailable)
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    crate::blocking(move || store.ping()).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
    }))
}
