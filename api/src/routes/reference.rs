//! Reference data: every list of codes with its labels in English, Ukrainian, Russian or Czech,
//! chosen by `Accept-Language` (default English) and named in `Content-Language`. Fixed lists
//! (stages, reasons, roles, …) are rules of the system; extensible classifiers (client categories,
//! report sources, life domains, contact types) take entries from administrators, who may also
//! deactivate the entries they added. Any staff member reads reference data.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use opora_domain::labels::{is_valid_entry_code, Labelled, Language, ReferenceList};
use opora_persistence::reference::{EntryLabels, NewEntry, ReferenceEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Authenticated;
use crate::dto::{code_schema, utc};
use crate::json::JsonBody;
use crate::problem::{responses, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_reference_lists)
        .service(get_reference_list)
        .service(get_reference_entry)
        .service(add_reference_entry)
        .service(deactivate_reference_entry);
}

fn reference_list() -> utoipa::openapi::schema::Object {
    code_schema(
        ReferenceList::ALL.iter().map(|l| l.code()),
        "A list of reference data.",
    )
}

fn extensible_list() -> utoipa::openapi::schema::Object {
    code_schema(
        ReferenceList::ALL
            .iter()
            .filter(|l| l.is_extensible())
            .map(|l| l.code()),
        "An extensible list (classifier) administrators add entries to; a fixed list answers 409.",
    )
}

fn language_code() -> utoipa::openapi::schema::Object {
    code_schema(
        Language::ALL.iter().map(|l| l.code()),
        "The language of the labels (ISO 639-1).",
    )
}

fn list_kind() -> utoipa::openapi::schema::Object {
    code_schema(
        ["fixed", "extensible"],
        "`fixed`: the codes are rules of the system; `extensible`: administrators add entries.",
    )
}

/// The language the caller asks for in `Accept-Language`.
fn language(req: &HttpRequest) -> Language {
    Language::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A 200 answer in `language`, saying so, and that it depends on `Accept-Language`.
fn localised(language: Language) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_LANGUAGE, language.code()))
        .insert_header((header::VARY, "Accept-Language"));
    response
}

fn list_of(name: &str) -> Result<ReferenceList, ApiError> {
    ReferenceList::parse(name).ok_or(ApiError::NotFound)
}

/// One list in the index.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceListSummary {
    #[schema(schema_with = reference_list)]
    pub list: String,
    /// The list's name in the chosen language.
    #[schema(example = "Client categories")]
    pub title: String,
    #[schema(schema_with = list_kind)]
    pub kind: String,
    /// Where to read it.
    #[schema(example = "/api/v1/reference/client_categories")]
    pub path: String,
}

/// Every list of reference data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceIndexBody {
    #[schema(schema_with = language_code)]
    pub language: String,
    pub lists: Vec<ReferenceListSummary>,
}

/// One entry of a list, labelled in the chosen language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceEntryBody {
    #[schema(example = "single_parent")]
    pub code: String,
    #[schema(example = "Одинока матір (батько)")]
    pub label: String,
    /// Inactive entries stay listed (records may carry them) but are not to be offered for new
    /// records.
    pub active: bool,
    /// Declared by the system (cannot be deactivated), or added by an administrator.
    pub built_in: bool,
}

/// A list's entries in one language.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "list": "client_categories", "title": "Категорії клієнтів", "language": "uk",
    "entries": [
        {"code": "single_parent", "label": "Одинока матір (батько)", "active": true, "built_in": true},
        {"code": "large_families", "label": "Багатодітні сім'ї", "active": true, "built_in": true},
        {"code": "homeless_persons", "label": "Бездомні особи", "active": false, "built_in": false}
    ]
}))]
pub struct ReferenceListBody {
    #[schema(schema_with = reference_list)]
    pub list: String,
    /// The list's name in the chosen language.
    pub title: String,
    #[schema(schema_with = language_code)]
    pub language: String,
    /// Built-in entries in the system's order, then added ones, oldest first.
    pub entries: Vec<ReferenceEntryBody>,
}

fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("must not be blank".into());
        Err(e)
    } else {
        Ok(())
    }
}

fn entry_code(value: &str) -> Result<(), validator::ValidationError> {
    if is_valid_entry_code(value) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("format");
        e.message = Some(
            "must be snake_case (lower-case letters, digits, single underscores; starting with a letter), 2 to 64 characters"
                .into(),
        );
        Err(e)
    }
}

/// An entry's label in every language; all four are required.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelsBody {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Homeless persons")]
    pub en: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Бездомні особи")]
    pub uk: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Бездомные")]
    pub ru: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Osoby bez domova")]
    pub cs: String,
}

