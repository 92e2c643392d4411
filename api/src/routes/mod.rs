//! Every endpoint, registered with utoipa-actix-web so that routes and the OpenAPI document are
//! one list and cannot drift. One module per resource; handlers are thin: parse and validate,
//! call one store function off the async workers, map the result.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod accounts;
pub mod approvals;
pub mod assignment;
pub mod audit;
pub mod cases;
pub mod casework;
pub mod clients;
pub mod closure;
pub mod confidentiality;
pub mod contacts;
pub mod directory;
pub mod health;
pub mod reference;
pub mod reports;
pub mod role_grants;
pub mod safety;
pub mod subject_rights;
pub mod work_queue;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            utoipa_actix_web::scope("/api/v1")
                // JSON only: nothing in an API answer may run or be framed.
                .wrap(actix_web::middleware::DefaultHeaders::new().add((
                    "Content-Security-Policy",
                    "default-src 'none'; frame-ancestors 'none'",
                )))
                .configure(directory::configure)
                .configure(accounts::configure)
                .configure(role_grants::configure)
                .configure(clients::configure)
                .configure(confidentiality::configure)
                .configure(subject_rights::configure)
                .configure(reports::configure)
                .configure(cases::configure)
                .configure(assignment::configure)
                .configure(safety::configure)
                .configure(work_queue::configure)
                .configure(casework::configure)
                .configure(contacts::configure)
                .configure(closure::configure)
                .configure(approvals::configure)
                .configure(reference::configure)
                .configure(audit::configure),
        );
}
