//! Clients, one file per resource mirroring `opora_persistence`'s `clients`, `duplicates` and
//! `questionnaire`: a person or a family with members (`client`), the duplicate check before
//! registering (`duplicates`) and the client questionnaire (`questionnaire`). Here: the
//! registration of every handler, in the order the OpenAPI document lists them.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod client;
pub mod duplicates;
pub mod questionnaire;

pub fn configure(cfg: &mut ServiceConfig) {
    // The duplicate check before `/clients/{id}`, so that its path is never read as an id.
    cfg.service(duplicates::check_duplicates)
        .service(client::create_client)
        .service(client::list_clients)
        .service(client::get_client)
        .service(client::update_client)
        .service(questionnaire::get_questionnaire)
        .service(questionnaire::put_questionnaire);
}
