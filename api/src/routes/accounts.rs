//! Accounts: login with a password (argon2id, throttled per account and address), refresh and
//! logout; the caller's own password (a first one by an admin's one-time setup token); and the
//! admin's management of staff and units. Login and
//! refresh are the only `/api/v1` operations without a bearer token.

use actix_web::{patch, post, put, web, HttpRequest, HttpResponse};
use opora_domain::{Role, UnitKind};
use opora_persistence::accounts::{OwnPasswordProof, SetupTokenOutcome, StaffChanges};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::routes::directory::{StaffBody, UnitBody};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(change_own_password)
        .service(create_staff)
        .service(update_staff)
        .service(set_staff_password)
        .service(issue_password_setup_token)
        .service(create_unit);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"staff_id": "demo-case-manager", "password": "correct horse battery staple"}))]
pub struct LoginBody {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub staff_id: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub password: String,
}

/// A short-lived access token and the refresh token that renews it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds the access token is valid.
    pub expires_in: i64,
    /// Single-use: exchange it at `/api/v1/auth/refresh` for the next pair.
    pub refresh_token: String,
}

fn tokens(
    state: &AppState,
    staff_id: &str,
    refresh_token: String,
) -> Result<HttpResponse, ApiError> {
    let access_token = state.keys.issue(staff_id, state.keys.access_ttl)?;
    Ok(HttpResponse::Ok().json(TokenBody {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.keys.access_ttl.num_seconds(),
        refresh_token,
    }))
}

#[derive(utoipa::IntoResponses)]
#[response(
    status = 429,
    description = "Too many failed logins from this address (for this account or for any), or for an account under attack from many addresses; `Retry-After` says when to try again",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct Throttled(crate::problem::Problem);

/// Logs in with a staff id and password. After three failures of the account from one address,
/// each further attempt from that address waits longer (1 s, 2 s, 4 s … up to 15 min): 429 with
/// Retry-After; so does an address after ten failures over any accounts, and a new address of an
/// account that failed twenty times from five or more addresses. Never a lockout: guesses from
/// elsewhere do not delay the owner.
#[utoipa::path(
    tag = "accounts",
    operation_id = "login",
    request_body = LoginBody,
    responses((status = 200, description = "Logged in", body = TokenBody),
        responses::BadRequest, responses::Unauthorized, responses::UnsupportedMediaType, responses::Unprocessable, Throttled, responses::Internal)
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let address = crate::hardening::client_address(&req);
    let store = state.store.clone();
    let (staff_id, refresh_token) =
        crate::blocking(move || store.login(&body.staff_id, &body.password, &address)).await?;
    tokens(&state, &staff_id, refresh_token)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used one
/// again revokes its whole family (a stolen copy is useless).
#[utoipa::path(
    tag = "accounts",
    operation_id = "refresh_token",
    request_body = RefreshBody,
    responses((status = 200, description = "Renewed", body = TokenBody),
        responses::BadRequest, responses::Unauthorized, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal)
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let token = body.0.refresh_token;
    let store = state.store.clone();
    let (staff_id, refresh_token) = crate::blocking(move || store.refresh(&token)).await?;
    tokens(&state, &staff_id, refresh_token)
}

/// Ends the session of a refresh token (its whole family); every access token of the caller issued
/// until now stops working at once (other devices renew theirs with their refresh tokens).
#[utoipa::path(
    tag = "accounts",
    operation_id = "logout",
    request_body = RefreshBody,
    responses((status = 204, description = "Logged out"),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let token = body.0.refresh_token;
    let store = state.store.clone();
    crate::blocking(move || store.logout(&auth.0, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnPasswordBody {
    /// Required once a password is set (unless `setup_token` is given).
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub current_password: Option<String>,
    /// The one-time token an admin issued (`POST /api/v1/staff/{id}/password-setup-token`):
    /// required for a first local password, e.g. by a member who logs in through the identity
    /// provider; also replaces a forgotten one.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub setup_token: Option<String>,
    #[validate(length(min = 12, max = 200))]
    #[schema(min_length = 12, max_length = 200)]
    pub new_password: String,
}

/// Changes the caller's own password, proven by the current one; a first local password (an
/// account that has none, e.g. one that logs in through the identity provider) needs the one-time
/// token an admin issued instead (422 naming `setup_token` without it). Every session ends, the
/// caller's too: log in again with the new password.
#[utoipa::path(
    tag = "accounts",
    operation_id = "change_own_password",
    request_body = OwnPasswordBody,
    responses((status = 204, description = "Changed"),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/me/password")]
pub async fn change_own_password(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<OwnPasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let store = state.store.clone();
    crate::blocking(move || {
        let id = auth.0.actor.staff_id.clone();
        store.set_password(
            &auth.0,
            &id,
            OwnPasswordProof {
                current_password: body.current_password.as_deref(),
                setup_token: body.setup_token.as_deref(),
            },
            &body.new_password,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn role_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(codes::role())
}

fn roles(list: &[String]) -> Result<Vec<Role>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, r)| parse_code(&format!("roles[{i}]"), r, Role::parse))
        .collect()
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "o.kovalenko", "full_name": "Olena Kovalenko", "roles": ["case_manager"], "unit_id": "0193a1c2-0000-7000-8000-000000000001"}))]
pub struct NewStaffBody {
    /// The login name and the tokens' `sub`.
    #[validate(length(min = 2, max = 64))]
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z0-9._-]+$")]
    pub id: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    #[validate(length(min = 1, max = 9))]
    #[schema(schema_with = role_list)]
    pub roles: Vec<String>,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: String,
}

