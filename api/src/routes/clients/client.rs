//! Clients: a person, or a family with members. Create, read, list (filters, cursor pages) and
//! update with ETag / If-Match; the duplicate warning when a client is registered who looks like
//! someone already on record (the matching itself is `opora_domain::names`).

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::{ClientKind, FamilyRelation, PhoneKind, Sex};
use opora_persistence::clients::{
    ClientChanges, ClientExtras, ClientFilter, MemberInput, NewClient, PhoneInput, SchoolInput,
};
use opora_persistence::models::{Client, PhoneRow};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::duplicates::DuplicatesBody;
use crate::auth::Authenticated;
use crate::dto::{codes, parse_code, parse_opt, utc, Page};
use crate::etag::{etag, if_match};
use crate::json::{JsonBody, QueryParams};
use crate::problem::{responses, ApiError};
use crate::AppState;

fn phone_kind_schema() -> utoipa::openapi::schema::Object {
    crate::dto::code_schema(
        PhoneKind::ALL.iter().map(|c| c.code()),
        "What the number is: `mobile`, `home` or `work`.",
    )
}

fn valid_phone_kind(value: &str) -> Result<(), validator::ValidationError> {
    crate::dto::one_of(PhoneKind::ALL.iter().map(|c| c.code()), value)
}

/// A phone number of the client.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "+380 67 123 45 67", "kind": "mobile", "note": "mother's, evenings only"}))]
pub struct PhoneBody {
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub number: String,
    #[schema(schema_with = phone_kind_schema)]
    #[validate(custom(function = "valid_phone_kind"))]
    pub kind: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub note: Option<String>,
}

impl PhoneBody {
    fn to_input(&self, i: usize) -> Result<PhoneInput, ApiError> {
        Ok(PhoneInput {
            number: self.number.trim().to_owned(),
            kind: parse_code(&format!("phones[{i}].kind"), &self.kind, PhoneKind::parse)?,
            note: self.note.clone(),
        })
    }
}

impl From<PhoneRow> for PhoneBody {
    fn from(p: PhoneRow) -> Self {
        PhoneBody {
            number: p.number,
            kind: p.kind,
            note: p.note,
        }
    }
}

/// A child's school or kindergarten (children only: `is_child` true).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "School no. 45, Odesa", "class_group": "5-B"}))]
pub struct SchoolBody {
    /// The school's or kindergarten's name.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The class (school) or group (kindergarten).
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub class_group: Option<String>,
}

/// Client-category codes: each from `GET /api/v1/reference/client_categories`, built in or
/// added, active; an unknown or deactivated code is 422 naming `categories[i]`.
fn category_codes(list: &[String]) -> Result<(), validator::ValidationError> {
    if list.iter().all(|c| !c.is_empty() && c.len() <= 64) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("each category code is 1 to 64 characters long".into());
        Err(e)
    }
}

fn phones(list: &[PhoneBody]) -> Result<Vec<PhoneInput>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, p)| p.to_input(i))
        .collect()
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
    #[schema(schema_with = codes::sex::nullable)]
    #[validate(custom(function = "crate::dto::codes::valid::sex"))]
    pub sex: Option<String>,
    /// Whether the member is a child (drives child-safety rules).
    pub is_child: bool,
    /// A child's school or kindergarten; for children only.
    #[validate(nested)]
    #[serde(default)]
    pub school: Option<SchoolBody>,
}