impl From<EntryLabels> for LabelsBody {
    fn from(l: EntryLabels) -> Self {
        LabelsBody {
            en: l.en,
            uk: l.uk,
            ru: l.ru,
            cs: l.cs,
        }
    }
}

/// A new entry of an extensible list.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "homeless_persons",
    "labels": {"en": "Homeless persons", "uk": "Бездомні особи", "ru": "Бездомные", "cs": "Osoby bez domova"}
}))]
pub struct NewReferenceEntryBody {
    /// snake_case, 2–64 characters; new to the list.
    #[validate(custom(function = "entry_code"))]
    #[schema(
        min_length = 2,
        max_length = 64,
        pattern = "^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
        example = "homeless_persons"
    )]
    pub code: String,
    /// Each label must also be new to the list in its language.
    #[validate(nested)]
    pub labels: LabelsBody,
}

/// An entry with all its labels.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "list": "client_categories", "code": "homeless_persons",
    "labels": {"en": "Homeless persons", "uk": "Бездомні особи", "ru": "Бездомные", "cs": "Osoby bez domova"},
    "active": true, "built_in": false, "created_by": "demo-admin", "created_at": "2026-11-23T09:30:00Z"
}))]
pub struct ReferenceEntryDetailBody {
    #[schema(schema_with = reference_list)]
    pub list: String,
    pub code: String,
    pub labels: LabelsBody,
    pub active: bool,
    pub built_in: bool,
    /// The administrator who added it (none for built-in entries).
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<ReferenceEntry> for ReferenceEntryDetailBody {
    fn from(e: ReferenceEntry) -> Self {
        ReferenceEntryDetailBody {
            list: e.list.code().to_owned(),
            code: e.code,
            labels: e.labels.into(),
            active: e.active,
            built_in: e.built_in,
            created_by: e.created_by,
            created_at: e.created_at.map(utc),
        }
    }
}

/// A path parameter with its schema (`IntoParams` derived with `schema_with` would drop
/// `required` and the description).
fn path_param(
    name: &str,
    description: &str,
    schema: utoipa::openapi::schema::Object,
) -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(utoipa::openapi::Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn code_param(description: &str, example: &str) -> utoipa::openapi::path::Parameter {
    let mut schema = utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::SchemaType::Type(
            utoipa::openapi::schema::Type::String,
        ))
        .max_length(Some(64))
        .build();
    schema.example = Some(example.into());
    path_param("code", description, schema)
}

/// `{list}`: any list.
#[derive(Debug, Deserialize)]
pub struct ListPath {
    pub list: String,
}

impl IntoParams for ListPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![path_param("list", "The list.", reference_list())]
    }
}

/// `{list}`: an extensible list.
#[derive(Debug, Deserialize)]
pub struct ExtensibleListPath {
    pub list: String,
}

impl IntoParams for ExtensibleListPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![path_param(
            "list",
            "The list (an extensible one).",
            extensible_list(),
        )]
    }
}

/// `{list}/entries/{code}`: an entry of any list.
#[derive(Debug, Deserialize)]
pub struct EntryPath {
    pub list: String,
    pub code: String,
}

impl IntoParams for EntryPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![
            path_param("list", "The list.", reference_list()),
            code_param("The entry's code.", "single_parent"),
        ]
    }
}

/// `{list}/entries/{code}`: an entry an administrator added to an extensible list.
#[derive(Debug, Deserialize)]
pub struct ExtensibleEntryPath {
    pub list: String,
    pub code: String,
}

impl IntoParams for ExtensibleEntryPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![
            path_param("list", "The list (an extensible one).", extensible_list()),
            code_param(
                "The code of an entry an administrator added.",
                "homeless_persons",
            ),
        ]
    }
}

/// Every list of reference data: its name in the chosen language, whether it is fixed or
/// extensible, and where to read it.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_reference_lists",
    params(("Accept-Language" = Option<String>, Header, description = "Preferred languages (en, uk, ru, cs; q-values and regions such as `uk-UA` are understood); default English", example = "uk-UA, cs;q=0.8")),
    responses(
        (status = 200, description = "The lists", body = ReferenceIndexBody,
            headers(("Content-Language" = String, description = "The language used"), ("Vary" = String))),
        responses::Unauthorized, responses::Forbidden, responses::Internal
    ),
    security(("bearer" = []))
)]
#[get("/reference")]
pub async fn list_reference_lists(
    auth: Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    auth.0.require(opora_domain::Action::ReadDirectory)?;
    let language = language(&req);
    let lists = ReferenceList::ALL
        .iter()
        .map(|l| ReferenceListSummary {
            list: l.code().to_owned(),
            title: l.labels().get(language).to_owned(),
            kind: if l.is_extensible() {
                "extensible"
            } else {
                "fixed"
            }
            .to_owned(),
            path: format!("/api/v1/reference/{}", l.code()),
        })
        .collect();
    Ok(localised(language).json(ReferenceIndexBody {
        language: language.code().to_owned(),
        lists,
    }))
}

