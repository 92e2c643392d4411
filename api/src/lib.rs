//! Opora's HTTP API: actix-web under `/api/v1`, JWT bearer auth, validated JSON, RFC 9457
//! problems, and the OpenAPI contract generated from the handlers themselves.
//!
//! Layering: handlers ([`routes`]) parse and validate, then call one [`opora_persistence::Store`]
//! function off the async workers ([`blocking`]); the store applies the domain and writes state and
//! event in one transaction; [`problem`] is the one place errors become HTTP.

pub mod auth;
pub mod config;
pub mod demo;
pub mod dto;
pub mod etag;
pub mod hardening;
pub mod i18n;
pub mod json;
pub mod problem;
pub mod routes;

use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, App, HttpResponse, HttpServer};
use opora_persistence::{Store, StoreResult};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenKeys;
use crate::problem::ApiError;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: TokenKeys,
}

/// Runs a blocking store call on actix's thread pool and maps its error once.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(ApiError::from)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Opora API",
        description = "Case management for social services: intake reports, cases through the 8-stage lifecycle and their work model (6-stage case management, individual or team, or 12-stage individual case work), assessments, plans agreed with the family, agreements, and the full history of every change.\n\nEvery `/api/v1` operation needs `Authorization: Bearer <JWT>` (HS256; `sub` is a staff member's id). Errors are RFC 9457 `application/problem+json`.",
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, problem::FieldError)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "directory", description = "Units and staff"),
        (name = "accounts", description = "Login, refresh, passwords; staff and units managed by an admin"),
        (name = "clients", description = "Persons and families"),
        (name = "intake reports", description = "Lifecycle stages 1-3: intake, verification, need recognition"),
        (name = "work queue", description = "What needs doing next, for a worker or a supervisor's units"),
        (name = "safety", description = "Child-safety concerns and the decisions they need within the emergency deadline"),
        (name = "cases", description = "Lifecycle stages 4-8 and the work model"),
        (name = "assignment", description = "Key-worker suggestions by weighted caseload, staff leave, and transfers of a case to another key worker"),
        (name = "casework", description = "Assessments, plans, agreements and evaluations of a case"),
        (name = "contacts", description = "Contacts with the client (planned, held with their record, missed or cancelled; addenda) and success stories shared with the client's consent"),
        (name = "closure", description = "Closing a case (seed 000's standardised procedure): the closure report with the final evaluation per goal, opinions, the family's satisfaction and how they were told; unilateral endings of agreements (seed 003)"),
        (name = "confidentiality", description = "Sensitive sections, consents and disclosures"),
        (name = "data-subject rights", description = "Export of everything held about a person; legal holds"),
        (name = "audit", description = "The tamper-evident audit log: every change and every look"),
        (name = "reference", description = "Reference data: every list of codes with labels in English, Ukrainian, Russian and Czech (by Accept-Language); administrators extend the classifiers"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description =
            Some("An HS256 JWT from `opora token`; `sub` must be an active staff member.".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The OpenAPI document, built from the registered handlers without starting a server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    let mut api = api;
    document_rate_limit(&mut api);
    api
}

/// Every `/api/v1` operation may answer 429 (the rate limit wraps them all), documented once here.
fn document_rate_limit(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let response = ResponseBuilder::new()
        .description(
            "Too many requests from this client; `Retry-After` says in how many seconds to retry",
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(utoipa::openapi::schema::Object::with_type(
                    utoipa::openapi::schema::Type::Integer,
                ))
                .description(Some("Seconds to wait"))
                .build(),
        )
        .content(
            problem::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    for (path, item) in api.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            operation
                .responses
                .responses
                .insert("429".into(), response.clone().into());
        }
    }
}

/// The document as committed in `openapi/openapi.json` and served at `/api-docs/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// How the server runs: workers, CORS origins, rate limits, client addresses, timeouts.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// Frontend origins allowed cross-origin access (`OPORA_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// Requests per second per client (`OPORA_RATE_LIMIT`), and the burst allowed (`OPORA_RATE_BURST`).
    pub rate_per_second: u64,
    pub rate_burst: u32,
    /// Proxies whose `X-Forwarded-For` names the client (`OPORA_TRUSTED_PROXIES`).
    pub trusted_proxies: hardening::TrustedProxies,
    /// How long the server waits for a client's request head, next request and body.
    pub timeouts: hardening::Timeouts,
    /// Threads that run store calls, shared out among the workers; `None`: actix's default (512
    /// shared by the workers). More than the pool's connections only wait for one, compete for
    /// the cores with the one holding SQLite's writer, and grow the process (`serve` sets the
    /// pool size).
    pub blocking_threads: Option<usize>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            workers: None,
            cors_origins: Vec::new(),
            rate_per_second: 50,
            rate_burst: 200,
            trusted_proxies: hardening::TrustedProxies::default(),
            timeouts: hardening::Timeouts::default(),
            blocking_threads: None,
        }
    }
}

/// Starts the server on a bound listener (port 0 in tests).
pub fn server(
    state: AppState,
    listener: std::net::TcpListener,
    options: ServerOptions,
) -> std::io::Result<actix_web::dev::Server> {
    let state = web::Data::new(state);
    let document = openapi_json();
    let routes = std::sync::Arc::new(problem::Routes::from_openapi(&openapi()));
    let rate_limit = hardening::rate_limit(options.rate_per_second, options.rate_burst)
        .ok_or_else(|| std::io::Error::other("invalid rate limit"))?;
    let origins = options.cors_origins.clone();
    let trusted_proxies = web::Data::new(options.trusted_proxies.clone());
    let timeouts = options.timeouts;
    let server = HttpServer::new(move || {
        let routes = routes.clone();
        let document = document.clone();
        let (app, api) =
            App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(state.clone())
                .app_data(trusted_proxies.clone())
                .app_data(hardening::BodyTimeout(timeouts.body))
                .app_data(web::PayloadConfig::new(json::MAX_BODY_BYTES))
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("invalid query: {e}")).into()
                }))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("invalid path: {e}")).into()
                }))
                .configure(routes::configure)
                .split_for_parts();
        // Swagger UI reads the same document the contract test compares.
        let _ = api;
        app.route(
            "/api-docs/openapi.json",
            web::get().to(move || {
                let document = document.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(document)
                }
            }),
        )
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api-docs/openapi.json")),
        )
        .route(
            "/swagger-ui",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/swagger-ui/"))
                    .finish()
            }),
        )
        .wrap(problem::render_foreign_errors(routes))
        .wrap(actix_governor::Governor::new(&rate_limit))
        .wrap(hardening::cors(&origins))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "no-referrer"))
                .add(("Cache-Control", "no-store")),
        )
        .wrap(actix_web::middleware::from_fn(i18n::translate_problems))
        // The path only: query strings may carry names (personal data) and are not logged.
        .wrap(
            Logger::new("%{method}xi %U %s %b %Dms")
                .custom_request_replace("method", |req| req.method().to_string()),
        )
    });
    let server = server
        .client_request_timeout(timeouts.request_head)
        .keep_alive(actix_web::http::KeepAlive::Timeout(timeouts.keep_alive))
        .client_disconnect_timeout(timeouts.disconnect);
    // actix's own default, set here so that the store threads are shared out among as many.
    let workers = options
        .workers
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
        .max(1);
    let server = server.workers(workers);
    let server = match options.blocking_threads {
        Some(n) => server.worker_max_blocking_threads(n.div_ceil(workers).max(1)),
        None => server,
    };
    let server = server.listen(listener)?.run();
    Ok(server)
}