impl MemberInputBody {
    fn to_input(&self, i: usize) -> Result<MemberInput, ApiError> {
        let field = |name: &str| format!("members[{i}].{name}");
        Ok(MemberInput {
            full_name: self.full_name.trim().to_owned(),
            relation: parse_code(&field("relation"), &self.relation, FamilyRelation::parse)?,
            date_of_birth: self.date_of_birth,
            sex: parse_opt(&field("sex"), self.sex.as_deref(), Sex::parse)?,
            is_child: self.is_child,
            school: self.school.as_ref().map(|s| SchoolInput {
                name: s.name.trim().to_owned(),
                class_group: s.class_group.clone(),
            }),
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
    "categories": ["single_parent", "large_families"],
    "phones": [{"number": "+380 67 123 45 67", "kind": "mobile", "note": null}],
    "members": [
        {"full_name": "Oksana Shevchenko", "relation": "head", "date_of_birth": "1988-03-14", "sex": "female", "is_child": false},
        {"full_name": "Daryna Shevchenko", "relation": "child", "date_of_birth": "2015-09-01", "sex": "female", "is_child": true,
         "school": {"name": "School no. 45, Odesa", "class_group": "5-B"}}
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
    #[schema(schema_with = codes::sex::nullable)]
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
    /// Client categories (codes of `GET /api/v1/reference/client_categories`, built in or added,
    /// active), each once; at most 30.
    #[validate(length(max = 30), custom(function = "category_codes"))]
    #[serde(default)]
    #[schema(max_items = 30)]
    pub categories: Vec<String>,
    /// Phone numbers besides `phone`, in order; at most 10.
    #[validate(length(max = 10), nested)]
    #[serde(default)]
    #[schema(max_items = 10)]
    pub phones: Vec<PhoneBody>,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a client: absent fields stay, `null` clears an optional field; `members`,
/// `categories` and `phones`, when given, replace the whole list.
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
    #[schema(schema_with = codes::sex::nullable)]
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
    /// Client categories: active codes of the classifier, or a deactivated one the client
    /// already has.
    #[validate(length(max = 30), custom(function = "category_codes"))]
    #[schema(max_items = 30)]
    pub categories: Option<Vec<String>>,
    #[validate(length(max = 10), nested)]
    #[schema(max_items = 10)]
    pub phones: Option<Vec<PhoneBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    pub id: String,
    pub full_name: String,
    #[schema(schema_with = codes::family_relation)]
    pub relation: String,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = codes::sex::nullable)]
    pub sex: Option<String>,
    pub is_child: bool,
    /// A child's school or kindergarten, `null` when not recorded.
    pub school: Option<SchoolBody>,
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
    #[schema(schema_with = codes::sex::nullable)]
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: Option<String>,
    pub members: Vec<MemberBody>,
    /// Client-category codes, in the order given.
    pub categories: Vec<String>,
    pub phones: Vec<PhoneBody>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Client> for ClientBody {
    fn from(c: Client) -> Self {
        let Client {
            client,
            members,
            categories,
            phones,
        } = c;
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
                    school: m.school_name.map(|name| SchoolBody {
                        name,
                        class_group: m.school_class,
                    }),
                })
                .collect(),
            categories,
            phones: phones.into_iter().map(PhoneBody::from).collect(),
            version: client.version,
            created_at: utc(client.created_at),
            updated_at: utc(client.updated_at),
        }
    }
}

/// A client just registered, and whether it looks like someone already on record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedClientBody {
    #[serde(flatten)]
    pub client: ClientBody,
    /// `null`, or the records the new client (its name, or a member's) may duplicate. The client
    /// is registered either way; the warning is for staff to check.
    #[schema(required = true)]
    pub duplicate_warning: Option<DuplicatesBody>,
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, client: Client) -> HttpResponse {
    response.insert_header((actix_web::http::header::ETAG, etag(client.client.version)));
    response.json(ClientBody::from(client))
}

/// Registers a client (a person or a family with members).
///
/// The answer warns, in `duplicate_warning`, when the client's name or a member's (with the date
/// of birth) matches someone already on record, as `POST /clients/duplicate-check` would; the
/// client is registered either way.
#[utoipa::path(
    tag = "clients",
    operation_id = "create_client",
    request_body = NewClientBody,
    responses(
        (status = 201, description = "Created; `Location` names it, `ETag` its version; `duplicate_warning` lists the records it may duplicate",
            body = CreatedClientBody, headers(("Location" = String), ("ETag" = String))),
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
        sex: parse_opt("sex", body.sex.as_deref(), Sex::parse)?,
        phone: body.phone,
        address: body.address,
        district: body.district,
        members: members(&body.members)?,
    };
    let extras = ClientExtras {
        categories: body.categories,
        phones: phones(&body.phones)?,
    };
    let store = state.store.clone();
    let (client, duplicates) = crate::blocking(move || {
        let client = store.create_client_with(&auth.0, new, extras)?;
        // The client is registered: a failed check must not turn that into an error (a retry
        // would register them twice), so it is logged and the warning left out.
        let duplicates = match store.duplicates_of_client(&auth.0, &client) {
            Ok(found) => Some(found),
            Err(e) => {
                log::error!("duplicate check after registering a client failed: {e}");
                None
            }
        };
        Ok((client, duplicates))
    })
    .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        actix_web::http::header::LOCATION,
        format!("/api/v1/clients/{}", client.client.id),
    ));
    response.insert_header((actix_web::http::header::ETAG, etag(client.client.version)));
    Ok(response.json(CreatedClientBody {
        client: ClientBody::from(client),
        duplicate_warning: duplicates
            .filter(|found| !found.is_empty())
            .map(DuplicatesBody::from),
    }))
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
    /// A client-category code: only clients with that category.
    #[param(max_length = 64)]
    pub category: Option<String>,
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
        category: query.category,
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
    let changes = ClientChanges {
        display_name: body.display_name.map(|n| n.trim().to_owned()),
        date_of_birth: body.date_of_birth,
        sex: body
            .sex
            .map(|sex| parse_opt("sex", sex.as_deref(), Sex::parse))
            .transpose()?,
        phone: body.phone,
        address: body.address,
        district: body.district,
        members: body.members.as_deref().map(members).transpose()?,
        categories: body.categories,
        phones: body.phones.as_deref().map(phones).transpose()?,
    };
    let store = state.store.clone();
    let client =
        crate::blocking(move || store.update_client(&auth.0, &id, expected, changes)).await?;
    Ok(with_etag(HttpResponse::Ok(), client))
}
