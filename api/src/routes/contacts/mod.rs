//! Contacts with the client and success stories, one file per resource mirroring
//! `opora_domain::contacts`: planned and recorded contacts with their addenda (`contact`) and
//! success stories with the client's consent to share them (`story`). Here: the registration of
//! every handler, in the order the OpenAPI document lists them.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod contact;
pub mod story;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(contact::create_contact)
        .service(contact::list_contacts)
        .service(contact::get_contact)
        .service(contact::update_contact)
        .service(contact::add_contact_addendum)
        .service(story::create_success_story)
        .service(story::list_success_stories)
        .service(story::withdraw_story_consent);
}
