//! Clients: a person, or a family with members. Create, read, list (filters, cursor pages) and
//! update with ETag / If-Match; the duplicate check before registering, and the duplicate warning
//! when a client is registered who looks like someone already on record.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use opora_domain::names::{name_key, NameMatch};
use opora_domain::{ClientKind, FamilyRelation, Sex};
use opora_persistence::clients::{ClientChanges, ClientFilter, MemberInput, NewClient};
use opora_persistence::duplicates::DuplicateCandidate;
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
    // The duplicate check before `/clients/{id}`, so that its path is never read as an id.
    cfg.service(check_duplicates)
        .service(create_client)
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
    #[schema(schema_with = codes::sex::nullable)]
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

/// A code list that may also be `null`.
fn nullable_codes(
    codes: impl IntoIterator<Item = &'static str>,
    description: &str,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let mut object = crate::dto::code_schema(codes, description);
    object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = object.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    object
}

fn name_match_schema() -> utoipa::openapi::schema::Object {
    nullable_codes(
        [NameMatch::Exact.code(), NameMatch::Similar.code()],
        "How the names matched: `exact` (the same after folding case, diacritics, transliteration and name forms) or `similar` (one word one letter apart, or a patronymic more); `null` when not visible.",
    )
}

fn candidate_kind_schema() -> utoipa::openapi::schema::Object {
    nullable_codes(
        ClientKind::ALL.iter().map(|k| k.code()),
        "A person, or a family with members; `null` when not visible.",
    )
}

/// A record that may be the same person. When `visible` is false the record lies in a unit
/// outside the caller's scope, and only that unit is named: every other field is `null`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "visible": true,
    "unit_id": "0193a1c2-0000-7000-8000-00000000000a",
    "unit_name": "Suvorovskyi district department",
    "client_id": "0193a1c2-0000-7000-8000-0000000000c1",
    "client_kind": "family",
    "client_display_name": "Shevchenko family",
    "member_id": "0193a1c2-0000-7000-8000-0000000000e1",
    "name": "Олександр Шевченко",
    "date_of_birth": "1984-02-29",
    "name_match": "exact",
    "same_date_of_birth": true
}))]
pub struct DuplicateCandidateBody {
    /// Whether the caller may see the record.
    pub visible: bool,
    /// The unit holding the record.
    pub unit_id: String,
    pub unit_name: String,
    pub client_id: Option<String>,
    #[schema(schema_with = candidate_kind_schema)]
    pub client_kind: Option<String>,
    pub client_display_name: Option<String>,
    /// The family member whose name matched; `null` when the client's own name matched.
    pub member_id: Option<String>,
    /// The name that matched, as recorded.
    pub name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[schema(schema_with = name_match_schema)]
    pub name_match: Option<String>,
    /// Both dates of birth are known and equal; `false` when one is unknown (a known date that
    /// differs rules a record out).
    pub same_date_of_birth: Option<bool>,
}

impl From<DuplicateCandidate> for DuplicateCandidateBody {
    fn from(c: DuplicateCandidate) -> Self {
        let found = c.found;
        DuplicateCandidateBody {
            visible: c.visible,
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            client_id: found.as_ref().map(|f| f.client_id.clone()),
            client_kind: found.as_ref().map(|f| f.client_kind.clone()),
            client_display_name: found.as_ref().map(|f| f.client_display_name.clone()),
            member_id: found.as_ref().and_then(|f| f.member_id.clone()),
            name: found.as_ref().map(|f| f.name.clone()),
            date_of_birth: found.as_ref().and_then(|f| f.date_of_birth),
            name_match: found.as_ref().map(|f| f.name_match.code().to_owned()),
            same_date_of_birth: found.as_ref().map(|f| f.same_date_of_birth),
        }
    }
}

/// Possible duplicates: visible records best first (exact names, then equal dates of birth), then
/// one entry per other unit holding a possible match.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"candidates": [
    {"visible": true, "unit_id": "0193a1c2-0000-7000-8000-00000000000a", "unit_name": "Suvorovskyi district department",
     "client_id": "0193a1c2-0000-7000-8000-0000000000c1", "client_kind": "person", "client_display_name": "Oleksandr Shevchenko",
     "member_id": null, "name": "Oleksandr Shevchenko", "date_of_birth": "1984-02-29", "name_match": "exact", "same_date_of_birth": true},
    {"visible": false, "unit_id": "0193a1c2-0000-7000-8000-00000000000b", "unit_name": "Malynovskyi district department",
     "client_id": null, "client_kind": null, "client_display_name": null, "member_id": null, "name": null,
     "date_of_birth": null, "name_match": null, "same_date_of_birth": null}
]}))]
pub struct DuplicatesBody {
    pub candidates: Vec<DuplicateCandidateBody>,
}

impl DuplicatesBody {
    fn from(candidates: Vec<DuplicateCandidate>) -> Self {
        DuplicatesBody {
            candidates: candidates
                .into_iter()
                .map(DuplicateCandidateBody::from)
                .collect(),
        }
    }
}

/// A duplicate check: the name searched for and, when known, the date of birth.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Oleksandr Shevchenko", "date_of_birth": "1984-02-29"}))]
pub struct DuplicateCheckBody {
    /// A full name in any script and word order ("Shevchenko Oleksandr", "Олександр Шевченко").
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// When given, a record with another known date of birth is not a candidate.
    pub date_of_birth: Option<NaiveDate>,
}

/// Looks for clients and family members who may be the person named (before registering them).
///
/// Tolerant of case, spacing, word order, diacritics, Cyrillic/Latin transliteration (Ukrainian
/// and Russian rules) and Ukrainian/Russian first-name forms: "Олександр Шевченко", "Oleksandr
/// Shevchenko", "Aleksandr Shevchenko" and "OLEKSANDR ŠEVČENKO" match each other. A record with
/// another known date of birth is not a candidate. A record in a unit outside the caller's scope
/// is shown only as a possible match in that unit. The search terms go in the body, never the
/// URL; every search is audited (with the folded name, not the name).
#[utoipa::path(
    tag = "clients",
    operation_id = "check_client_duplicates",
    request_body = DuplicateCheckBody,
    responses(
        (status = 200, description = "The possible duplicates (an empty list when none)", body = DuplicatesBody),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::UnsupportedMediaType,
        responses::Unprocessable, responses::Internal
    ),
    security(("bearer" = []))
)]
#[post("/clients/duplicate-check")]
pub async fn check_duplicates(
    auth: Authenticated,
    state: web::Data<AppState>,
    body: JsonBody<DuplicateCheckBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if name_key(&body.full_name).is_empty() {
        return Err(ApiError::field(
            "full_name",
            "no_letters",
            "must contain at least one letter",
        ));
    }
    let store = state.store.clone();
    let candidates = crate::blocking(move || {
        store.find_duplicates(&auth.0, &body.full_name, body.date_of_birth)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DuplicatesBody::from(candidates)))
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
    let (client, duplicates) = crate::blocking(move || {
        let client = store.create_client(&auth.0, new)?;
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