/// Adds a staff member to a unit the admin administers.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_staff",
    request_body = NewStaffBody,
    responses((status = 201, description = "Created", body = StaffBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Conflict, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/staff")]
pub async fn create_staff(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<NewStaffBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if !body
        .id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(ApiError::field(
            "id",
            "pattern",
            "letters, digits, '.', '_' and '-' only",
        ));
    }
    let roles = roles(&body.roles)?;
    let store = state.store.clone();
    let (member, pending) = crate::blocking(move || {
        let member =
            store.admin_create_staff(&auth.0, &body.id, &body.full_name, roles, &body.unit_id)?;
        let pending = store.pending_role_grant(&auth.0, &member.id)?;
        Ok((member, pending))
    })
    .await?;
    let mut answer = StaffBody::from(member);
    answer.pending_role_grant = pending.map(Into::into);
    Ok(HttpResponse::Created().json(answer))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct StaffPatchBody {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: Option<String>,
    #[validate(length(min = 1, max = 9))]
    #[schema(schema_with = role_list)]
    pub roles: Option<Vec<String>>,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: Option<String>,
    /// `false` disables the account: its tokens stop working at once, and stay refused when it is
    /// enabled again (a new login is needed).
    pub active: Option<bool>,
}

/// Changes a staff member's name, roles, unit or active flag.
#[utoipa::path(
    tag = "accounts",
    operation_id = "update_staff",
    params(("id" = String, Path, description = "Staff id")),
    request_body = StaffPatchBody,
    responses((status = 200, description = "Updated", body = StaffBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[patch("/staff/{id}")]
pub async fn update_staff(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<StaffPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let changes = StaffChanges {
        full_name: body.full_name,
        roles: body.roles.as_deref().map(roles).transpose()?,
        unit_id: body.unit_id,
        active: body.active,
    };
    let store = state.store.clone();
    let (member, pending) = crate::blocking(move || {
        let member = store.admin_update_staff(&auth.0, &id, changes)?;
        let pending = store.pending_role_grant(&auth.0, &member.id)?;
        Ok((member, pending))
    })
    .await?;
    let mut answer = StaffBody::from(member);
    answer.pending_role_grant = pending.map(Into::into);
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPasswordBody {
    #[validate(length(min = 12, max = 200))]
    #[schema(min_length = 12, max_length = 200)]
    pub new_password: String,
}

/// An admin sets a staff member's password; their sessions end. Not for an account that reads
/// case content, or an admin's (409 `four_eyes`): those get a setup token two admins issue.
#[utoipa::path(
    tag = "accounts",
    operation_id = "set_staff_password",
    params(("id" = String, Path, description = "Staff id")),
    request_body = StaffPasswordBody,
    responses((status = 204, description = "Set"),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[put("/staff/{id}/password")]
pub async fn set_staff_password(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<StaffPasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let password = body.0.new_password;
    let store = state.store.clone();
    crate::blocking(move || {
        if *id == auth.0.actor.staff_id {
            // One's own password goes through /me/password, with the current one.
            return Err(opora_persistence::StoreError::Forbidden(
                opora_domain::Action::ManageDirectory,
            ));
        }
        store.set_password(&auth.0, &id, OwnPasswordProof::default(), &password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A one-time token for setting one's own password.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupTokenBody {
    /// Give it to the member (shown once): they send it as `setup_token` to `PUT /api/v1/me/password`.
    pub setup_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A request for a setup token that waits for a second admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupTokenRequestedBody {
    /// Always `awaiting_second_admin`: another admin completes it with the same call.
    pub status: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// An admin lets a member set their own password: a one-time token, valid 24 hours, that replaces
/// any earlier unused one. It is what a member without a local password (e.g. one who logs in
/// through the identity provider) needs to create one. Not for oneself (403).
///
/// For an account that reads case content (or an admin's) this takes two admins: the first call
/// answers 202 and waits; the same call by a second admin (not the first, not the member) answers
/// 201 with the token, shown to that second admin only (409 `own_request` for the first).
#[utoipa::path(
    tag = "accounts",
    operation_id = "issue_password_setup_token",
    params(("id" = String, Path, description = "Staff id")),
    responses((status = 201, description = "Issued", body = SetupTokenBody),
        (status = 202, description = "Requested: a second admin completes it", body = SetupTokenRequestedBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict, responses::Internal),
    security(("bearer" = []))
)]
#[post("/staff/{id}/password-setup-token")]
pub async fn issue_password_setup_token(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let outcome = crate::blocking(move || store.issue_password_setup_token(&auth.0, &id)).await?;
    Ok(match outcome {
        SetupTokenOutcome::Issued { token, expires_at } => {
            HttpResponse::Created().json(SetupTokenBody {
                setup_token: token,
                expires_at: expires_at.and_utc(),
            })
        }
        SetupTokenOutcome::AwaitingSecondAdmin { expires_at } => {
            HttpResponse::Accepted().json(SetupTokenRequestedBody {
                status: "awaiting_second_admin".into(),
                expires_at: expires_at.and_utc(),
            })
        }
    })
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0193a1c2-0000-7000-8000-000000000001", "kind": "service", "name": "Support of care leavers"}))]
pub struct NewUnitBody {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub parent_id: String,
    #[validate(custom(function = "crate::dto::codes::valid::unit_kind"))]
    #[schema(schema_with = codes::unit_kind)]
    pub kind: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// Adds a unit below one the admin administers (department → centre → district department →
/// service or sector).
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_unit",
    request_body = NewUnitBody,
    responses((status = 201, description = "Created", body = UnitBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[post("/units")]
pub async fn create_unit(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<NewUnitBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let kind = parse_code("kind", &body.kind, UnitKind::parse)?;
    let store = state.store.clone();
    let unit = crate::blocking(move || {
        store.admin_create_unit(&auth.0, &body.parent_id, kind, &body.name)
    })
    .await?;
    Ok(HttpResponse::Created().json(UnitBody::from(unit)))
}
