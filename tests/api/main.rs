//! Black-box tests of Opora over real HTTP and a real database, one binary whose modules mirror
//! the API's resources.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod accounts;
mod agreements;
mod approvals;
mod assignment;
mod auth;
mod casework;
mod classifiers;
mod clients;
mod closure;
mod concurrency;
mod confidentiality;
mod contacts;
mod contract;
mod crash;
mod demo;
mod duplicates;
mod errors;
mod external_idp;
mod families;
mod hardening;
mod health;
mod i18n;
mod lists;
mod login_throttle;
mod matrix;
mod reference;
mod reports;
mod restricted;
mod sessions;
mod side_doors;
mod subject_rights;
mod triage;
mod verifiable_log;
mod walk;
mod work_queue;