/// A list's entries, labelled in the language `Accept-Language` asks for (default English).
#[utoipa::path(
    tag = "reference",
    operation_id = "get_reference_list",
    params(ListPath, ("Accept-Language" = Option<String>, Header, description = "Preferred languages (en, uk, ru, cs; q-values and regions such as `uk-UA` are understood); default English", example = "uk-UA, cs;q=0.8")),
    responses(
        (status = 200, description = "The list's entries", body = ReferenceListBody,
            headers(("Content-Language" = String, description = "The language used"), ("Vary" = String))),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal
    ),
    security(("bearer" = []))
)]
#[get("/reference/{list}")]
pub async fn get_reference_list(
    auth: Authenticated,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<ListPath>,
) -> Result<HttpResponse, ApiError> {
    let list = list_of(&path.list)?;
    let language = language(&req);
    let store = state.store.clone();
    let entries = crate::blocking(move || store.reference_entries(&auth.0, list)).await?;
    Ok(localised(language).json(ReferenceListBody {
        list: list.code().to_owned(),
        title: list.labels().get(language).to_owned(),
        language: language.code().to_owned(),
        entries: entries
            .into_iter()
            .map(|e| ReferenceEntryBody {
                label: e.labels.get(language).to_owned(),
                code: e.code,
                active: e.active,
                built_in: e.built_in,
            })
            .collect(),
    }))
}

/// One entry with its labels in every language.
#[utoipa::path(
    tag = "reference",
    operation_id = "get_reference_entry",
    params(EntryPath),
    responses(
        (status = 200, description = "The entry", body = ReferenceEntryDetailBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Internal
    ),
    security(("bearer" = []))
)]
#[get("/reference/{list}/entries/{code}")]
pub async fn get_reference_entry(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<EntryPath>,
) -> Result<HttpResponse, ApiError> {
    let list = list_of(&path.list)?;
    let code = path.into_inner().code;
    let store = state.store.clone();
    let entry = crate::blocking(move || store.reference_entry(&auth.0, list, &code)).await?;
    Ok(HttpResponse::Ok().json(ReferenceEntryDetailBody::from(entry)))
}

/// Adds an entry to an extensible list (administrators). The code and each label must be new to
/// the list; a fixed list takes no entries (409).
#[utoipa::path(
    tag = "reference",
    operation_id = "add_reference_entry",
    params(ExtensibleListPath),
    request_body = NewReferenceEntryBody,
    responses(
        (status = 201, description = "Added; `Location` names it", body = ReferenceEntryDetailBody,
            headers(("Location" = String))),
        responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
        responses::Conflict, responses::UnsupportedMediaType, responses::Unprocessable, responses::Internal
    ),
    security(("bearer" = []))
)]
#[post("/reference/{list}/entries")]
pub async fn add_reference_entry(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<ExtensibleListPath>,
    body: JsonBody<NewReferenceEntryBody>,
) -> Result<HttpResponse, ApiError> {
    let list = list_of(&path.list)?;
    let body = body.0;
    let new = NewEntry {
        code: body.code,
        labels: EntryLabels {
            en: body.labels.en,
            uk: body.labels.uk,
            ru: body.labels.ru,
            cs: body.labels.cs,
        },
    };
    let store = state.store.clone();
    let entry = crate::blocking(move || store.add_reference_entry(&auth.0, list, new)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/reference/{}/entries/{}", list.code(), entry.code),
        ))
        .json(ReferenceEntryDetailBody::from(entry)))
}

/// Deactivates an entry an administrator added: it stays listed, marked inactive. Built-in
/// entries cannot be deactivated (409); deactivating an inactive entry changes nothing.
#[utoipa::path(
    tag = "reference",
    operation_id = "deactivate_reference_entry",
    params(ExtensibleEntryPath),
    responses(
        (status = 200, description = "Deactivated", body = ReferenceEntryDetailBody),
        responses::Unauthorized, responses::Forbidden, responses::NotFound, responses::Conflict,
        responses::Internal
    ),
    security(("bearer" = []))
)]
#[post("/reference/{list}/entries/{code}/deactivation")]
pub async fn deactivate_reference_entry(
    auth: Authenticated,
    state: web::Data<AppState>,
    path: web::Path<ExtensibleEntryPath>,
) -> Result<HttpResponse, ApiError> {
    let list = list_of(&path.list)?;
    let code = path.into_inner().code;
    let store = state.store.clone();
    let entry =
        crate::blocking(move || store.deactivate_reference_entry(&auth.0, list, &code)).await?;
    Ok(HttpResponse::Ok().json(ReferenceEntryDetailBody::from(entry)))
}
