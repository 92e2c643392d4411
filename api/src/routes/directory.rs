//! Units and staff: the organisation tree and the people in it (to pick a key worker), and the
//! caller's own record.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use opora_persistence::models::{StaffMember, Unit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_opt, utc};
use crate::json::QueryParams;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me)
        .service(list_units)
        .service(list_staff)
        .service(get_staff);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitBody {
    pub id: String,
    pub parent_id: Option<String>,
    #[schema(schema_with = codes::unit_kind)]
    pub kind: String,
    #[schema(example = "Suvorovskyi district social-work department")]
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<Unit> for UnitBody {
    fn from(u: Unit) -> Self {
        UnitBody {
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind,
            name: u.name,
            created_at: utc(u.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffBody {
    pub id: String,
    pub unit_id: String,
    #[schema(example = "Olena Kovalenko")]
    pub full_name: String,
    pub active: bool,
    #[schema(schema_with = role_list)]
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In the answer to an admin's create or update: the roles that wait for a second admin
    /// (those that read case content, and admin), not yet on the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_role_grant: Option<crate::routes::role_grants::RoleGrantBody>,
}

fn role_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(codes::role())
}

impl From<StaffMember> for StaffBody {
    fn from(s: StaffMember) -> Self {
        StaffBody {
            id: s.id,
            unit_id: s.unit_id,
            full_name: s.full_name,
            active: s.active,
            roles: s.roles.iter().map(|r| r.code().to_owned()).collect(),
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
            pending_role_grant: None,
        }
    }
}

/// The caller's own staff record and the units they see.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    pub staff: StaffBody,
    /// Ids of the units whose records the caller sees (their unit and every unit below it).
    pub scope: Vec<String>,
}

/// Who am I: the staff record behind the token.
#[utoipa::path(
    tag = "directory",
    operation_id = "get_me",
    responses((status = 200, description = "The caller's staff record", body = MeBody), responses::Unauthorized, responses::Internal),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(auth: Authenticated, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    let store = state.store.clone();
    let id = caller.actor.staff_id.clone();
    let scope = caller.scope.clone();
    let member = crate::blocking(move || store.get_staff(&caller, &id)).await?;
    Ok(HttpResponse::Ok().json(MeBody {
        staff: member.into(),
        scope,
    }))
}

/// The units the caller sees.
#[utoipa::path(
    tag = "directory",
    operation_id = "list_units",
    responses((status = 200, description = "Units in scope", body = Vec<UnitBody>), responses::Unauthorized, responses::Forbidden, responses::Internal),
    security(("bearer" = []))
)]
#[get("/units")]
pub async fn list_units(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let units = crate::blocking(move || store.list_units(&auth.0)).await?;
    Ok(HttpResponse::Ok().json(units.into_iter().map(UnitBody::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only this unit's staff.
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    /// Only staff with this role (e.g. `case_manager` to pick a key worker).
    #[param(schema_with = codes::role)]
    pub role: Option<String>,
}

/// Staff of the units the caller sees.
#[utoipa::path(
    tag = "directory",
    operation_id = "list_staff",
    params(StaffQuery),
    responses((status = 200, description = "Staff in scope", body = Vec<StaffBody>), responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/staff")]
pub async fn list_staff(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<StaffQuery>,
) -> Result<HttpResponse, ApiError> {
    let role = parse_opt("role", query.0.role.as_deref(), opora_domain::Role::parse)?;
    let store = state.store.clone();
    let unit_id = query.0.unit_id.clone();
    let staff =
        crate::blocking(move || store.list_staff(&auth.0, unit_id.as_deref(), role)).await?;
    Ok(HttpResponse::Ok().json(staff.into_iter().map(StaffBody::from).collect::<Vec<_>>()))
}

/// One staff member in scope.
#[utoipa::path(
    tag = "directory",
    operation_id = "get_staff",
    params(("id" = String, Path, description = "Staff member id")),
    responses((status = 200, description = "The staff member", body = StaffBody), responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/staff/{id}")]
pub async fn get_staff(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let member = crate::blocking(move || store.get_staff(&auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(StaffBody::from(member)))
}
