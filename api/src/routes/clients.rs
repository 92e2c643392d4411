//! Clients: a person, or a family with members. Create, read, list (filters, cursor pages) and
//! update with ETag / If-Match.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::{ClientKind, FamilyRelation, Sex};
use opora_persistence::clients::{ClientChanges, ClientFilter, MemberInput, NewClient};
use opora_persistence::models::Client;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc, Page};
use crate::etag::{etag, if_match};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_client)
        .service(list_clients)
        .service(get_client)
        .service(update_client);
}

/// A family member.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInputBody {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, example = "Daryna Shevchenko")]
    pub full_name: String,
    #[schema(schema_with = codes::family_relation)]
    #[validate(custom(function = "crate::dto::codes::valid::family_relation"))]
    pub relation: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = codes::sex, nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::sex"))]
    pub sex: Option<String>,
    /// Whether the member is a child (drives child-safety rules).
    pub is_child: bool,
}

impl MemberInputBody {
    fn to_input(&self, i: usize) -> Result<MemberInput, ApiError> {
        let field = |name: &str| format!("members[{i}].{name}");
        parse_code(&field("relation"), &self.relation, FamilyRelation::parse)?;
        parse_opt(&field("sex"), self.sex.as_deref(), Sex::parse)?;
        Ok(MemberInput {
            full_name: self.full_name.trim().to_owned(),
            relation: self.relation.clone(),
            date_of_birth: self.date_of_birth,
            sex: self.sex.clone(),
            is_child: self.is_child,
        })
    }
}

fn members(list: &[MemberInputBody]) -> Result<Vec<MemberInput>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, m)| m.to_input(i))
        .collect()
}

/// A new client.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "family",
    "display_name": "Shevchenko family",
    "phone": "+380 48 700 00 00",
    "address": "vul. Dnipropetrovska 12, Odesa",
    "district": "Suvorovskyi",
    "members": [
        {"full_name": "Oksana Shevchenko", "relation": "head", "date_of_birth": "1988-03-14", "sex": "female", "is_child": false},
        {"full_name": "Daryna Shevchenko", "relation": "child", "date_of_birth": "2015-09-01", "sex": "female", "is_child": true}
    ]
}))]
pub struct NewClientBody {
    /// The owning unit; default: the caller's unit.
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub unit_id: Option<String>,
    #[schema(schema_with = codes::client_kind)]
    #[validate(custom(function = "crate::dto::codes::valid::client_kind"))]
    pub kind: String,
    /// A person's full name, or a family's name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = codes::sex, nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::sex"))]
    pub sex: Option<String>,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub district: Option<String>,
    /// Family members (for a family), in order; at most 30.
    #[validate(length(max = 30), nested)]
    #[serde(default)]
    #[schema(max_items = 30)]
    pub members: Vec<MemberInputBody>,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a client: absent fields stay, `null` clears an optional field; `members`, when
/// given, replaces the whole list.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+380 67 000 00 00", "address": null}))]
pub struct ClientPatchBody {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(schema_with = codes::sex, nullable)]
    pub sex: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[validate(length(max = 40))]
    #[schema(value_type = Option<String>, max_length = 40)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[validate(length(max = 300))]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[validate(length(max = 100))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub district: Option<Option<String>>,
    #[validate(length(max = 30), nested)]
    #[schema(max_items = 30)]
    pub members: Option<Vec<MemberInputBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    pub id: String,
    pub full_name: String,
    #[schema(schema_with = codes::family_relation)]
    pub relation: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = codes::sex, nullable)]
    pub sex: Option<String>,
    pub is_child: bool,
}

/// A client as stored. `version` is what the ETag names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientBody {
    pub id: String,
    pub unit_id: String,
    #[schema(schema_with = codes::client_kind)]
    pub kind: String,
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = codes::sex, nullable)]
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: Option<String>,
    pub members: Vec<MemberBody>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Client> for ClientBody {
    fn from(c: Client) -> Self {
        let Client { client, members } = c;
        ClientBody {
            id: client.id,
            unit_id: client.unit_id,
            kind: client.kind,
            display_name: client.display_name,
            date_of_birth: client.date_of_birth,
            sex: client.sex,
            phone: client.phone,
            address: client.address,
            district: client.district,
            members: members
                .into_iter()
                .map(|m| MemberBody {
                    id: m.id,
                    full_name: m.full_name,
                    relation: m.relation,
                    date_of_birth: m.date_of_birth,
                    sex: m.sex,
                    is_child: m.is_child,
                })
                .collect(),
            version: client.version,
            created_at: utc(client.created_at),
            updated_at: utc(client.updated_at),
        }
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, client: Client) -> HttpResponse {
    response.insert_header((actix_web::http::header::ETAG, etag(client.client.version)));
    response.json(ClientBody::from(client))
}

/// Registers a client (a person or a family with members).
#[utoipa::path(
    tag = "clients",
    operation_id = "create_client",
    request_body = NewClientBody,
    responses(
        (status = 201, description = "Created; `Location` names it, `ETag` its version", body = ClientBody,
            headers(("Location" = String), ("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType,
        responses::Unprocessable, responses::Internal
    ),
    security(("bearer" = []))
)]
#[post("/clients")]
pub async fn create_client(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<NewClientBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let new = NewClient {
        unit_id: body.unit_id,
        kind: parse_code("kind", &body.kind, ClientKind::parse)?,
        display_name: body.display_name.trim().to_owned(),
        date_of_birth: body.date_of_birth,
        sex: {
            parse_opt("sex", body.sex.as_deref(), Sex::parse)?;
            body.sex
        },
        phone: body.phone,
        address: body.address,
        district: body.district,
        members: members(&body.members)?,
    };
    let store = state.store.clone();
    let client = crate::blocking(move || store.create_client(&auth.0, new)).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        actix_web::http::header::LOCATION,
        format!("/api/v1/clients/{}", client.client.id),
    ));
    Ok(with_etag(response, client))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    #[param(schema_with = codes::client_kind)]
    pub kind: Option<String>,
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    /// Part of the name, case-insensitive.
    #[param(max_length = 200)]
    pub name: Option<String>,
    #[param(max_length = 100)]
    pub district: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Lists the clients the caller sees, oldest first.
#[utoipa::path(
    tag = "clients",
    operation_id = "list_clients",
    params(ClientQuery),
    responses((status = 200, description = "One page of clients", body = Page<ClientBody>),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::Unprocessable, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients")]
pub async fn list_clients(
    auth: Authenticated,
    state: web::Data<AppState>,
    query: QueryParams<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = crate::dto::page(query.limit, query.cursor)?;
    let filter = ClientFilter {
        kind: parse_opt("kind", query.kind.as_deref(), ClientKind::parse)?,
        unit_id: query.unit_id,
        name: query.name,
        district: query.district,
    };
    let store = state.store.clone();
    let clients = crate::blocking(move || store.list_clients(&auth.0, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(Page::from(clients, ClientBody::from)))
}

/// One client with its members; `ETag` names its version.
#[utoipa::path(
    tag = "clients",
    operation_id = "get_client",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The client", body = ClientBody, headers(("ETag" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal),
    security(("bearer" = []))
)]
#[get("/clients/{id}")]
pub async fn get_client(
    auth: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let client = crate::blocking(move || store.get_client(&auth.0, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), client))
}

/// Updates a client. Needs `If-Match` with the ETag read: 428 without it, 412 when stale.
#[utoipa::path(
    tag = "clients",
    operation_id = "update_client",
    params(
        ("id" = String, Path, description = "Client id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on")
    ),
    request_body = ClientPatchBody,
    responses((status = 200, description = "Updated; `ETag` names the new version", body = ClientBody, headers(("ETag" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::PreconditionFailed,
        responses::UnsupportedMediaType, responses::Unprocessable, responses::PreconditionRequired, responses::Internal),
    security(("bearer" = []))
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ClientPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let body = body.0;
    if let Some(Some(sex)) = &body.sex {
        parse_code("sex", sex, Sex::parse)?;
    }
    let changes = ClientChanges {
        display_name: body.display_name.map(|n| n.trim().to_owned()),
        date_of_birth: body.date_of_birth,
        sex: body.sex,
        phone: body.phone,
        address: body.address,
        district: body.district,
        members: body.members.as_deref().map(members).transpose()?,
    };
    let store = state.store.clone();
    let client =
        crate::blocking(move || store.update_client(&auth.0, &id, expected, changes)).await?;
    Ok(with_etag(HttpResponse::Ok(), client))
}
